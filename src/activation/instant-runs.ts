import type { InstantRun } from '../../machines/task-machine.js';
import type { InstantFn, Outcome } from '../core/types.js';
import type { Activations } from './activations.js';
import type { TaskCalls } from './task-calls.js';

/**
 * runNow's side of a TaskId: takes it over (dropping scheduled work for it), activates it if it is
 * dormant, and hands the machine the run with a ticket, so the caller's abort reaches only its own run.
 */
export class InstantRuns {
  private nextTicket = 0;

  constructor(
    private readonly calls: TaskCalls,
    private readonly tasks: Activations,
  ) {}

  run<TResult>(taskId: string, fn: InstantFn<TResult>, signal: AbortSignal | undefined, mayHaveStoredWork: boolean): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      const ticket = ++this.nextTicket;
      this.calls.takeOver(taskId, mayHaveStoredWork);
      const entry = this.tasks.get(taskId) ?? this.tasks.spawn(taskId, {});
      const onAbort = () => entry.actor.send({ type: 'CALLER_ABORTED', ticket });
      const instant: InstantRun = {
        ticket,
        fn,
        settle: (outcome: Outcome) => {
          signal?.removeEventListener('abort', onAbort);
          if (outcome.ok) resolve(outcome.value as TResult);
          else reject(outcome.error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.actor.send({ type: 'RUN_NOW', instant });
    });
  }
}
