import {
  ErrandError,
  NotStartedError,
  ResultUnavailableError,
  StoreOpenError,
  StoreWriteError,
  TaskCancelledError,
  ValidationError,
  WorkFailedError,
  type CancelReason,
} from '../core/errors.js';
import { z } from 'zod';
import type { Outcome, TaskSnapshot } from '../core/types.js';

/**
 * An error as it crosses to another context. Structured clone keeps an Error's name and message
 * but not its class or fields, and callers branch on both (`instanceof ValidationError`, `field`).
 */
export interface WireError {
  name: string;
  message: string;
  field?: string;
  taskId?: string;
  reason?: string;
  path?: string;
  cause?: WireError;
}

const stringField = (error: object, key: string): string | undefined => {
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
};

export function errorToWire(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const wire: WireError = { name: error.name, message: error.message };
  for (const key of ['field', 'taskId', 'reason', 'path'] as const) {
    const value = stringField(error, key);
    if (value !== undefined) wire[key] = value;
  }
  // A cause chain of any length would be cloned whole: the first few links say enough.
  if (error.cause !== undefined && depth < 4) wire.cause = errorToWire(error.cause, depth + 1);
  return wire;
}

const CANCEL_REASONS: readonly string[] = ['cancelled', 'preempted', 'shutdown'] satisfies CancelReason[];

/** The errand error class the wire form names, with its message exactly as it was thrown. */
export function errorFromWire(wire: WireError): Error {
  const cause = wire.cause ? errorFromWire(wire.cause) : undefined;
  const { taskId = '(unknown)', reason = '' } = wire;
  let error: Error;
  if (wire.name === 'ValidationError') error = new ValidationError(wire.field ?? '(root)', '');
  else if (wire.name === 'AbortError' && wire.taskId !== undefined && CANCEL_REASONS.includes(reason)) {
    error = new TaskCancelledError(taskId, reason as CancelReason);
  } else if (wire.name === 'WorkFailedError') error = new WorkFailedError(taskId, reason, cause);
  else if (wire.name === 'ResultUnavailableError') error = new ResultUnavailableError(taskId, '');
  else if (wire.name === 'StoreOpenError') error = new StoreOpenError(wire.path ?? '', '', cause);
  else if (wire.name === 'StoreWriteError') error = new StoreWriteError('', cause);
  else if (wire.name === 'NotStartedError') error = new NotStartedError('');
  else {
    error = wire.name === 'ErrandError' ? new ErrandError('') : new Error('', cause === undefined ? undefined : { cause });
    error.name = wire.name;
  }
  error.message = wire.message;
  return error;
}

/** A TaskSnapshot whose outcome error is in wire form. */
export type WireSnapshot = Omit<TaskSnapshot, 'outcome'> & { outcome: { ok: true; value: unknown } | { ok: false; error: WireError } | null };

export function snapshotToWire(snapshot: TaskSnapshot): WireSnapshot {
  const { outcome } = snapshot;
  return { ...snapshot, outcome: outcome === null || outcome.ok ? outcome : { ok: false, error: errorToWire(outcome.error) } };
}

export function snapshotFromWire(wire: WireSnapshot): TaskSnapshot {
  const { outcome } = wire;
  const revived: Outcome | null = outcome === null || outcome.ok ? outcome : { ok: false, error: errorFromWire(outcome.error) };
  return { ...wire, outcome: revived } as TaskSnapshot;
}

/** A snapshot from another context of the same app, built from its own machines: checked for shape only. */
export const wireSnapshotSchema = z.custom<WireSnapshot>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { taskId?: unknown }).taskId === 'string',
);
