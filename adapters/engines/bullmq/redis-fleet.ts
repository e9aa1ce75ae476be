// The BullMQ engine's backend needs on Redis: one MULTI of errand's own Lua guard, BullMQ's own
// removeJob and add scripts and the index update (nothing runs between them), intents in a field of the
// job hash, errand's TaskId index as a sorted set (lexicographic), and pub/sub for the side channel.
import { Job, Queue, Worker, type RedisQueueBackend } from 'bullmq';
import { Redis } from 'ioredis';
import { StoreOpenError } from '../../../src/core/errors.js';
import type { Fleet } from './fleet.js';
import { changedText, nudgeText, parseFleetMessage } from './fleet-messages.js';
import { INTENT_FIELD, JOB_OPTIONS, jobDataOf, parseIntent, type JobData } from './intents.js';
import { encodeJobId } from './job-ids.js';

/** Where Redis is; the engine opens its own connections (BullMQ's workers need `maxRetriesPerRequest: null`). */
export interface RedisConnection {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
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

const TAKE = 'errandTake';
// KEYS[1] the job hash; ARGV[1] new job data, or ''. Returns the intent left on it (or false) and clears it.
const TAKE_LUA = `
local intent = redis.call('HGET', KEYS[1], '${INTENT_FIELD}')
if intent then redis.call('HDEL', KEYS[1], '${INTENT_FIELD}') end
if ARGV[1] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'data', ARGV[1]) end
return intent`;

const FINISH = 'errandFinish';
// KEYS[1] the job hash, KEYS[2] errand's TaskId index; ARGV[1] the job data, ARGV[2] the TaskId.
const FINISH_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'data', ARGV[1]) end
redis.call('ZREM', KEYS[2], ARGV[2])
return 0`;

const READ = 'errandReadLive';
// KEYS[1] the job hash. Its data while the job is live: BullMQ stamps finishedOn when it completes or fails.
const READ_LUA = `
if redis.call('HEXISTS', KEYS[1], 'finishedOn') == 1 then return false end
return redis.call('HGET', KEYS[1], 'data')`;

const INDEX = 'errandIndex';
// KEYS[1] the job hash, KEYS[2] errand's TaskId index; ARGV[1] the TaskId. Run last in the MULTI:
// the index lists the TaskId exactly while it has a job (one round trip with the write it follows). An
// active job's entry is its holder's to remove when it ends (a mark here must not add it back after).
const INDEX_LUA = `
if redis.call('EXISTS', KEYS[1] .. ':lock') == 1 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('ZADD', KEYS[2], 0, ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 0`;

export interface RedisFleetOptions {
  connection: RedisConnection;
  queue: string;
  prefix: string;
  /** This process's id on the side channel. */
  self: string;
  openTimeoutMs: number;
}

export async function openRedisFleet(options: RedisFleetOptions): Promise<Fleet> {
  const { queue: name, prefix, self, openTimeoutMs } = options;
  const connection = { ...options.connection, maxRetriesPerRequest: null };
  const queue = new Queue<JobData>(name, { connection, prefix });
  const redis = new Redis(connection);
  const subscriber = new Redis(connection);
  const quiet = () => {};
  redis.on('error', quiet);
  subscriber.on('error', quiet);
  queue.on('error', quiet);
  const ready = Promise.all([queue.waitUntilReady(), redis.ping(), subscriber.ping()]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${openTimeoutMs} ms`)), openTimeoutMs)));
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    void queue.close().catch(quiet);
    throw new StoreOpenError(name, `Redis is not reachable (${error instanceof Error ? error.message : String(error)})`, error);
  } finally {
    clearTimeout(timer);
  }
  const backend = queue.getBackend() as RedisQueueBackend;
  const client = await backend.client;
  client.defineCommand(MARK, { numberOfKeys: 1, lua: MARK_LUA });
  client.defineCommand(TAKE, { numberOfKeys: 1, lua: TAKE_LUA });
  client.defineCommand(INDEX, { numberOfKeys: 2, lua: INDEX_LUA });
  client.defineCommand(READ, { numberOfKeys: 1, lua: READ_LUA });
  client.defineCommand(FINISH, { numberOfKeys: 2, lua: FINISH_LUA });
  const indexKey = `${prefix}:${name}:errand:ids`;
  const channel = `${prefix}:${name}:errand:fleet`;

  return {
    queue,

    async placeOrMark(entries) {
      if (entries.length === 0) return [];
      const tx = client.multi();
      const marks: number[] = [];
      let at = 0;
      for (const { taskId, intent, add } of entries) {
        const jobId = encodeJobId(taskId);
        marks.push(at);
        tx.runCommand(MARK, [queue.toKey(jobId), JSON.stringify(intent), intent.kind === 'cancel' ? '1' : '0']);
        void backend.execCommand(tx, 'removeJob', [queue.toKey(jobId), queue.toKey('repeat'), jobId, 0, queue.toKey('')]);
        if (add) {
          const now = Date.now();
          void new Job(queue, 'errand', add.data, { ...JOB_OPTIONS, timestamp: now, delay: Math.max(0, add.dueAt - now) }, jobId).addJob(tx);
        }
        tx.runCommand(INDEX, [queue.toKey(jobId), indexKey, taskId]);
        at += add ? 4 : 3;
      }
      const results = await tx.exec();
      if (!results) throw new Error('the MULTI was aborted');
      for (const [error] of results) if (error) throw error;
      return marks.map((i) => (results[i]?.[1] === 1 ? 'marked' : 'placed'));
    },

    async read(taskId) {
      const text: unknown = await client.runCommand(READ, [queue.toKey(encodeJobId(taskId))]);
      return typeof text === 'string' ? jobDataOf(text) : null;
    },

    async take(taskId, data) {
      const text: unknown = await client.runCommand(TAKE, [queue.toKey(encodeJobId(taskId)), data ? JSON.stringify(data) : '']);
      return parseIntent(typeof text === 'string' ? text : null);
    },

    async finish(taskId, data) {
      await client.runCommand(FINISH, [queue.toKey(encodeJobId(taskId)), indexKey, JSON.stringify(data), taskId]);
    },

    async indexed({ after, prefix: start, limit }) {
      const from = after !== undefined ? `(${after}` : start !== undefined ? `[${start}` : '-';
      const to = start !== undefined ? `[${start}\xff` : '+';
      return redis.zrangebylex(indexKey, from, to, 'LIMIT', 0, limit);
    },

    async unindex(taskId) {
      await redis.zrem(indexKey, taskId);
    },

    async nudge(taskId) {
      await redis.publish(channel, nudgeText(self, taskId));
    },

    async changed(snapshots) {
      await redis.publish(channel, changedText(self, snapshots));
    },

    async listen(listener, resumed) {
      subscriber.on('message', (from: string, text: string) => {
        if (from !== channel) return;
        const message = parseFleetMessage(text, self);
        if (message) listener(message);
      });
      await subscriber.subscribe(channel);
      // ioredis subscribes again on every reconnect; 'ready' after the first means the channel was lost.
      subscriber.on('ready', resumed);
    },

    async worker(processor, settings) {
      const worker = new Worker<JobData>(name, processor, {
        connection,
        prefix,
        concurrency: settings.concurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.stalledIntervalMs,
        // errand counts a run cut off by a dead worker (its record says running); BullMQ must not fail it for that.
        maxStalledCount: 1_000_000,
      });
      worker.on('error', quiet); // connection errors: ioredis reconnects, BullMQ retries
      await worker.waitUntilReady();
      return worker;
    },

    async close() {
      await queue.close();
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
    },
  };
}
