// errand on BullMQ: each TaskId is one job (its data errand's record), BullMQ's delayed set is the
// dormant work, a Worker hands this process the jobs that fell due, and the job stays active here for
// as long as its task actor is active. What BullMQ does not do (replace or cancel a job running in
// another process, end it as cancelled rather than failed-and-retried) goes through intents and nudges.
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { StoreOpenError, StoreWriteError } from '../../../src/core/errors.js';
import type { DispatchHost, Engine, ListQuery, StoreBatch, StoreOpenOptions, StoreRead } from '../../../src/core/ports.js';
import { taskRecordSchema, type TaskRecord } from '../../../src/core/schemas.js';
import type { TaskSnapshot } from '../../../src/core/types.js';
import { snapshotFromWire, snapshotToWire } from '../../../src/coordination/wire-errors.js';
import { FleetChannel } from './fleet-channel.js';
import { placeOrMark, takeIntent, type JobData } from './intents.js';
import { encodeJobId, tryDecodeJobId } from './job-ids.js';

/** Where Redis is; the engine opens its own connections (BullMQ's workers need `maxRetriesPerRequest: null`). */
export interface RedisConnection {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
}

export interface BullmqEngineOptions {
  connection: RedisConnection;
  /** The BullMQ queue that carries errand's work. */
  queue: string;
  /** BullMQ's key prefix. Default 'bull'. */
  prefix?: string;
  /** Jobs active in this process at once (its BullMQ Worker's concurrency). Default 50. */
  concurrency?: number;
  /** How long `start()` waits for Redis before failing with StoreOpenError. Default 5,000 ms. */
  openTimeoutMs?: number;
  /**
   * False for a process that only schedules, cancels and watches (an API server): it runs no BullMQ
   * Worker and is never handed work. Default true.
   */
  takesWork?: boolean;
  /**
   * How long a job stays locked to this process without the lock being renewed, and how often the
   * fleet checks for jobs whose process died (BullMQ's lockDuration and stalledInterval). A job cut off
   * by a dead process runs again elsewhere within about their sum. Defaults 30,000 ms each.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /**
   * A job this process may not take now (its constraints are not met by this process's platform, or
   * the TaskId is busy here) goes back to the queue for this long, for any process to take. Default 1,000 ms.
   */
  recheckMs?: number;
}

/** How a job held here ends, as its task actor gives it back. */
type End = { kind: 'dormant'; record: TaskRecord } | { kind: 'finished'; snapshot: TaskSnapshot } | { kind: 'handback' };

interface Lease {
  job: Job<JobData>;
  end(how: End): void;
}

const CANCELLED = 'errand: cancelled';
const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
const FAR = 365 * 24 * 60 * 60 * 1000;

