import type { OrchestratorParts } from './orchestrator-parts.js';
import { shutdownDeadline } from './shutdown-deadline.js';

/**
 * What `shutdown()` does once the gate is shut: cancels every active task with reason 'shutdown'
 * (stored work stays stored), then waits, each step within what is left of `timeoutMs`, for the
 * background helpers, the workers, the store's writes and the store's close.
 */
export async function shutDownParts(parts: OrchestratorParts, background: () => Promise<void>, timeoutMs: number): Promise<void> {
  const { wakeUp, platform, tasks, inflight, persister, store, logger } = parts;
  wakeUp.stop();
  platform.close(logger);
  for (const entry of tasks.entries()) entry.actor.send({ type: 'CANCEL', reason: 'shutdown' });
  tasks.results.rejectAll(); // dormant work awaited by result(): it will not end in this process
  const deadline = shutdownDeadline(parts.clock, timeoutMs);
  try {
    await deadline.race(background());
    if (inflight.size > 0 && !(await deadline.race(Promise.allSettled([...inflight])))) {
      logger.warn(`errand: ${inflight.size} worker(s) still running after shutdown timeout`);
    }
    if (!(await deadline.race(persister.written().catch(() => {})))) logger.warn('errand: store writes still pending after shutdown timeout');
    const closed = Promise.resolve(store.close?.()).catch((error: unknown) => logger.error('errand: closing the store failed', error));
    if (!(await deadline.race(closed))) logger.warn('errand: the store did not close before the shutdown timeout');
  } finally {
    deadline.clear();
  }
}
