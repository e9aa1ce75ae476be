import type { z } from 'zod';
import type { ScheduledWork, TaskInput, TaskMachineSnapshot } from '../../machines/task-machine.js';
import { ValidationError } from '../core/errors.js';
import { decodeInput } from '../core/input-codec.js';
import { TASK_RECORD_VERSION, type PersistedStatus, type TaskRecord, type TaskRequest } from '../core/schemas.js';
import type { TaskSnapshot } from '../core/types.js';
import type { TaskDefinition } from '../define-task.js';

const PERSISTED: ReadonlySet<string> = new Set(['pending', 'constrained', 'running', 'backoff']);
const NONE = Object.freeze([]) as readonly never[];

/** The record of a request as `schedule()` accepted it: pending, no attempts yet. */
export function newRecord(request: TaskRequest, input: string | null, now: number): TaskRecord {
  return {
    version: TASK_RECORD_VERSION,
    taskId: request.taskId,
    request,
    input,
    attempt: 0,
    interrupted: 0,
    runCount: 0,
    status: 'pending',
    dueAt: now + request.initialDelayMs,
    held: null,
    updatedAt: now,
  };
}

/**
 * The record a task actor's snapshot stands for, or null when the snapshot keeps nothing
 * (runNow only, or ended). Running and constrained work keeps the due time it had
 * (`previousDueAt`, or `now` when nothing was stored): it is due again after a crash.
 */
export function recordOf(snapshot: TaskMachineSnapshot, now: number, previousDueAt: number | undefined): TaskRecord | null {
  const status = snapshot.value;
  const { taskId, work, attempt, interrupted, runCount, nextRunAt } = snapshot.context;
  if (!work || !PERSISTED.has(status)) return null;
  return {
    version: TASK_RECORD_VERSION,
    taskId,
    request: work.request,
    input: work.inputText,
    attempt,
    interrupted,
    runCount,
    status: status as PersistedStatus,
    dueAt: nextRunAt ?? previousDueAt ?? now,
    held: null,
    updatedAt: now,
  };
}

/** True when writing `next` over `last` would change nothing the store keeps (updatedAt aside). */
export function sameRecord(last: TaskRecord | null, next: TaskRecord): boolean {
  return (
    last !== null &&
    last.request === next.request &&
    last.input === next.input &&
    last.status === next.status &&
    last.attempt === next.attempt &&
    last.interrupted === next.interrupted &&
    last.runCount === next.runCount &&
    last.dueAt === next.dueAt &&
    last.held === next.held
  );
}

/** A task's input through its schema (tasks without one take any input as is). */
export function parseInput(definition: TaskDefinition, input: unknown): z.ZodSafeParseResult<unknown> {
  return definition.input ? definition.input.safeParse(input) : { success: true, data: input };
}

/** The work a record asks for, decoded and parsed again: what the worker gets after a restart. */
export function workOf(record: TaskRecord, definition: TaskDefinition): ScheduledWork | { held: string } {
  let raw: unknown;
  try {
    raw = decodeInput(record.input);
  } catch (error) {
    return { held: `input cannot be decoded: ${error instanceof Error ? error.message : String(error)}` };
  }
  const input = parseInput(definition, raw);
  if (!input.success) {
    return { held: `input no longer matches the task's schema: ${ValidationError.fromZod(input.error, 'input').message}` };
  }
  return { request: record.request, inputText: record.input, input: input.data, run: definition.run };
}

/**
 * How an actor activated from `record` starts. A record saved while running was cut off by the
 * process ending: that attempt counts (it is interrupted), and the work is due again now.
 */
export function activationOf(record: TaskRecord, work: ScheduledWork, now: number): Omit<TaskInput, 'taskId' | 'env'> {
  const cutOff = record.status === 'running';
  return {
    work,
    attempt: record.attempt,
    interrupted: record.interrupted + (cutOff ? 1 : 0),
    runCount: record.runCount,
    nextRunAt: cutOff || record.status === 'constrained' ? Math.min(record.dueAt, now) : record.dueAt,
    resumeInBackoff: record.status === 'backoff',
  };
}

/** The public view of a dormant task: what its record says. */
export function snapshotOfRecord(record: TaskRecord): TaskSnapshot {
  const waiting = record.status === 'pending' || record.status === 'backoff';
  return {
    taskId: record.taskId,
    status: record.status,
    attempt: record.attempt,
    interrupted: record.interrupted,
    runCount: record.runCount,
    nextRunAt: waiting ? record.dueAt : null,
    progress: null,
    unmetConstraints: NONE,
    outcome: null,
    cancelReason: null,
    kind: record.request.kind,
  };
}
