import type { DueCursor, ListQuery } from '../../src/core/ports.js';
import { listBounds } from './store-queries.js';

/*
 * The key ranges of the port's reads. Index keys are [field, TaskId]; IndexedDB sorts every array
 * after every string, so `[x, []]` sits just past all keys `[x, <any TaskId>]`, and it compares
 * strings by UTF-16 code units, as JavaScript's `<` does. null: the range is empty (IDBKeyRange
 * refuses a lower bound past its upper one).
 */

const PAST = [] as const;

/** The `due` index keys after `after` (strictly), up to `until` (inclusive). */
export function dueRange(after: DueCursor | null, until: number): IDBKeyRange | null {
  if (after === null) return IDBKeyRange.upperBound([until, PAST]);
  if (after.dueAt > until) return null;
  return IDBKeyRange.bound([after.dueAt, after.taskId], [until, PAST], true, false);
}

/** The `due` index keys with a numeric due time strictly after `after` (a hand-written non-number sorts after numbers). */
export function laterRange(after: number): IDBKeyRange | null {
  if (after === Number.POSITIVE_INFINITY) return null;
  return IDBKeyRange.bound([after, PAST], [Number.POSITIVE_INFINITY, PAST], true, false);
}

/** The TaskIds a `list()` query reads, as a range of the primary key or, with a status, of the `status` index. */
export function listRange(query: ListQuery): IDBKeyRange | null {
  const { lower, lowerOpen, upper } = listBounds(query);
  if (upper !== null && lower >= upper) return null;
  if (query.status === undefined) return upper === null ? IDBKeyRange.lowerBound(lower, lowerOpen) : IDBKeyRange.bound(lower, upper, lowerOpen, true);
  return IDBKeyRange.bound([query.status, lower], upper === null ? [query.status, PAST] : [query.status, upper], lowerOpen, true);
}
