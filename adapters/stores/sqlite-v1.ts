import { deserialize, type SuperJSONResult } from 'superjson';
import { z } from 'zod';
import {
  persistedStatusSchema,
  taskIdSchema,
  taskRecordSchema,
  taskRequestSchema,
  TASK_RECORD_VERSION,
  type TaskRecord,
} from '../../src/core/schemas.js';
import type { SqliteDatabase } from './sqlite-port.js';
import { QUARANTINE_V2, TASKS_V2 } from './sqlite-ddl.js';
import { QUARANTINE_SQL, rowParams, storable, UPSERT_SQL } from './sqlite-rows.js';

/*
 * Schema version 1 (errand before the store-first core): `errand_tasks(key, data, updated_at)`,
 * `data` = `{"record": <v1 record without request.input>, "input": <superjson payload>}`, "input"
 * left out when there was none.
 */

/** The v1 record, as v1 wrote it (its request without input is a v2 request). */
const v1RecordSchema = z
  .object({
    version: z.literal(1),
    taskId: taskIdSchema,
    request: taskRequestSchema,
    attempt: z.number().int().min(0),
    nextRunAt: z.number().nullable(),
    status: persistedStatusSchema,
    updatedAt: z.number(),
  })
  .strict();

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A v1 row as a v2 record, or why it cannot be (v1's own reasons: v1 would have quarantined it too). */
export function convertV1Row(key: string, data: unknown): { record: TaskRecord } | { reason: string } {
  if (typeof data !== 'string') return { reason: `unreadable: stored value is ${Buffer.isBuffer(data) ? 'a blob' : typeof data}, not text` };
  let doc: unknown;
  try {
    doc = JSON.parse(data);
  } catch (error) {
    return { reason: `unreadable: ${messageOf(error)}` };
  }
  if (!isObject(doc) || !isObject(doc.record)) return { reason: 'unreadable: not an errand record' };
  let input: string | null = null;
  if ('input' in doc) {
    const payload = doc.input;
    if (!isObject(payload) || !('json' in payload)) return { reason: 'unreadable: input is not a superjson payload' };
    try {
      // Only to refuse what v1 could not have read back: the text is kept as it was.
      deserialize(payload as unknown as SuperJSONResult);
    } catch (error) {
      return { reason: `unreadable input: ${messageOf(error)}` };
    }
    input = JSON.stringify(payload);
  }
  const v1 = v1RecordSchema.safeParse(doc.record);
  if (!v1.success) {
    const issue = v1.error.issues[0];
    return { reason: `invalid record: ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  const { taskId, request, attempt, nextRunAt, status, updatedAt } = v1.data;
  if (taskId !== key) return { reason: `invalid record: taskId ${taskId} does not match its key` };
  const v2 = taskRecordSchema.safeParse({
    version: TASK_RECORD_VERSION,
    taskId,
    request,
    input,
    attempt,
    interrupted: 0,
    runCount: 0,
    status,
    // v1 kept no due time for running and constrained work: it fell due when last saved.
    dueAt: nextRunAt ?? updatedAt,
    held: null,
    updatedAt,
  });
  if (!v2.success) return { reason: `cannot convert: ${v2.error.issues[0]?.message ?? 'invalid'}` };
  return { record: v2.data };
}

const PAGE = 1_000;

/**
 * Rewrites a v1 file as v2, inside the caller's transaction: every good row becomes a v2 row, every
 * bad one goes to the quarantine as it was found. Read in pages by rowid, so a big file is never in
 * memory at once.
 */
export function migrateFromV1(db: SqliteDatabase): void {
  db.exec('ALTER TABLE errand_tasks RENAME TO errand_tasks_v1');
  db.exec(TASKS_V2);
  const hasQuarantine = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'errand_quarantine'").get();
  db.exec(hasQuarantine ? 'ALTER TABLE errand_quarantine ADD COLUMN input' : QUARANTINE_V2);
  const page = db.prepare<{ id: number; key: string; data: unknown }>(
    'SELECT rowid AS id, key, data FROM errand_tasks_v1 WHERE rowid > ? ORDER BY rowid LIMIT ?',
  );
  const upsert = db.prepare(UPSERT_SQL);
  const quarantine = db.prepare(QUARANTINE_SQL);
  const now = Date.now();
  for (let after = 0; ; ) {
    const rows = page.all(after, PAGE);
    const last = rows.at(-1);
    if (last === undefined) break;
    for (const row of rows) {
      const converted = convertV1Row(row.key, row.data);
      if ('record' in converted) upsert.run(...rowParams(converted.record));
      else quarantine.run(row.key, storable(row.data), null, `schema v1 row: ${converted.reason}`, now);
    }
    after = last.id;
  }
  db.exec('DROP TABLE errand_tasks_v1');
}
