import type { UnmetConstraint } from '../src/core/conditions.js';
import type { CancelReason } from '../src/core/errors.js';
import type { TaskRequest } from '../src/core/schemas.js';
import type { InstantFn, Outcome, WorkerFn } from '../src/core/types.js';
import type { WorkResult } from '../src/core/work-result.js';
import type { ActiveRun } from './active-run.js';
import type { TaskEnvironment } from './task-environment.js';

/** Scheduled work: the stored request, its input as stored (encoded) and as the worker gets it, and the worker. */
export interface ScheduledWork {
  request: TaskRequest;
  /** The input in errand's encoding, exactly as the store keeps it; null when there is none. */
  inputText: string | null;
  /** The stored input decoded and parsed by the task's schema: what the worker receives. */
  input: unknown;
  run: WorkerFn;
}

/** A runNow in flight: its function and how to settle its caller's promise. */
export interface InstantRun {
  ticket: number;
  fn: InstantFn<unknown>;
  settle(outcome: Outcome): void;
}

export interface TaskContext {
  taskId: string;
  env: TaskEnvironment;
  work: ScheduledWork | null;
  instant: InstantRun | null;
  attempt: number;
  /** Attempts of the current request cut off by a process ending while they ran. */
  interrupted: number;
  nextRunAt: number | null;
  /** Became due while the ready gate was closed; dispatches on GATE_OPENED. */
  overdue: boolean;
  /** Activated from a record saved in backoff: the first microstep moves there without a new delay. */
  resumeInBackoff: boolean;
  /** The worker call of the current attempt; its id tells a superseded run's events apart. */
  run: ActiveRun | null;
  runCount: number;
  progress: number | null;
  unmet: readonly UnmetConstraint[];
  outcome: Outcome | null;
  cancelReason: CancelReason | null;
}

/** How an actor starts: empty (for runNow), with new work, or activated from a stored record. */
export interface TaskInput {
  taskId: string;
  env: TaskEnvironment;
  work?: ScheduledWork;
  /** When the work is due; defaults to now + the request's initial delay. */
  nextRunAt?: number;
  /** Activated from a record: attempts made, attempts interrupted, runs started, and whether it waits in backoff. */
  attempt?: number;
  interrupted?: number;
  runCount?: number;
  resumeInBackoff?: boolean;
}

export type TaskEvent =
  | { type: 'SCHEDULE'; work: ScheduledWork; nextRunAt: number }
  | { type: 'RUN_NOW'; instant: InstantRun }
  /** 'preempted': another context's runNow took the TaskId over (errand/browser's tabs). */
  | { type: 'CANCEL'; reason: CancelReason }
  | { type: 'CALLER_ABORTED'; ticket: number }
  | { type: 'CONDITIONS_CHANGED' }
  | { type: 'GATE_OPENED' }
  /** A worker slot was freed for this waiting task (src/activation/worker-slots.ts). */
  | { type: 'SLOT_FREE' }
  | { type: 'PROGRESS'; runId: number; value: number }
  /** `result` classifies `output` once, where the run settles: a plain value, or a WorkResult's kind. */
  | { type: 'WORK_DONE'; runId: number; output: unknown; result: 'value' | WorkResult['kind'] }
  | { type: 'WORK_FAILED'; runId: number; error: unknown };
