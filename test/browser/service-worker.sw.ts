// The service worker of test/service-worker.test.ts: errand's runner over the app's IndexedDB store,
// answering errand's sync tag, with what each woken run did written to the log.
import { serviceWorkerRunner } from '../../src/service-worker/index.js';
import { APP, appendLog, readLog, upload } from './sw-shared.js';

interface WorkerScope extends EventTarget {
  clients: { matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly unknown[]> };
  skipWaiting(): Promise<void>;
}
const scope = globalThis as unknown as WorkerScope;

const runner = serviceWorkerRunner({ name: APP, tasks: [upload] });
runner.listen(scope, {
  onResult: (result, event) => {
    // Counted as the run ends: a window of the origin open would mean the test was not "every tab closed".
    void scope.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) =>
      appendLog({
        kind: 'result',
        type: event.type,
        skipped: result.skipped,
        ran: result.ran,
        left: result.left.map((task) => `${task.taskId}:${task.status}`),
        cutShort: result.cutShort,
        needsWakeUp: result.needsWakeUp,
        windows: windows.length,
      }),
    );
  },
});
scope.addEventListener('install', () => void scope.skipWaiting());
(globalThis as { errandSwLog?: unknown }).errandSwLog = readLog;
/** runDue called directly in the worker (a sync event dispatched through DevTools while offline did not reach it). */
(globalThis as { errandSwRunDue?: unknown }).errandSwRunDue = async () => {
  const result = await runner.runDue();
  return { ...result, left: result.left.map((task) => `${task.taskId}:${task.status}`) };
};
