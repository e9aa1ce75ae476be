import { TaskCancelledError, WorkFailedError } from '../core/errors.js';
import type { TaskSnapshot, TaskStatus } from '../core/types.js';

/** One caller's wait: its promise, whether it is settled, and a way to end it early. */
export interface PendingResult {
  readonly promise: Promise<unknown>;
  settled(): boolean;
  reject(error: unknown): void;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The status last seen, to tell a periodic run's end (running -> pending) from a new period's start. */
  last: TaskStatus | null;
}

/**
 * Callers of `result()` per TaskId, settled by the task's snapshots. Costs nothing for a TaskId
 * nobody awaits: the activations ask `has()` (one Map lookup) before building a snapshot for it.
 */
export class ResultWaiters {
  private readonly byTask = new Map<string, Set<Waiter>>();

  has(taskId: string): boolean {
    return this.byTask.has(taskId);
  }

  /** Waits for the TaskId's next end; `current` is its status now (null when dormant or unknown). */
  add(taskId: string, current: TaskStatus | null, signal?: AbortSignal): PendingResult {
    let settled = false;
    let waiter!: Waiter;
    const promise = new Promise<unknown>((resolve, reject) => {
      const done = () => {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.remove(taskId, waiter);
      };
      waiter = {
        resolve: (value) => (done(), resolve(value)),
        reject: (error) => (done(), reject(error)),
        last: current,
      };
      const onAbort = () => waiter.reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    let set = this.byTask.get(taskId);
    if (!set) this.byTask.set(taskId, (set = new Set()));
    set.add(waiter);
    return { promise, settled: () => settled, reject: (error) => waiter.reject(error) };
  }

  /** A snapshot of a TaskId with waiters: settles those whose wait it ends. */
  saw(snapshot: TaskSnapshot): void {
    const set = this.byTask.get(snapshot.taskId);
    if (!set) return;
    for (const waiter of [...set]) {
      if (endsWait(snapshot, waiter.last)) settle(snapshot, waiter);
      else waiter.last = snapshot.status;
    }
  }

  /** Shutdown: nothing will end any more in this process. */
  rejectAll(): void {
    for (const [taskId, set] of [...this.byTask]) {
      for (const waiter of [...set]) waiter.reject(new TaskCancelledError(taskId, 'shutdown'));
    }
  }

  private remove(taskId: string, waiter: Waiter): void {
    const set = this.byTask.get(taskId);
    if (!set?.delete(waiter) || set.size > 0) return;
    this.byTask.delete(taskId);
  }
}

/** Final, taken over by a runNow, or (periodic) a run that ended with an outcome. */
function endsWait(snapshot: TaskSnapshot, last: TaskStatus | null): boolean {
  if (snapshot.status === 'done' || snapshot.status === 'cancelled' || snapshot.kind === 'instant') return true;
  return snapshot.kind === 'periodic' && last === 'running' && snapshot.status === 'pending' && snapshot.outcome !== null;
}

/** Settles a waiter from a snapshot that ends its wait (or a finished one retained). */
export function settle(snapshot: TaskSnapshot, waiter: Pick<Waiter, 'resolve' | 'reject'>): void {
  const { taskId } = snapshot;
  // A runNow took the TaskId over: the scheduled work never got to its own end.
  if (snapshot.kind === 'instant') waiter.reject(new TaskCancelledError(taskId, 'preempted'));
  else if (snapshot.status === 'cancelled') waiter.reject(new TaskCancelledError(taskId, snapshot.cancelReason ?? 'cancelled'));
  else if (snapshot.outcome?.ok) waiter.resolve(snapshot.outcome.value);
  else if (snapshot.outcome) waiter.reject(snapshot.outcome.error);
  else waiter.reject(new WorkFailedError(taskId, 'ended without an outcome'));
}
