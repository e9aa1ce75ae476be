import type { TaskRecord } from '../../src/core/schemas.js';
import { checkStoredRecord, type CheckedRecord } from './record-check.js';
import type { TaskRow } from './indexeddb-schema.js';

/** The row that stores `record`, with the index copies it needs. */
export function toRow(record: TaskRecord): TaskRow {
  const row: TaskRow = { key: record.taskId, record, status: record.status };
  if (record.held === null) row.due = record.dueAt;
  else row.heldKey = record.taskId;
  if (record.request.ephemeral) row.ephemeralKey = record.taskId;
  return row;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The record a stored row holds, or why it cannot be read. */
export function decodeRow(row: unknown): CheckedRecord {
  if (!isObject(row) || typeof row['key'] !== 'string') return { reason: 'unreadable: not an errand row' };
  const key = row['key'];
  const checked = checkStoredRecord(row['record'], key);
  if (!('record' in checked)) return checked;
  const expected = toRow(checked.record);
  if (row['status'] !== expected.status || row['due'] !== expected.due || row['heldKey'] !== expected.heldKey || row['ephemeralKey'] !== expected.ephemeralKey) {
    return { reason: 'invalid row: its indexed fields disagree with its record' };
  }
  return checked;
}
