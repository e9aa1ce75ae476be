// The page of test/service-worker.test.ts: registers the service worker, schedules work into the
// app's IndexedDB store, reads the store and the log, holds the leader lock, waits offline.
import { createOrchestrator, staticPlatform, type Orchestrator } from '../../src/index.js';
import { browserPlatform, indexedDbStore, leaderLockName, registerBackgroundSync, registerPeriodicSync, tabCoordinator } from '../../src/browser/index.js';
import { presenceLockName } from '../../adapters/coordination/names.js';
import { periodicSyncManagerOf, syncManagerOf } from '../../adapters/coordination/background-sync.js';
import { APP, readLog, upload, type LogEntry } from './sw-shared.js';

let waiting: Pick<Orchestrator, 'shutdown'> | null = null;
let releaseLeader: (() => void) | null = null;
let releasePresence: (() => void) | null = null;
let leading: Pick<Orchestrator, 'shutdown' | 'role'> | null = null;

(globalThis as { errandSw?: unknown }).errandSw = {
  /** Registers the worker and resolves once it is active. */
  async install(): Promise<void> {
    await navigator.serviceWorker.register('/errand-sw.sw.js', { scope: '/' });
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    if (worker && worker.state !== 'activated') await new Promise((done) => worker.addEventListener('statechange', () => worker.state === 'activated' && done(undefined)));
  },
  /** Schedules network-constrained work from an orchestrator that believes it is offline (so it never runs it here), then shuts it down. */
  async scheduleStored(taskId: string, id: number): Promise<void> {
    const orchestrator = createOrchestrator({ store: indexedDbStore({ name: APP }), platform: staticPlatform({ online: false }) }).register(upload);
    await orchestrator.start();
    await orchestrator.schedule({ taskId, input: { id }, constraints: { network: 'any' } });
    await orchestrator.shutdown();
  },
  /** The records in the app's store, as `taskId:status`. */
  async stored(): Promise<string[]> {
    const store = indexedDbStore({ name: APP });
    await store.open({ keepEphemeral: true }); // reading must not erase what the test looks for // reading must not erase what the test looks for
    const { records } = await store.list({ limit: 100 });
    await store.close();
    return records.map((record) => `${record.taskId}:${record.status}`);
  },
  log: (): Promise<LogEntry[]> => readLog(),
  /** Holds the leader lock until `releaseLeader`, as a leading tab would. */
  async holdLeader(): Promise<void> {
    await new Promise<void>((held) => {
      void navigator.locks.request(leaderLockName(APP), () => {
        held();
        return new Promise<void>((release) => (releaseLeader = release));
      });
    });
  },
  releaseLeader(): void {
    releaseLeader?.();
  },
  /** An app page whose orchestrator leads through tabCoordinator (it believes it is offline, so it runs nothing). */
  async leadWithCoordinator(): Promise<string> {
    const orchestrator = createOrchestrator({
      store: indexedDbStore({ name: APP }),
      platform: staticPlatform({ online: false }),
      coordinator: tabCoordinator({ name: APP }),
    }).register(upload);
    await orchestrator.start();
    leading = orchestrator;
    return orchestrator.role();
  },
  async stopLeading(): Promise<void> {
    await leading?.shutdown();
    leading = null;
  },
  /** Holds only the session's presence lock, as a follower tab does. */
  async holdPresence(): Promise<void> {
    await new Promise<void>((held) => {
      void navigator.locks.request(presenceLockName(APP), { mode: 'shared' }, () => {
        held();
        return new Promise<void>((release) => (releasePresence = release));
      });
    });
  },
  releasePresence(): void {
    releasePresence?.();
  },
  /** Stores ephemeral work due in an hour, from a tab that then goes away. */
  async scheduleEphemeral(taskId: string, id: number): Promise<void> {
    const orchestrator = createOrchestrator({ store: indexedDbStore({ name: APP }), platform: staticPlatform({ online: false }) }).register(upload);
    await orchestrator.start();
    await orchestrator.schedule({ taskId, input: { id }, ephemeral: true, initialDelayMs: 3_600_000 });
    await orchestrator.shutdown();
  },
  /** An app page: browserPlatform, the store, registerBackgroundSync; schedules network-constrained work. */
  async waitForNetwork(taskId: string, id: number): Promise<{ supported: boolean; status: string | undefined; unmet: readonly string[] }> {
    const orchestrator = createOrchestrator({ store: indexedDbStore({ name: APP }), platform: browserPlatform() }).register(upload);
    const sync = registerBackgroundSync(orchestrator, { name: APP });
    await orchestrator.start();
    await orchestrator.schedule({ taskId, input: { id }, constraints: { network: 'any' } });
    waiting = orchestrator;
    const task = await orchestrator.getTask(taskId);
    return { supported: sync.supported, status: task?.status, unmet: task?.unmetConstraints ?? [] };
  },
  async stopWaiting(): Promise<void> {
    await waiting?.shutdown();
    waiting = null;
  },
  online: () => navigator.onLine,
  /** registerPeriodicSync's answer, and the periodic tags registered after it. */
  async periodic(): Promise<{ answer: string; tags: string[] }> {
    const answer = await registerPeriodicSync({ name: APP, minIntervalMs: 12 * 3_600_000 });
    const registration = await navigator.serviceWorker.ready;
    return { answer, tags: (await periodicSyncManagerOf(registration)?.getTags()) ?? [] };
  },
  async syncTags(): Promise<string[]> {
    const registration = await navigator.serviceWorker.ready;
    return (await syncManagerOf(registration)?.getTags()) ?? [];
  },
};
