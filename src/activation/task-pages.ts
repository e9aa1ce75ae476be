import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { StoreRead } from '../core/ports.js';
import { persistedStatusSchema, type PersistedStatus } from '../core/schemas.js';
import type { TaskSnapshot, TaskStatus } from '../core/types.js';
import { snapshotOfRecord } from '../persistence/task-records.js';

/** Which tasks `listTasks` returns, one page at a time, in TaskId order. */
export interface TaskQuery {
  /** Only TaskIds starting with this text (e.g. 'email.send/'). */
  prefix?: string;
  status?: TaskStatus;
  kind?: TaskSnapshot['kind'];
  /** The `next` of the previous page. */
  after?: string;
  /** Most tasks in the page; default 100, at most 10,000. */
  limit?: number;
}

export interface TaskPage {
  tasks: TaskSnapshot[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

export const taskQuerySchema = z
  .object({
    prefix: z.string().optional(),
    status: z.enum(['pending', 'constrained', 'running', 'backoff', 'cancelled', 'done']).optional(),
    kind: z.enum(['oneTime', 'periodic', 'instant']).optional(),
    after: z.string().optional(),
    limit: z.number().int().min(1).max(10_000).default(100),
  })
  .strict();

export type ParsedTaskQuery = z.output<typeof taskQuerySchema>;

export function parseTaskQuery(query: unknown): ParsedTaskQuery {
  const parsed = taskQuerySchema.safeParse(query ?? {});
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

/** The status filter as the store can apply it, or null when no stored record can match. */
export function storeStatusOf(query: ParsedTaskQuery): PersistedStatus | undefined | null {
  if (query.kind === 'instant') return null;
  if (query.status === undefined) return undefined;
  const status = persistedStatusSchema.safeParse(query.status);
  return status.success ? status.data : null;
}

function matches(task: TaskSnapshot, query: ParsedTaskQuery): boolean {
  return (
    (query.status === undefined || task.status === query.status) &&
    (query.kind === undefined || task.kind === query.kind) &&
    (query.prefix === undefined || task.taskId.startsWith(query.prefix)) &&
    (query.after === undefined || task.taskId > query.after)
  );
}

/**
 * One page from two sources: the store's records (a page in TaskId order) and what only this
 * process holds (active tasks, whose live view beats their record, and finished ones). When the
 * store page is full, nothing past its last TaskId is taken, so the next page starts there.
 */
export function mergePage(
  stored: StoreRead | null,
  inMemory: Iterable<TaskSnapshot>,
  query: ParsedTaskQuery,
): TaskPage {
  const byId = new Map<string, TaskSnapshot>();
  for (const record of stored?.records ?? []) byId.set(record.taskId, snapshotOfRecord(record));
  const storeRows = stored ? stored.records.length + stored.quarantined.length : 0;
  const storeFull = storeRows >= query.limit;
  const bound = storeFull ? stored?.records[stored.records.length - 1]?.taskId : undefined;
  for (const task of inMemory) {
    if (bound !== undefined && task.taskId > bound) continue;
    if (matches(task, query)) byId.set(task.taskId, task);
    else byId.delete(task.taskId); // its live state no longer matches what its record said
  }
  const tasks = [...byId.values()].filter((task) => matches(task, query));
  tasks.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
  const page = tasks.slice(0, query.limit);
  const more = tasks.length > query.limit || storeFull;
  return { tasks: page, next: more && page.length > 0 ? page[page.length - 1]!.taskId : null };
}
