// When a service worker's run is over: nothing running, nothing due now, nothing due that only waits for a worker slot.
import type { Orchestrator } from '../orchestrator.js';
import type { TaskSnapshot } from '../core/types.js';

type Watched = Pick<Orchestrator, 'subscribe' | 'peekTasks' | 'now'>;

/**
 * Work the run waits for: running, due now, or held back only by a worker slot (it runs once a
 * slot frees). Constrained work and work due later (backoff, a periodic's next period) is left.
 */
export function isDueOrRunning(task: TaskSnapshot, now: number): boolean {
  switch (task.status) {
    case 'running':
      return true;
    case 'pending':
      return task.nextRunAt !== null && task.nextRunAt <= now;
    case 'constrained':
      return task.unmetConstraints.length > 0 && task.unmetConstraints.every((unmet) => unmet === 'concurrency');
    default:
      return false;
  }
}

/** Active tasks that are not finished: what a run leaves for later. */
export const unfinished = (tasks: readonly TaskSnapshot[]): TaskSnapshot[] =>
  tasks.filter((task) => task.status !== 'done' && task.status !== 'cancelled');

/** Work a later wake-up could run: waiting for the network (which a sync event brings back) or for its backoff. */
export const waitsForNetworkOrBackoff = (task: TaskSnapshot): boolean =>
  task.status === 'backoff' || (task.status === 'constrained' && task.unmetConstraints.includes('network'));

/** Counts the runs started (each attempt of each TaskId once) from the moment it is made. */
export function countRuns(orchestrator: Watched): { readonly count: number; stop(): void } {
  const seen = new Map<string, number>();
  let count = 0;
  const stop = orchestrator.subscribe((task) => {
    if (task.status !== 'running' || seen.get(task.taskId) === task.runCount) return;
    seen.set(task.taskId, task.runCount);
    count += 1;
  });
  return {
    get count() {
      return count;
    },
    stop,
  };
}

/**
 * Resolves 'settled' once no active task is due or running, or 'aborted' when `signal` aborts first.
 * Each transition asks again, a macrotask later: one task's end often starts another's run.
 */
export function whenSettled(orchestrator: Watched, signal: AbortSignal): Promise<'settled' | 'aborted'> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (how: 'settled' | 'aborted') => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const onAbort = () => finish('aborted');
    const check = () => {
      timer = undefined;
      const now = orchestrator.now();
      if (!orchestrator.peekTasks().some((task) => isDueOrRunning(task, now))) finish('settled');
    };
    const recheck = () => {
      if (timer === undefined) timer = setTimeout(check, 0);
    };
    const unsubscribe = orchestrator.subscribe(recheck);
    if (signal.aborted) return finish('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    recheck();
  });
}
