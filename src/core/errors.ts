import type { z } from 'zod';

/** Base class of every error errand throws on its own account. */
export class ErrandError extends Error {
  override name = 'ErrandError';
}

/** Bad input to a public call. `field` is the dotted path of the first offending field. */
export class ValidationError extends ErrandError {
  override name = 'ValidationError';
  constructor(
    readonly field: string,
    message: string,
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(`${field}: ${message}`);
  }

  /** The first issue's field; an unknown key is named itself (`backoff.retries`), not the object holding it. */
  static fromZod(error: z.ZodError, prefix = ''): ValidationError {
    const first = error.issues[0];
    const segments = (first?.path ?? []).map(String);
    // Zod puts an unknown key's issue on the object; the caller needs the key (the first, if several).
    if (first?.code === 'unrecognized_keys' && first.keys[0] !== undefined) segments.push(first.keys[0]);
    const path = [prefix, ...segments].filter(Boolean).join('.');
    return new ValidationError(path || '(root)', first?.message ?? 'invalid', error.issues);
  }
}

/** `runNow` (or anything that needs the ready gate open) was called before `start()`. */
export class NotStartedError extends ErrandError {
  override name = 'NotStartedError';
  constructor(operation: string) {
    super(`${operation} called before orchestrator.start()`);
  }
}

/** `register` was called after `start()`: the set of tasks is fixed once stored work is restored. */
export class AlreadyStartedError extends ErrandError {
  override name = 'AlreadyStartedError';
  constructor(operation: string) {
    super(`${operation} called after orchestrator.start()`);
  }
}

export type CancelReason = 'cancelled' | 'preempted' | 'shutdown';

/**
 * Rejects the caller of cancelled or pre-empted work. Named `AbortError` so code that
 * already ignores `fetch` aborts (`err.name === 'AbortError'`) ignores these too.
 */
export class TaskCancelledError extends ErrandError {
  override name = 'AbortError';
  constructor(
    readonly taskId: string,
    readonly reason: CancelReason,
  ) {
    super(`task ${taskId} ${reason === 'preempted' ? 'was pre-empted by a newer runNow' : `was ${reason === 'shutdown' ? 'stopped by shutdown' : 'cancelled'}`}`);
  }
}

/** The outcome error of scheduled work that ended without success (WorkResult.failure or attempts exhausted). */
export class WorkFailedError extends ErrandError {
  override name = 'WorkFailedError';
  constructor(
    readonly taskId: string,
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super(`task ${taskId} failed: ${reason}`);
  }
}

/**
 * `result()` was asked of a TaskId with nothing to wait for: no work is active or stored for it,
 * and how it last ended is no longer retained (only the last `retainFinished` finished tasks are).
 */
export class ResultUnavailableError extends ErrandError {
  override name = 'ResultUnavailableError';
  constructor(
    readonly taskId: string,
    reason: string,
  ) {
    super(`no result for task ${taskId}: ${reason}`);
  }
}

/** A store could not be opened: the file is not a database, is unreadable, or has a newer schema. */
export class StoreOpenError extends ErrandError {
  override name = 'StoreOpenError';
  constructor(
    readonly path: string,
    reason: string,
    override readonly cause?: unknown,
  ) {
    super(`cannot open errand store at ${path}: ${reason}`);
  }
}

/**
 * A store write failed (disk full, a closed store, a driver error): the calls whose writes were
 * in that batch are refused, and none of their work is live. `cause` is the store's own error.
 */
export class StoreWriteError extends ErrandError {
  override name = 'StoreWriteError';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** A platform adapter threw where errand called it (`current`, `subscribe`, or its unsubscribe). */
export class PlatformError extends ErrandError {
  override name = 'PlatformError';
  constructor(
    readonly operation: 'current' | 'subscribe' | 'unsubscribe',
    override readonly cause?: unknown,
  ) {
    super(`platform ${operation}() failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
