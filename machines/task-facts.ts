import { unmetConstraints, type UnmetConstraint } from '../src/core/conditions.js';
import { TaskCancelledError, type CancelReason } from '../src/core/errors.js';
import type { Outcome } from '../src/core/types.js';
import type { TaskContext, TaskEvent } from './task-types.js';

// What the task machine's guards and actions read off its context and events: plain functions,
// so the machine definition keeps to its states and transitions.

export const doneOutput = (event: TaskEvent): unknown => (event.type === 'WORK_DONE' ? event.output : undefined);
export const thrownError = (event: TaskEvent): unknown => (event.type === 'WORK_FAILED' ? event.error : undefined);

/** Shared by every context with nothing unmet (most of them), instead of a new empty array each. */
export const NO_UNMET: readonly UnmetConstraint[] = Object.freeze([]);
/** Constraints met, but no worker slot is free: the task waits in line (src/activation/worker-slots.ts). */
export const WAITING_FOR_SLOT: readonly UnmetConstraint[] = Object.freeze(['concurrency']);

export const outcomeOf = (value: unknown): Outcome => ({ ok: true, value });
export const cancelledError = (taskId: string, reason: CancelReason) => new TaskCancelledError(taskId, reason);
export const failureOf = (error: unknown): Outcome => ({ ok: false, error });

export const isDue = (context: TaskContext) =>
  context.work !== null && context.nextRunAt !== null && context.nextRunAt <= context.env.now();
/** Scheduled work may run as far as its conditions go: its constraints are met and the orchestrator is not paused. */
export const constraintsMet = (context: TaskContext) =>
  context.work === null || (!context.env.paused() && unmetConstraints(context.work.request.constraints, context.env.conditions()).length === 0);
/** Constraints met and a worker slot free (always, with no limits set). */
export const mayRun = (context: TaskContext) => constraintsMet(context) && context.env.slots.free(context.taskId);
export const hasAttemptsLeft = (context: TaskContext) =>
  context.work !== null && context.attempt < context.work.request.backoff.maxAttempts;
export const isPeriodic = (context: TaskContext) => context.work?.request.kind === 'periodic';
export const doneResult = (event: TaskEvent) => (event.type === 'WORK_DONE' ? event.result : undefined);
export const outOfAttempts = (context: TaskContext) =>
  context.work !== null && context.interrupted > 0 && context.attempt >= context.work.request.backoff.maxAttempts;
