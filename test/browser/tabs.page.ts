// A page of test/tabs.test.ts: one tab of an app whose tabs share an indexedDbStore through
// tabCoordinator. Each run is logged to a second IndexedDB database, so the test can count runs
// across tabs, including tabs that were closed or crashed since.
import { openDB, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { createOrchestrator, defineTask } from '../../src/index.js';
import { indexedDbStore, tabCoordinator } from '../../src/browser/index.js';

export interface RunEntry {
  taskId: string;
  tab: string;
  attempt: number;
}

const APP = 'errand-tabs';
const log: Promise<IDBPDatabase> = openDB(`${APP}-runs`, 1, { upgrade: (db) => void db.createObjectStore('runs', { autoIncrement: true }) });

let label = '?';
let promotedAt: number | null = null;

const work = defineTask({
  id: 'work',
  input: z.object({ ms: z.number() }),
  run: async ({ taskId, input, attempt, signal }) => {
    // Logged before the work: a run cut off by a closed tab still shows in the log.
    await (await log).add('runs', { taskId, tab: label, attempt } satisfies RunEntry);
    if (input.ms > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, input.ms);
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      });
    }
    return `${label} did ${taskId}`;
  },
});

const build = () => createOrchestrator({ store: indexedDbStore({ name: APP }), coordinator: tabCoordinator({ name: APP }) }).register(work);
let orchestrator: ReturnType<typeof build> | null = null;

(globalThis as { errandTabs?: unknown }).errandTabs = {
  async start(name: string): Promise<string> {
    label = name;
    const started = build();
    orchestrator = started;
    await started.start();
    const watch = setInterval(() => {
      if (orchestrator?.role() !== 'leader') return;
      promotedAt = Date.now();
      clearInterval(watch);
    }, 2);
    return started.role();
  },
  role: () => orchestrator?.role() ?? 'none',
  /** When this tab took the lead after start (epoch ms), or null. */
  promotedAt: () => promotedAt,
  /** Schedules `count` tasks `<prefix>/<i>`, each working `ms`; resolves once all are stored. */
  async schedule(prefix: string, count: number, ms: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, (_, i) => orchestrator!.schedule({ taskId: `work/${prefix}-${i}`, input: { ms } })));
  },
  /** How the TaskId's work ends, as this tab hears it (the value, or the error's name). */
  async result(taskId: string): Promise<string> {
    return orchestrator!.result(taskId).then(String, (e: Error) => `error:${e.name}`);
  },
  async status(taskId: string): Promise<string | null> {
    return (await orchestrator!.getTask(taskId))?.status ?? null;
  },
  async runNow(taskId: string): Promise<string> {
    return orchestrator!.runNow(taskId, async () => `${label} ran ${taskId} now`);
  },
  async stored(): Promise<number> {
    return (await orchestrator!.listTasks({ status: 'pending', limit: 10_000 })).tasks.length;
  },
  /** Records in the store, whatever their status (read from IndexedDB, not through the leader). */
  async unfinished(): Promise<number> {
    const db = await openDB(APP);
    const count = await db.count('tasks');
    db.close();
    return count;
  },
  async runs(): Promise<RunEntry[]> {
    return (await log).getAll('runs');
  },
};