export function bullmqEngine(options: BullmqEngineOptions): Engine & { readonly queueName: string } {
  const { queue: queueName, prefix = 'bull', concurrency = 50, openTimeoutMs = 5_000, takesWork = true, lockDurationMs = 30_000, stalledIntervalMs = 30_000, recheckMs = 1_000 } = options;
  const connection = { ...options.connection, maxRetriesPerRequest: null };
  const self = globalThis.crypto.randomUUID();
  const indexKey = `${prefix}:${queueName}:errand:ids`;
  const leases = new Map<string, Lease>();
  let queue: Queue | null = null;
  let redis: Redis | null = null;
  let subscriber: Redis | null = null;
  let channel: FleetChannel | null = null;
  let worker: Worker<JobData> | null = null;
  let host: DispatchHost | null = null;

  const opened = (): { queue: Queue; redis: Redis; channel: FleetChannel } => {
    if (!queue || !redis || !channel) throw new StoreWriteError(`bullmq engine ${queueName} is not open: call start() first`);
    return { queue, redis, channel };
  };

  const recordOf = (job: Job<JobData> | undefined): TaskRecord | null => {
    const parsed = taskRecordSchema.safeParse(job?.data?.record);
    return parsed.success ? parsed.data : null;
  };

  async function liveRecord(taskId: string): Promise<TaskRecord | null> {
    const { queue: q } = opened();
    const job = (await q.getJob(encodeJobId(taskId))) as Job<JobData> | undefined;
    if (!job || !LIVE_STATES.has(await job.getState())) return null;
    return recordOf(job);
  }

  async function put(record: TaskRecord): Promise<void> {
    const { queue: q, channel: c } = opened();
    const jobId = encodeJobId(record.taskId);
    const lease = leases.get(record.taskId);
    if (lease) {
      await lease.job.updateData({ record });
      return;
    }
    const index = { key: indexKey, taskId: record.taskId };
    const placed = await placeOrMark(q, index, jobId, { kind: 'adopt', record }, { data: { record }, delay: Math.max(0, record.dueAt - Date.now()) });
    if (placed === 'marked') await c.nudge(record.taskId);
  }

  async function remove(taskId: string): Promise<void> {
    if (leases.has(taskId)) return; // ended here: `finished` ends the job
    const { queue: q, channel: c } = opened();
    const placed = await placeOrMark(q, { key: indexKey, taskId }, encodeJobId(taskId), { kind: 'cancel', reason: 'cancelled' }, null);
    if (placed === 'marked') await c.nudge(taskId);
  }

  /** Another process left an intent on a job held here. */
  async function heed(taskId: string): Promise<void> {
    const lease = leases.get(taskId);
    if (!lease || !host || !queue) return;
    const intent = await takeIntent(queue, encodeJobId(taskId));
    if (!intent) return;
    if (intent.kind === 'cancel') host.cancel(taskId, intent.reason);
    else host.adopt(intent.record);
  }

  async function process(job: Job<JobData>, token?: string): Promise<unknown> {
    const taskId = job.id === undefined ? undefined : tryDecodeJobId(job.id);
    const q = queue;
    if (taskId === undefined || !q || !host) throw new UnrecoverableError('errand: not a job errand wrote');
    let record = recordOf(job);
    const intent = await takeIntent(q, job.id!);
    if (intent?.kind === 'cancel') throw new UnrecoverableError(CANCELLED);
    if (intent?.kind === 'adopt') {
      record = intent.record;
      await job.updateData({ record });
    }
    if (!record) throw new UnrecoverableError('errand: the job holds no errand record');
    const ended = new Promise<End>((resolve) => leases.set(taskId, { job, end: resolve }));
    const activation = host.activate(record);
    if (activation !== 'activated') {
      leases.delete(taskId);
      // Not runnable by errand (held): out of the way; busy here, or not allowed by this process's conditions: back soon, for any process.
      await job.moveToDelayed(Date.now() + (activation === 'held' ? FAR : recheckMs), token);
      throw new DelayedError();
    }
    const end = await ended;
    leases.delete(taskId);
    if (end.kind === 'dormant') {
      await job.updateData({ record: end.record });
      await job.moveToDelayed(end.record.dueAt, token);
      throw new DelayedError();
    }
    if (end.kind === 'handback') {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    await redis?.zrem(indexKey, taskId);
    const { snapshot } = end;
    await job.updateData({ record: job.data.record, final: snapshotToWire(snapshot) });
    if (snapshot.status === 'cancelled') throw new UnrecoverableError(CANCELLED);
    if (snapshot.outcome && !snapshot.outcome.ok) {
      const error = snapshot.outcome.error;
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    return snapshot.outcome?.ok ? snapshot.outcome.value : null;
  }

  const store = {
    async open(openOptions?: StoreOpenOptions): Promise<void> {
      if (queue) return;
      const q = new Queue(queueName, { connection, prefix });
      const r = new Redis(connection);
      const s = new Redis(connection);
      const ready = Promise.all([q.waitUntilReady(), r.ping(), s.ping()]);
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${openTimeoutMs} ms`)), openTimeoutMs).unref?.());
      try {
        await Promise.race([ready, timeout]);
      } catch (error) {
        await Promise.allSettled([q.close(), r.quit(), s.quit()]);
        r.disconnect();
        s.disconnect();
        throw new StoreOpenError(queueName, `Redis is not reachable (${error instanceof Error ? error.message : String(error)})`, error);
      }
      queue = q;
      redis = r;
      subscriber = s;
      channel = new FleetChannel(r, `${prefix}:${queueName}:errand:fleet`, self);
      await channel.listen(s, (message) => {
        if (message.kind === 'nudge') void heed(message.taskId).catch(() => {});
        else host?.changed(message.snapshot);
      });
      // A fleet (re)starting with no worker alive sweeps its ephemeral work, as a new process does.
      if (!openOptions?.keepEphemeral && (await q.getWorkersCount()) === 0) {
        for (const taskId of await r.zrange(indexKey, 0, -1)) {
          const record = await liveRecord(taskId);
          if (record?.request.ephemeral) await remove(taskId);
        }
      }
    },

    async write(batch: StoreBatch): Promise<void> {
      try {
        for (const taskId of batch.delete) await remove(taskId);
        for (const record of batch.put) await put(record);
      } catch (error) {
        if (error instanceof StoreWriteError) throw error;
        throw new StoreWriteError(`bullmq engine ${queueName}: a write failed`, error);
      }
    },

    async get(taskId: string): Promise<StoreRead> {
      const record = await liveRecord(taskId);
      return { records: record ? [record] : [], quarantined: [] };
    },

    // Due work is BullMQ's to hand out (the Worker); the orchestrator does not scan for it under an engine.
    async due(): Promise<StoreRead> {
      return { records: [], quarantined: [] };
    },
    async nextDueAt(): Promise<number | null> {
      return null;
    },
    async held(): Promise<StoreRead> {
      return { records: [], quarantined: [] };
    },

    async list(query: ListQuery): Promise<StoreRead> {
      const { redis: r } = opened();
      const records: TaskRecord[] = [];
      let from = query.after !== undefined ? `(${query.after}` : query.prefix !== undefined ? `[${query.prefix}` : '-';
      const to = query.prefix !== undefined ? `[${query.prefix}\xff` : '+';
      for (;;) {
        const ids = await r.zrangebylex(indexKey, from, to, 'LIMIT', 0, Math.max(query.limit, 100));
        for (const taskId of ids) {
          if (query.prefix !== undefined && !taskId.startsWith(query.prefix)) continue;
          const record = await liveRecord(taskId);
          if (!record) {
            await r.zrem(indexKey, taskId); // its job ended or was removed: the index catches up
            continue;
          }
          if (query.status === undefined || record.status === query.status) records.push(record);
          if (records.length >= query.limit) return { records, quarantined: [] };
        }
        const last = ids[ids.length - 1];
        if (last === undefined || ids.length < Math.max(query.limit, 100)) return { records, quarantined: [] };
        from = `(${last}`;
      }
    },

    async close(): Promise<void> {
      for (const lease of leases.values()) lease.end({ kind: 'handback' });
      await worker?.close();
      worker = null;
      host = null;
      await queue?.close();
      await Promise.allSettled([redis?.quit(), subscriber?.quit()]);
      queue = redis = subscriber = channel = null;
    },
  };

  return {
    queueName,
    store,
    dispatch: {
      async start(given: DispatchHost): Promise<void> {
        host = given;
        if (!takesWork) return;
        const w = new Worker<JobData>(queueName, process, {
          connection,
          prefix,
          concurrency,
          lockDuration: lockDurationMs,
          stalledInterval: stalledIntervalMs,
          // errand counts a run cut off by a dead worker (its record says running); BullMQ must not fail it for that.
          maxStalledCount: 1_000_000,
        });
        w.on('error', () => {}); // connection errors: ioredis reconnects, BullMQ retries
        worker = w;
        await w.waitUntilReady();
      },
      dormant(record: TaskRecord): void {
        leases.get(record.taskId)?.end({ kind: 'dormant', record });
      },
      finished(snapshot: TaskSnapshot): void {
        const lease = leases.get(snapshot.taskId);
        if (!lease) return;
        lease.end({ kind: 'finished', snapshot });
        void channel?.changed(snapshot).catch(() => {});
      },
      async lastEnd(taskId: string): Promise<TaskSnapshot | undefined> {
        if (!queue) return undefined;
        const job = (await queue.getJob(encodeJobId(taskId))) as Job<JobData> | undefined;
        const final = job?.data?.final;
        if (!job || !final || !['completed', 'failed'].includes(await job.getState())) return undefined;
        return snapshotFromWire(final);
      },
      claim(taskId: string): void {
        if (!queue || !channel) return;
        const c = channel;
        void placeOrMark(queue, { key: indexKey, taskId }, encodeJobId(taskId), { kind: 'cancel', reason: 'preempted' }, null)
          .then((placed) => (placed === 'marked' ? c.nudge(taskId) : undefined))
          .catch(() => {});
      },
    },
  };
}
