import type { UnmetConstraint } from './conditions.js';
import type { CancelReason } from './errors.js';
import type { WorkResult } from './work-result.js';

export type TaskStatus = 'pending' | 'constrained' | 'running' | 'backoff' | 'cancelled' | 'done';

/** How finished work ended: the value its worker returned, or the error it ended with. */
export type Outcome<TOutput = unknown> = { ok: true; value: TOutput } | { ok: false; error: unknown };

/** What a scheduled worker receives. */
export interface WorkContext<TInput = unknown> {
  taskId: string;
  input: TInput;
  /** Aborted when the task is cancelled, pre-empted, shut down or its constraints stop holding. */
  signal: AbortSignal;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** Report progress as a fraction from 0 to 1; shows in `getTask(id).progress`. */
  setProgress(progress: number): void;
}

/** A scheduled worker: return a value for success, a WorkResult to retry or fail, or throw to retry. */
export type WorkerFn<TInput = unknown, TOutput = unknown> = (
  context: WorkContext<TInput>,
) => TOutput | WorkResult | Promise<TOutput | WorkResult>;

/** What the function given to `runNow` receives. */
export interface InstantContext {
  taskId: string;
  /** Aborted when the caller's signal aborts, a newer runNow pre-empts this one, or on cancel/shutdown. */
  signal: AbortSignal;
}

export type InstantFn<TResult> = (context: InstantContext) => TResult | Promise<TResult>;

/**
 * A read-only view of one task, stable by reference until the task changes. `TOutput` types the
 * outcome of scheduled runs; a runNow takes the TaskId over (`kind: 'instant'`) with its own fn's value.
 */
export type TaskSnapshot<TOutput = unknown> = TaskSnapshotFields &
  (
    | {
        /** In `done`: how it ended. For periodic work: how the last run ended. */
        outcome: Outcome<TOutput> | null;
        kind: 'oneTime' | 'periodic';
      }
    | { outcome: Outcome | null; kind: 'instant' }
  );

/** What every TaskSnapshot shows, whatever its kind. */
export interface TaskSnapshotFields {
  taskId: string;
  status: TaskStatus;
  /** Attempts started for the current request (runNow counts as 1). */
  attempt: number;
  /**
   * Attempts of the current request that a process ending cut off (they count towards maxAttempts);
   * after maxAttempts of them the task ends `done` with a WorkFailedError saying so.
   */
  interrupted: number;
  /** Runs (attempts and runNow calls) started for this TaskId since it was scheduled; a pre-empting runNow raises it. */
  runCount: number;
  /** When the task next becomes due (epoch ms on the orchestrator's clock), in `pending` and `backoff`. */
  nextRunAt: number | null;
  /** Last value given to `setProgress` during the current run. */
  progress: number | null;
  /** What holds the task back, in `constrained`: unmet constraints, or 'concurrency' while it waits for a worker slot. */
  unmetConstraints: readonly UnmetConstraint[];
  /** In `cancelled`: why. */
  cancelReason: CancelReason | null;
}

export interface ResultOptions {
  /** Aborting it stops the wait (rejecting with the signal's reason); the work itself goes on. */
  signal?: AbortSignal;
}

/** What `schedule()` resolves with: the TaskId, and a way to await how its work ends. */
export interface TaskHandle<TOutput = unknown> {
  readonly taskId: string;
  /**
   * Resolves with the worker's value once the work ends ok (periodic work: once its current run
   * ends); rejects with WorkFailedError when it fails, TaskCancelledError when it is cancelled, pre-empted
   * by a runNow or shut down. Works whether the work ended before or after the call (see `Orchestrator.result`).
   */
  result(options?: ResultOptions): Promise<TOutput>;
}

/** Where errand writes what it is doing; `console` fits. */
export interface Logger {
  debug?(message: string, details?: unknown): void;
  info?(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
  error(message: string, details?: unknown): void;
}
