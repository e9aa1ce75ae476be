// A page of test/indexeddb-store.test.ts: an orchestrator on indexedDbStore, to schedule work, reload, and look again.
import { createOrchestrator, defineTask } from '../../src/index.js';
import { indexedDbStore } from '../../src/browser/index.js';

const report = defineTask({ id: 'report.build', run: async () => 'built' });

// ?durability=relaxed picks the store's durability (strict when absent), for the kill tests.
const durability = new URLSearchParams(location.search).get('durability') === 'relaxed' ? 'relaxed' : 'strict';

async function start() {
  const orchestrator = createOrchestrator({ store: indexedDbStore({ name: 'errand-reload', durability }) });
  orchestrator.register(report);
  await orchestrator.start();
  return orchestrator;
}

/** One orchestrator per page load, as an app would have. */
let current: ReturnType<typeof start> | undefined;
const started = () => (current ??= start());

(globalThis as { errandReload?: unknown }).errandReload = {
  /** Schedules work due in an hour (so it stays stored) and resolves once the store has it. */
  async schedule(taskId: string, ephemeral = false): Promise<void> {
    const orchestrator = await started();
    await orchestrator.schedule({ taskId, initialDelayMs: 3_600_000, ephemeral });
  },
  /** What a new orchestrator on the same database knows of `taskId`. */
  async find(taskId: string): Promise<{ status: string; nextRunAt: number | null } | null> {
    const orchestrator = await started();
    const task = await orchestrator.getTask(taskId);
    return task ? { status: task.status, nextRunAt: task.nextRunAt } : null;
  },
};
