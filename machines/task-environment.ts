import type { Conditions } from '../src/core/conditions.js';

/** Where a waiting task is told that a worker slot is its own now. */
export interface SlotWaiter {
  send(event: { type: 'SLOT_FREE' }): void;
}

/**
 * Worker slots (`concurrency` per task, `maxConcurrentWorkers` per orchestrator), kept outside the
 * machine: it asks whether it may start, counts its runs in and out, and waits in line by due time.
 */
export interface WorkerSlotsView {
  /** Scheduled work of this TaskId may start now: within its limits, and no earlier waiter is in line. */
  free(taskId: string): boolean;
  /** A worker (or runNow function) of this TaskId started; runNow is counted but never limited. */
  take(taskId: string): void;
  /** A run of this TaskId ended or was left: its slot goes to the earliest waiter that fits. */
  release(taskId: string): void;
  /** Gets in line by `dueAt` until SLOT_FREE is sent; one already in line keeps its place. */
  wait(taskId: string, dueAt: number, waiter: SlotWaiter): void;
  /** Gets out of line (cancelled, taken over, its constraints failed); frees nothing. */
  leave(taskId: string): void;
}

/**
 * The world as one task machine sees it. One object per orchestrator, shared by every task,
 * so the machine stays a pure definition and tests swap in a simulated clock and platform.
 */
export interface TaskEnvironment {
  now(): number;
  conditions(): Conditions;
  /** The ready gate: false until `orchestrator.start()` has restored stored work. */
  gateOpen(): boolean;
  /** True while `orchestrator.pause()` holds scheduled work (as unmet constraints would). */
  paused(): boolean;
  /** In [0, 1); used for backoff jitter. */
  random(): number;
  /** Lets shutdown wait for worker promises that outlive their (aborted) actor. */
  track(work: Promise<unknown>): void;
  /** A tracked worker promise settled (called from the run's own settle handler: no extra `then`). */
  untrack(work: Promise<unknown>): void;
  slots: WorkerSlotsView;
}
