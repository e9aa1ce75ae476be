import { TaskCancelledError, WorkFailedError } from '../core/errors.js';
import type { TaskSnapshot, TaskStatus } from '../core/types.js';
import type { TaskListeners } from './listeners.js';

/** One caller's wait: its promise, whether it is settled, and ways to end it from outside. */
export interface PendingResult {
  readonly taskId: string;
  readonly promise: Promise<unknown>;
  settled(): boolean;
  /** Settles it from a snapshot that ends the wait (a finished task found retained). */
  settleFrom(snapshot: TaskSnapshot): void;
  reject(error: unknown): void;
}

/**
 * Callers of `result()`. Each wait is a listener of its TaskId (the listeners every per-task
 * subscription uses), settled by the first snapshot that ends it; a TaskId nobody awaits costs nothing.
 */
export class ResultWaiters {
  /** Every wait not settled yet, for shutdown. */
  private readonly pending = new Set<PendingResult>();

  constructor(private readonly listeners: TaskListeners) {}

  /** Waits for the TaskId's next end; `current` is its status now (null when dormant or unknown). */
  add(taskId: string, current: TaskStatus | null, signal?: AbortSignal): PendingResult {
    let settled = false;
    let last = current;
    let resolveWait!: (value: unknown) => void;
    let rejectWait!: (error: unknown) => void;
    const promise = new Promise<unknown>((resolve, reject) => {
      resolveWait = resolve;
      rejectWait = reject;
    });
    // The caller may get this promise only after a store read: an end heard meanwhile is not unhandled.
    promise.catch(() => {});
    const done = () => {
      settled = true;
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      this.pending.delete(wait);
    };
    const ends = {
      resolve: (value: unknown) => (done(), resolveWait(value)),
      reject: (error: unknown) => (done(), rejectWait(error)),
    };
    // The status last seen tells a periodic run's end (running -> pending) from a new period's start.
    const unsubscribe = this.listeners.add((snapshot) => {
      if (settled) return;
      if (endsWait(snapshot, last)) settle(snapshot, ends);
      else last = snapshot.status;
    }, taskId);
    const onAbort = () => ends.reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const wait: PendingResult = {
      taskId,
      promise,
      settled: () => settled,
      settleFrom: (snapshot) => settled || settle(snapshot, ends),
      reject: (error) => settled || ends.reject(error),
    };
    this.pending.add(wait);
    return wait;
  }

  /** Shutdown: nothing will end any more in this process. */
  rejectAll(): void {
    for (const wait of [...this.pending]) wait.reject(new TaskCancelledError(wait.taskId, 'shutdown'));
  }
}

/** Final, taken over by a runNow, or (periodic) a run that ended with an outcome. */
function endsWait(snapshot: TaskSnapshot, last: TaskStatus | null): boolean {
  if (snapshot.status === 'done' || snapshot.status === 'cancelled' || snapshot.kind === 'instant') return true;
  return snapshot.kind === 'periodic' && last === 'running' && snapshot.status === 'pending' && snapshot.outcome !== null;
}

/** Settles a wait from a snapshot that ends it (or a finished one retained). */
export function settle(snapshot: TaskSnapshot, wait: { resolve(value: unknown): void; reject(error: unknown): void }): void {
  const { taskId } = snapshot;
  // A runNow took the TaskId over: the scheduled work never got to its own end.
  if (snapshot.kind === 'instant') wait.reject(new TaskCancelledError(taskId, 'preempted'));
  else if (snapshot.status === 'cancelled') wait.reject(new TaskCancelledError(taskId, snapshot.cancelReason ?? 'cancelled'));
  else if (snapshot.outcome?.ok) wait.resolve(snapshot.outcome.value);
  else if (snapshot.outcome) wait.reject(snapshot.outcome.error);
  else wait.reject(new WorkFailedError(taskId, 'ended without an outcome'));
}
