import type { ListQuery } from '../../src/core/ports.js';
import { listBounds } from './store-queries.js';
import type { TaskRecord } from '../../src/core/schemas.js';
import { checkStoredRecord } from './record-check.js';
import type { SqliteValue } from './sqlite-port.js';

/*
 * One record is one row of `errand_tasks`: the record as JSON in `data` (without its input), the
 * input text the core encoded in `input`, and the fields the queries order and filter by copied
 * into indexed columns. The JSON is the truth; a row whose columns disagree with it is quarantined.
 */

/** The columns every read selects, in this order. */
export const ROW_COLUMNS = 'key, data, input, due_at, status, held, ephemeral';

export interface TaskRow {
  key: string;
  data: unknown;
  input: unknown;
  due_at: unknown;
  status: unknown;
  held: unknown;
  ephemeral: unknown;
}

export const UPSERT_SQL =
  'INSERT INTO errand_tasks (key, data, input, due_at, status, held, ephemeral, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
  'ON CONFLICT(key) DO UPDATE SET data = excluded.data, input = excluded.input, due_at = excluded.due_at, ' +
  'status = excluded.status, held = excluded.held, ephemeral = excluded.ephemeral, updated_at = excluded.updated_at';

export const QUARANTINE_SQL = 'INSERT INTO errand_quarantine (key, data, input, reason, quarantined_at) VALUES (?, ?, ?, ?, ?)';

const SELECT = `SELECT ${ROW_COLUMNS} FROM errand_tasks`;

/** The reads of the store port; each is a range read of one index (test/sqlite-store.test.ts checks the plans). */
export const READ_SQL = {
  get: `${SELECT} WHERE key = ?`,
  dueFirst: `${SELECT} WHERE held IS NULL AND due_at <= ? ORDER BY due_at, key LIMIT ?`,
  dueAfter: `${SELECT} WHERE held IS NULL AND (due_at, key) > (?, ?) AND due_at <= ? ORDER BY due_at, key LIMIT ?`,
  // The upper bound keeps out hand-written rows whose due_at is not a number (SQLite sorts text after numbers).
  nextDue: 'SELECT due_at FROM errand_tasks WHERE held IS NULL AND due_at > ? AND due_at <= ? ORDER BY due_at LIMIT 1',
  held: `${SELECT} WHERE held IS NOT NULL ORDER BY key`,
  eraseEphemeral: 'DELETE FROM errand_tasks WHERE ephemeral <> 0',
} as const;

/** The SQL and parameters of one `list()` query (prefixes are TaskId characters: checked before). */
export function listSql(query: ListQuery): { sql: string; params: SqliteValue[] } {
  const { lower, lowerOpen, upper } = listBounds(query);
  const where: string[] = [];
  const params: SqliteValue[] = [];
  if (query.status !== undefined) {
    where.push('status = ?');
    params.push(query.status);
  }
  where.push(lowerOpen ? 'key > ?' : 'key >= ?');
  params.push(lower);
  if (upper !== null) {
    where.push('key < ?');
    params.push(upper);
  }
  params.push(query.limit);
  return { sql: `${SELECT} WHERE ${where.join(' AND ')} ORDER BY key LIMIT ?`, params };
}

/** The parameters of UPSERT_SQL for one record. */
export function rowParams(record: TaskRecord): SqliteValue[] {
  const { input, ...rest } = record;
  return [
    record.taskId,
    JSON.stringify(rest),
    input,
    record.dueAt,
    record.status,
    record.held,
    record.request.ephemeral ? 1 : 0,
    record.updatedAt,
  ];
}

/** A value read from SQLite, as SQLite can take it back. */
export function storable(data: unknown): SqliteValue {
  if (data === null || typeof data === 'string' || typeof data === 'number' || typeof data === 'bigint') return data;
  // Uint8Array, not Buffer: React Native has no Buffer (a Buffer is a Uint8Array).
  if (data instanceof Uint8Array) return data;
  return String(data);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(value: unknown): string {
  return value === null ? 'null' : value instanceof Uint8Array ? 'a blob' : typeof value;
}

/** The record a row holds, or why it cannot be read. */
export function decodeRow(row: TaskRow): { record: TaskRecord } | { reason: string } {
  if (typeof row.data !== 'string') return { reason: `unreadable: stored value is ${describe(row.data)}, not text` };
  if (row.input !== null && typeof row.input !== 'string') {
    return { reason: `unreadable: stored input is ${describe(row.input)}, not text` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(row.data);
  } catch (error) {
    return { reason: `unreadable: ${messageOf(error)}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { reason: 'unreadable: not an errand record' };
  const checked = checkStoredRecord({ ...doc, input: row.input }, row.key);
  if (!('record' in checked)) return checked;
  const { record } = checked;
  if (
    row.due_at !== record.dueAt ||
    row.status !== record.status ||
    row.held !== record.held ||
    row.ephemeral !== (record.request.ephemeral ? 1 : 0)
  ) {
    return { reason: 'invalid row: its indexed columns disagree with its record' };
  }
  return { record };
}
