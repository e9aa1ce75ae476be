// Writes that must reach a job wherever it is: atomically replace a job that is not running, or leave
// an intent on the job hash when it is (its lock exists), where the process holding it finds it even
// if the pub/sub nudge reached it before its processor started.
import { Job, type Queue, type RedisQueueBackend } from 'bullmq';
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

const MARK = 'errandMarkIfActive';
// KEYS[1] the job hash; ARGV[1] the intent; ARGV[2] '1' to keep an intent already there (a cancel
// after a runNow's claim must not turn 'preempted' into 'cancelled'). Returns 1 when the job is active.
const MARK_LUA = `
if redis.call('EXISTS', KEYS[1] .. ':lock') == 1 then
  if ARGV[2] == '1' then
    redis.call('HSETNX', KEYS[1], '${INTENT_FIELD}', ARGV[1])
  else
    redis.call('HSET', KEYS[1], '${INTENT_FIELD}', ARGV[1])
  end
  return 1
end
return 0`;

const TAKE = 'errandTakeIntent';
// KEYS[1] the job hash. Returns the intent left on it (or false) and clears it.
const TAKE_LUA = `
local intent = redis.call('HGET', KEYS[1], '${INTENT_FIELD}')
if intent then redis.call('HDEL', KEYS[1], '${INTENT_FIELD}') end
return intent`;

const INDEX = 'errandIndex';
// KEYS[1] the job hash, KEYS[2] errand's TaskId index; ARGV[1] the TaskId. Run last in the MULTI:
// the index lists the TaskId exactly while it has a job (one round trip with the write it follows).
const INDEX_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('ZADD', KEYS[2], 0, ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 0`;

const defined = new WeakSet<object>();

async function clientOf(queue: Queue) {
  const backend = queue.getBackend() as RedisQueueBackend;
  const client = await backend.client;
  if (!defined.has(client)) {
    client.defineCommand(MARK, { numberOfKeys: 1, lua: MARK_LUA });
    client.defineCommand(TAKE, { numberOfKeys: 1, lua: TAKE_LUA });
    client.defineCommand(INDEX, { numberOfKeys: 2, lua: INDEX_LUA });
    defined.add(client);
  }
  return { backend, client };
}

export type Placed = 'placed' | 'marked';

/** How errand adds a job: BullMQ never retries it (errand's machine does); finished jobs are kept a while (getTask, result(), bull-board). */
export const JOB_OPTIONS = { attempts: 1, removeOnComplete: { count: 10_000 }, removeOnFail: { count: 10_000 } } as const;

/**
 * One MULTI, so no other client runs between its steps: if the job is active, leave `intent` on it;
 * otherwise BullMQ's own removeJob (a no-op for a locked job) and, with `add`, the new job in its place.
 */
export async function placeOrMark(
  queue: Queue,
  index: { key: string; taskId: string },
  jobId: string,
  intent: Intent,
  add: { data: JobData; delay: number } | null,
): Promise<Placed> {
  const { backend, client } = await clientOf(queue);
  const tx = client.multi();
  tx.runCommand(MARK, [queue.toKey(jobId), JSON.stringify(intent), intent.kind === 'cancel' ? '1' : '0']);
  void backend.execCommand(tx, 'removeJob', [queue.toKey(jobId), queue.toKey('repeat'), jobId, 0, queue.toKey('')]);
  if (add) void new Job(queue, 'errand', add.data, { ...JOB_OPTIONS, delay: add.delay }, jobId).addJob(tx);
  tx.runCommand(INDEX, [queue.toKey(jobId), index.key, index.taskId]);
  const results = await tx.exec();
  if (!results) throw new Error('the MULTI was aborted');
  for (const [error] of results) if (error) throw error;
  return results[0]?.[1] === 1 ? 'marked' : 'placed';
}

/** Takes the intent left on a job (and clears it), for the process that now holds it. */
export async function takeIntent(queue: Queue, jobId: string): Promise<Intent | null> {
  const { client } = await clientOf(queue);
  const text: unknown = await client.runCommand(TAKE, [queue.toKey(jobId)]);
  return parseIntent(typeof text === 'string' ? text : null);
}
