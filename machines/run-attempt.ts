import { ValidationError } from '../src/core/errors.js';
import { isWorkResult } from '../src/core/work-result.js';
import type { ActiveRun } from './active-run.js';
import type { TaskContext, TaskEvent } from './task-types.js';

type Send = (event: TaskEvent) => void;

/** A run's result as the machine's event, classified once here so guards only compare `result`. */
export function workDone(runId: number, output: unknown): TaskEvent {
  return { type: 'WORK_DONE', runId, output, result: isWorkResult(output) ? output.kind : 'value' };
}

/**
 * Calls the worker (or the runNow function) and reports how it ended as WORK_DONE or
 * WORK_FAILED, tagged with the run's id so a superseded run's result is ignored.
 */
export function startRun(context: TaskContext, run: ActiveRun, send: Send): void {
  const { taskId, attempt, work, instant, env } = context;
  const { runId } = run;
  const result = settle(() => {
    if (instant) {
      return instant.fn({
        taskId,
        get signal() {
          return run.signal;
        },
      });
    }
    if (!work) throw new Error(`task ${taskId} has nothing to run`);
    return work.run({
      taskId,
      input: work.input,
      attempt,
      get signal() {
        return run.signal;
      },
      setProgress(value: number) {
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
          throw new ValidationError('progress', 'must be a number from 0 to 1');
        }
        if (!run.settled) send({ type: 'PROGRESS', runId, value });
      },
    });
  });
  env.track(result);
  // An aborted run was already left behind by the machine; its result goes nowhere.
  result.then(
    (output) => {
      env.untrack(result);
      if (run.settled) return;
      run.settled = true;
      send(workDone(runId, output));
    },
    (error: unknown) => {
      env.untrack(result);
      if (run.settled) return;
      run.settled = true;
      send({ type: 'WORK_FAILED', runId, error });
    },
  );
}

/** `fn()` as a promise, a synchronous throw as a rejection; no async wrapper, so one promise less per run. */
function settle(fn: () => unknown): Promise<unknown> {
  try {
    const value = fn();
    return value instanceof Promise ? value : Promise.resolve(value);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Aborts a run that has not settled; a finished run's signal is left alone. */
export function abortRun(run: ActiveRun | null): void {
  if (run && !run.settled) {
    run.settled = true;
    run.abort();
  }
}
