import { taskRecordSchema, type TaskRecord } from '../../src/core/schemas.js';

/** What a store found under one key: the record it holds, or why it cannot be read. */
export type CheckedRecord = { record: TaskRecord } | { reason: string };

/**
 * Validates a stored record (the whole record, input included) found under `key`. Shared by the
 * stores that keep a stored form which can fail validation, so their quarantine reasons read alike.
 */
export function checkStoredRecord(candidate: unknown, key: string): CheckedRecord {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return { reason: 'unreadable: not an errand record' };
  const parsed = taskRecordSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    return { reason: `invalid record: ${path || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  const record = parsed.data;
  if (record.taskId !== key) return { reason: `invalid record: taskId ${record.taskId} does not match its key` };
  return { record };
}
