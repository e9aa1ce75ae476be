import { ResultUnavailableError, TaskCancelledError } from '../core/errors.js';
import type { ResultOptions, TaskHandle } from '../core/types.js';
import type { Activations } from './activations.js';
import { settle } from './result-waiters.js';
import type { TaskCalls } from './task-calls.js';

export interface AwaitResultDeps {
  tasks: Activations;
  calls: TaskCalls;
  stopped(): boolean;
}

/**
 * How the TaskId's work next ends, or how it ended if that is still retained. Active and dormant
 * work is awaited (the waiter is added before the store is read, so an end meanwhile is not missed);
 * with nothing active, stored, on its way or retained, rejects with ResultUnavailableError.
 */
export function awaitResult(deps: AwaitResultDeps, taskId: string, signal?: AbortSignal, runsBefore?: number): Promise<unknown> {
  const { tasks, calls } = deps;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const entry = tasks.get(taskId);
  if (!entry) {
    const finished = tasks.finished.get(taskId);
    if (finished && !calls.ops.inFlight(taskId)) return settled(finished);
    if (deps.stopped()) return Promise.reject(new TaskCancelledError(taskId, 'shutdown'));
  }
  const view = entry ? tasks.viewOf(entry) : undefined;
  if (view?.kind === 'instant') {
    return Promise.reject(new ResultUnavailableError(taskId, 'it runs a runNow, whose result goes to its caller'));
  }
  // A handle's periodic work whose first run already ended (it may end before schedule() resolves).
  const lastRun = view?.outcome ? view : tasks.lastRuns.get(taskId);
  if (lastRun?.kind === 'periodic' && lastRun.outcome && lastRun.status !== 'running' && lastRun.runCount === (runsBefore ?? -1) + 1) {
    return settled(lastRun);
  }
  const wait = tasks.results.add(taskId, view?.status ?? null, signal);
  if (entry) return wait.promise;
  // Dormant, on its way to the store, or nothing: the store (or the write queue) says which.
  return calls.dormant(taskId).then(
    (stored) => {
      if (wait.settled()) return wait.promise;
      // Ended in another process (an engine's fleet): how it ended is the answer.
      if (stored && (stored.status === 'done' || stored.status === 'cancelled') && !tasks.get(taskId)) {
        wait.settleFrom(stored);
        return wait.promise;
      }
      if (!stored && !tasks.get(taskId) && !calls.ops.inFlight(taskId)) {
        const finished = tasks.finished.get(taskId);
        if (finished) wait.settleFrom(finished);
        else wait.reject(new ResultUnavailableError(taskId, 'nothing is scheduled for it and no finished result is retained'));
      }
      return wait.promise;
    },
    (error: unknown) => {
      wait.reject(error);
      return wait.promise;
    },
  );
}

function settled(snapshot: Parameters<typeof settle>[0]): Promise<unknown> {
  return new Promise((resolve, reject) => settle(snapshot, { resolve, reject }));
}

/** schedule()'s answer: a class, so a handle per schedule costs one small object and no closure. */
export class ScheduledTask<TOutput> implements TaskHandle<TOutput> {
  constructor(
    readonly taskId: string,
    private readonly wait: (taskId: string, signal?: AbortSignal, runsBefore?: number) => Promise<unknown>,
    /** The TaskId's runs before this request: periodic work's first run is number `runsBefore + 1`. */
    private readonly runsBefore: number,
  ) {}

  result(options: ResultOptions = {}): Promise<TOutput> {
    // The value came from this TaskId's worker, whose output type the orchestrator's task map records.
    return this.wait(this.taskId, options.signal, this.runsBefore) as Promise<TOutput>;
  }
}
