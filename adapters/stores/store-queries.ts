import { z } from 'zod';
import { ValidationError } from '../../src/core/errors.js';
import type { DueCursor, DueQuery, ListQuery, StoreBatch } from '../../src/core/ports.js';
import { persistedStatusSchema, type TaskRecord } from '../../src/core/schemas.js';

/*
 * The queries every store accepts, checked the same way by each: a NaN limit or a cursor without a
 * TaskId would otherwise read nothing (or everything) without a word, differently in each store.
 */

const limit = z.number().int().min(0);
/** Any number but NaN: `until: Infinity` (everything due) is a fair question, NaN compares false with everything. */
const instant = z.custom<number>((v) => typeof v === 'number' && !Number.isNaN(v), 'must be a number (not NaN)');

const dueQuerySchema = z
  .object({
    after: z.object({ dueAt: instant, taskId: z.string() }).nullable(),
    until: instant,
    limit,
  })
  .strict();

const listQuerySchema = z
  .object({
    after: z.string().optional(),
    // TaskId characters only (all ASCII): a prefix with others matches no TaskId, and ASCII makes
    // JavaScript's string order and SQLite's byte order the same.
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9._\-/]*$/, 'must use only the characters of a TaskId')
      .optional(),
    status: persistedStatusSchema.optional(),
    limit,
  })
  .strict();

const STATUSES: ReadonlySet<unknown> = new Set(persistedStatusSchema.options);
/**
 * The fields of each record that a store indexes, checked for the whole batch before anything
 * changes: no full validation on the hot path (the orchestrator builds records from validated
 * parts), but a record no index can place is refused rather than half applied or kept to be
 * quarantined later.
 */
export function checkBatch(batch: StoreBatch): void {
  if (!Array.isArray(batch.put)) throw new ValidationError('put', 'must be an array of records');
  if (!Array.isArray(batch.delete)) throw new ValidationError('delete', 'must be an array of TaskIds');
  batch.delete.forEach((taskId, i) => {
    if (typeof taskId !== 'string') throw new ValidationError(`delete.${i}`, 'must be a TaskId');
  });
  batch.put.forEach((record: Partial<TaskRecord> | null, i) => {
    const field = (name: string, message: string) => new ValidationError(`put.${i}${name}`, message);
    if (typeof record !== 'object' || record === null) throw field('', 'must be a record');
    if (typeof record.taskId !== 'string') throw field('.taskId', 'must be a TaskId');
    if (typeof record.dueAt !== 'number' || Number.isNaN(record.dueAt)) throw field('.dueAt', 'must be a number');
    if (!STATUSES.has(record.status)) throw field('.status', 'must be a stored status');
    if (record.held !== null && typeof record.held !== 'string') throw field('.held', 'must be a string or null');
    if (typeof record.request !== 'object' || record.request === null) throw field('.request', 'must be a request');
  });
}

export function checkDueQuery(query: DueQuery): DueQuery {
  const parsed = dueQuerySchema.safeParse(query);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return query;
}

export function checkListQuery(query: ListQuery): ListQuery {
  const parsed = listQuerySchema.safeParse(query);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return query;
}

export function checkTaskId(taskId: string): string {
  if (typeof taskId !== 'string') throw new ValidationError('taskId', 'must be a string');
  return taskId;
}

export function checkInstant(field: string, value: number): number {
  const parsed = instant.safeParse(value);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, field);
  return value;
}

/** TaskId order: JavaScript's `<` on strings (UTF-16 code units; for ASCII TaskIds, SQLite's BINARY order too). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Due order: by `dueAt`, then by TaskId. */
export function compareDue(a: DueCursor, b: DueCursor): number {
  return a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : compareIds(a.taskId, b.taskId);
}

/** The TaskId range one `list()` query reads: from `lower` (exclusive when `lowerOpen`) up to `upper` (exclusive; null: no end). */
export interface ListBounds {
  lower: string;
  lowerOpen: boolean;
  upper: string | null;
}

/** The key range of a `list()` query (prefixes are TaskId characters: checked before). */
export function listBounds({ after, prefix = '' }: Pick<ListQuery, 'after' | 'prefix'>): ListBounds {
  // From the prefix, or from just past `after` when that is further on; up to the first key past the prefix.
  const lowerOpen = after !== undefined && after >= prefix;
  // All ASCII, so the first string past every one that starts with the prefix is its last character plus one.
  const upper = prefix === '' ? null : prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return { lower: lowerOpen ? after : prefix, lowerOpen, upper };
}
