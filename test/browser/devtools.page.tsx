// A page of test/devtools-browser.test.ts: an app with <ErrandDevtools> open, its orchestrator on a
// simulated clock and a hand-driven platform, so the test decides when work runs and what the network does.
import { createRoot } from 'react-dom/client';
import { createOrchestrator, defineTask } from '../../src/index.js';
import { ErrandDevtools } from '../../src/devtools/index.js';
import { OrchestratorProvider, TaskBoard } from '../../src/react/index.js';
import { memoryStore, testClock, testPlatform } from '../../src/testing/index.js';

const clock = testClock(Date.UTC(2026, 0, 1, 9, 0, 0));
const platform = testPlatform({ online: true });
const quiet = { warn: () => {}, error: () => {} };

/** Resolves after `ms` of simulated time; rejects when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clock.clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/** Works `steps` seconds, reporting progress each second. */
const steady = defineTask({
  id: 'work',
  run: async ({ signal, setProgress, input }) => {
    const steps = typeof input === 'number' ? input : 4;
    for (let i = 0; i < steps; i++) {
      setProgress(i / steps);
      await sleep(1_000, signal);
    }
    return `worked ${steps} s`;
  },
});

let syncCalls = 0;
/** Fails its first attempt (the backoff step), then succeeds. */
const flaky = defineTask({
  id: 'sync',
  run: async () => {
    syncCalls++;
    if (syncCalls === 1) throw new Error('503 Service Unavailable', { cause: new Error('upstream timed out') });
    return 'synced';
  },
});

const orchestrator = createOrchestrator({ clock, platform, store: memoryStore(), logger: quiet, random: () => 0.5 }).register(steady).register(flaky);

function App() {
  return (
    <OrchestratorProvider orchestrator={orchestrator} clock={clock}>
      <main style={{ font: '14px system-ui, sans-serif', padding: 12 }}>
        <h1 style={{ fontSize: 18, margin: '0 0 8px' }}>An app with errand devtools</h1>
        <TaskBoard />
      </main>
      <ErrandDevtools initialOpen />
    </OrchestratorProvider>
  );
}

const runNows: Record<string, string> = {};

(globalThis as { errandDevtoolsPage?: unknown }).errandDevtoolsPage = {
  async start(): Promise<void> {
    await orchestrator.start();
    const root = document.createElement('div');
    document.body.append(root);
    document.body.style.margin = '0';
    createRoot(root).render(<App />);
  },
  async schedule(taskId: string, options: { delayMs?: number; seconds?: number; network?: 'any' }): Promise<void> {
    await orchestrator.schedule({
      taskId,
      initialDelayMs: options.delayMs ?? 0,
      ...(options.seconds === undefined ? {} : { input: options.seconds }),
      ...(options.network ? { constraints: { network: options.network } } : {}),
      backoff: { initialDelayMs: 5_000, maxAttempts: 3 },
    });
  },
  runNow(taskId: string, seconds: number): void {
    orchestrator
      .runNow(taskId, async ({ signal }) => {
        await sleep(seconds * 1_000, signal);
        return 'pulled now';
      })
      .then((v) => (runNows[taskId] = v), (e: Error) => (runNows[taskId] = `rejected: ${e.name}`));
  },
  runNowResult: (taskId: string) => runNows[taskId] ?? null,
  setOnline(online: boolean): void {
    platform.push({ type: 'network', online });
  },
  async advance(ms: number): Promise<void> {
    await clock.advance(ms);
  },
  status: (taskId: string) => orchestrator.peekTask(taskId)?.status ?? null,
};
