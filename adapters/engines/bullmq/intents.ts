// What one process asks of the process holding an active job (an intent, left with the job, where that
// process finds it even if the nudge reached it before its processor started), and errand's job data.
import { z } from 'zod';
import { taskRecordSchema, type TaskRecord } from '../../../src/core/schemas.js';
import type { WireSnapshot } from '../../../src/coordination/wire-errors.js';

/** What a process asks of the one holding an active job. */
export type Intent = { kind: 'adopt'; record: TaskRecord } | { kind: 'cancel'; reason: 'cancelled' | 'preempted' };

export const INTENT_FIELD = 'errandIntent';

const intentSchema = z.union([
  z.object({ kind: z.literal('adopt'), record: taskRecordSchema }),
  z.object({ kind: z.literal('cancel'), reason: z.enum(['cancelled', 'preempted']) }),
]);

export function parseIntent(text: string | null): Intent | null {
  if (text === null) return null;
  try {
    const parsed = intentSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The job data errand writes: its own record, as the store would keep it. */
export interface JobData {
  record: TaskRecord;
  /** Once the work ended: how, as the process that ran it saw it (kept with the finished job). */
  final?: WireSnapshot;
}

const jobDataSchema = z.object({ record: taskRecordSchema }).loose();

/** Job data as stored (JSON text on Redis, jsonb on PostgreSQL), if it is errand's. */
export function jobDataOf(stored: unknown): JobData | null {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      return null;
    }
  }
  const parsed = jobDataSchema.safeParse(value);
  return parsed.success ? { record: parsed.data.record } : null;
}

/** How errand adds a job: BullMQ never retries it (errand's machine does); finished jobs are kept a while (getTask, result(), bull-board). */
export const JOB_OPTIONS = { attempts: 1, removeOnComplete: { count: 10_000 }, removeOnFail: { count: 10_000 } } as const;

export type Placed = 'placed' | 'marked';
