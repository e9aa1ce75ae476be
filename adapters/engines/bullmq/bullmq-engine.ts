// errand on BullMQ: each TaskId is one job (its data errand's record), BullMQ's delayed set is the
// dormant work, a Worker hands this process the jobs that fell due, and the job stays active here for
// as long as its task actor is active. What BullMQ does not do (replace or cancel a job running in
// another process, end it as cancelled rather than failed-and-retried) goes through intents and nudges,
// which each backend provides (redis-fleet.ts, postgres-fleet.ts).
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { StoreWriteError } from '../../../src/core/errors.js';
import type { DispatchHost, Engine, ListQuery, StoreBatch, StoreOpenOptions, StoreRead } from '../../../src/core/ports.js';
import { taskRecordSchema, type TaskRecord } from '../../../src/core/schemas.js';
import type { TaskSnapshot } from '../../../src/core/types.js';
import { snapshotFromWire, snapshotToWire } from '../../../src/coordination/wire-errors.js';
import { sameRecord, snapshotOfRecord } from '../../../src/persistence/task-records.js';
import type { Fleet, PlaceEntry } from './fleet.js';
import type { Intent, JobData } from './intents.js';
import { encodeJobId, tryDecodeJobId } from './job-ids.js';
import { openPostgresFleet, type PostgresConnection } from './postgres-fleet.js';
import { openRedisFleet, type RedisConnection } from './redis-fleet.js';

interface CommonOptions {
  /** The BullMQ queue that carries errand's work. */
  queue: string;
  /** Jobs active in this process at once (its BullMQ Worker's concurrency). Default 50. */
  concurrency?: number;
  /** How long `start()` waits for the backend before failing with StoreOpenError. Default 5,000 ms. */
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

export type BullmqEngineOptions = CommonOptions &
  (
    | {
        /** BullMQ on Redis (the default). */
        backend?: 'redis';
        connection: RedisConnection;
        /** BullMQ's key prefix. Default 'bull'. */
        prefix?: string;
      }
    | {
        /** BullMQ 6's PostgreSQL backend (its tables in `connection.schema`, migrated on open). */
        backend: 'postgres';
        connection: PostgresConnection;
      }
  );

/** How a job held here ends, as its task actor gives it back. */
type End = { kind: 'dormant'; record: TaskRecord } | { kind: 'finished'; snapshot: TaskSnapshot } | { kind: 'handback' };

interface Lease {
  job: Job<JobData>;
  end(how: End): void;
  /** The task's actor is active here: an intent taken from now on goes to it at once. */
  activated: boolean;
  /** An intent a nudge took before the actor was active: the processor applies it. */
  early: Intent | null;
  /** The record the job holds now (a write the actor repeats is not sent again). */
  last: TaskRecord;
}



const CANCELLED = 'errand: cancelled';
const FAR = 365 * 24 * 60 * 60 * 1000;
const INDEX_PAGE = 200;

/** The record a job holds once a process takes it: the attempt counted (and a cut-off one as interrupted); null when there is no attempt to count. */
function takenRecord(record: TaskRecord): TaskRecord | null {
  const cutOff = record.status === 'running';
  if (record.held !== null || (cutOff && record.attempt >= record.request.backoff.maxAttempts)) return null;
  return { ...record, status: 'running', attempt: record.attempt + 1, runCount: record.runCount + 1, interrupted: record.interrupted + (cutOff ? 1 : 0) };
}

export function bullmqEngine(options: BullmqEngineOptions): Engine & { readonly queueName: string } {
  const { queue: queueName, concurrency = 50, openTimeoutMs = 5_000, takesWork = true, lockDurationMs = 30_000, stalledIntervalMs = 30_000, recheckMs = 1_000 } = options;
  const self = globalThis.crypto.randomUUID();
  const leases = new Map<string, Lease>();
  let fleet: Fleet | null = null;
  let worker: { close(): Promise<void> } | null = null;
  let host: DispatchHost | null = null;

  const openFleet = (): Promise<Fleet> =>
    options.backend === 'postgres'
      ? openPostgresFleet({ connection: options.connection, queue: queueName, self, openTimeoutMs })
      : openRedisFleet({ connection: options.connection, queue: queueName, prefix: options.prefix ?? 'bull', self, openTimeoutMs });

  const opened = (): Fleet => {
    if (!fleet) throw new StoreWriteError(`bullmq engine ${queueName} is not open: call start() first`);
    return fleet;
  };

  const recordOf = (job: Job<JobData> | undefined): TaskRecord | null => {
    const parsed = taskRecordSchema.safeParse(job?.data?.record);
    return parsed.success ? parsed.data : null;
  };

  async function liveRecord(taskId: string): Promise<TaskRecord | null> {
    return (await opened().read(taskId))?.record ?? null;
  }

  /** A batch: records of jobs held here go to their jobs; the rest, deletes first, in one transaction. */
  async function write(batch: StoreBatch): Promise<void> {
    const f = opened();
    const entries: PlaceEntry[] = [];
    const held: Promise<void>[] = [];
    // A delete of a job held here is its end: `finished` ends the job.
    for (const taskId of batch.delete) if (!leases.has(taskId)) entries.push({ taskId, intent: { kind: 'cancel', reason: 'cancelled' }, add: null });
    for (const record of batch.put) {
      const lease = leases.get(record.taskId);
      if (!lease) {
        entries.push({ taskId: record.taskId, intent: { kind: 'adopt', record }, add: { data: { record }, dueAt: record.dueAt } });
      } else if (!sameRecord(lease.last, record)) {
        lease.last = record;
        held.push(lease.job.updateData({ record }));
        // The fleet sees the task change state here (running, constrained, a new attempt), not only end.
        tell(snapshotOfRecord(record));
      }
    }
    const [placed] = await Promise.all([f.placeOrMark(entries), ...held]);
    await Promise.all(entries.filter((_, i) => placed[i] === 'marked').map((entry) => f.nudge(entry.taskId)));
  }

  /**
   * Task changes to tell the fleet: one send in flight at a time, and what changed meanwhile goes in
   * the next, so a busy process sends few large messages (on PostgreSQL each NOTIFY is a commit, and
   * NOTIFYing commits are serialized database-wide) and a quiet one sends each change at once.
   */
  let changes: TaskSnapshot[] = [];
  let telling = false;
  const sendChanges = (): void => {
    const sent = changes;
    changes = [];
    if (sent.length === 0 || !fleet) {
      telling = false;
      return;
    }
    telling = true;
    void fleet
      .changed(sent)
      .catch(() => {})
      .then(sendChanges);
  };
  const tell = (snapshot: TaskSnapshot): void => {
    changes.push(snapshot);
    if (!telling) {
      telling = true;
      queueMicrotask(sendChanges);
    }
  };

  /** Another process left an intent on a job held here. */
  async function heed(taskId: string): Promise<void> {
    const lease = leases.get(taskId);
    if (!lease || !host || !fleet) return;
    const intent = await fleet.take(taskId, null);
    if (!intent) return;
    if (!lease.activated) lease.early = intent; // taken before the processor's own take returned
    else apply(taskId, intent);
  }

  function apply(taskId: string, intent: Intent): void {
    if (intent.kind === 'cancel') host?.cancel(taskId, intent.reason);
    else host?.adopt(intent.record);
  }

  async function process(job: Job<JobData>, token?: string): Promise<unknown> {
    const taskId = job.id === undefined ? undefined : tryDecodeJobId(job.id);
    const f = fleet;
    if (taskId === undefined || !f || !host) throw new UnrecoverableError('errand: not a job errand wrote');
    let record = recordOf(job);
    if (!record) throw new UnrecoverableError('errand: the job holds no errand record');
    // The attempt counts from the moment this process holds the job, durably before its worker can
    // start (in the same step as taking any intent left on the job): a process that dies at once (its
    // worker kills it, say) still leaves the attempt counted, so such a task ends after maxAttempts.
    // The actor starts from the record as it was.
    // Held from here on: a nudge arriving while this process takes the job finds the lease.
    let taken = takenRecord(record);
    const lease: Lease = { job, end: () => {}, last: taken ?? record, activated: false, early: null };
    const ended = new Promise<End>((resolve) => (lease.end = resolve));
    leases.set(taskId, lease);
    const intent = (await f.take(taskId, taken && { record: taken })) ?? lease.early;
    lease.early = null;
    if (intent?.kind === 'cancel') {
      // Cancelled before it could start here: it ends as a cancelled job, out of the index.
      leases.delete(taskId);
      const snapshot = { ...snapshotOfRecord(record), status: 'cancelled' as const, nextRunAt: null, cancelReason: intent.reason };
      await f.finish(taskId, { record, final: snapshotToWire(snapshot) });
      tell(snapshot);
      throw new UnrecoverableError(CANCELLED);
    }
    if (intent?.kind === 'adopt') {
      record = intent.record;
      taken = takenRecord(record);
      lease.last = taken ?? record;
      await job.updateData({ record: lease.last });
    }
    const activation = host.activate(record);
    lease.activated = activation === 'activated';
    // An intent a nudge took while this process was activating: it reaches the actor now.
    const early = lease.early;
    lease.early = null;
    if (early && lease.activated) apply(taskId, early);
    if (lease.activated) tell(snapshotOfRecord(lease.last));
    if (activation !== 'activated') {
      leases.delete(taskId);
      await job.updateData({ record });
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
    const { snapshot } = end;
    await f.finish(taskId, { record: lease.last, final: snapshotToWire(snapshot) });
    if (snapshot.status === 'cancelled') throw new UnrecoverableError(CANCELLED);
    if (snapshot.outcome && !snapshot.outcome.ok) {
      const error = snapshot.outcome.error;
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    return snapshot.outcome?.ok ? snapshot.outcome.value : null;
  }

  const store = {
    async open(openOptions?: StoreOpenOptions): Promise<void> {
      if (fleet) return;
      const f = await openFleet();
      fleet = f;
      await f.listen(
        (message) => {
          if (message.kind === 'nudge') void heed(message.taskId).catch(() => {});
          else for (const snapshot of message.snapshots) host?.changed(snapshot);
        },
        // Nudges sent while the channel was down are lost: look for intents on every job held here.
        () => {
          for (const taskId of leases.keys()) void heed(taskId).catch(() => {});
        },
      );
      // A fleet (re)starting with no worker alive sweeps its ephemeral work, as a new process does.
      if (!openOptions?.keepEphemeral && (await f.queue.getWorkersCount()) === 0) {
        for (let after: string | undefined; ; ) {
          const ids = await f.indexed({ after, limit: INDEX_PAGE });
          const ephemeral: PlaceEntry[] = [];
          for (const taskId of ids) if ((await liveRecord(taskId))?.request.ephemeral) ephemeral.push({ taskId, intent: { kind: 'cancel', reason: 'cancelled' }, add: null });
          await f.placeOrMark(ephemeral);
          if (ids.length < INDEX_PAGE) break;
          after = ids[ids.length - 1];
        }
      }
    },

    async write(batch: StoreBatch): Promise<void> {
      try {
        await write(batch);
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
      const f = opened();
      const records: TaskRecord[] = [];
      for (let after = query.after; ; ) {
        const ids = await f.indexed({ after, prefix: query.prefix, limit: INDEX_PAGE });
        for (const taskId of ids) {
          if (query.prefix !== undefined && !taskId.startsWith(query.prefix)) continue;
          const record = await liveRecord(taskId);
          if (!record) {
            await f.unindex(taskId); // its job ended or was removed: the index catches up
            continue;
          }
          if (query.status === undefined || record.status === query.status) records.push(record);
          if (records.length >= query.limit) return { records, quarantined: [] };
        }
        if (ids.length < INDEX_PAGE) return { records, quarantined: [] };
        after = ids[ids.length - 1];
      }
    },

    async close(): Promise<void> {
      for (const lease of leases.values()) lease.end({ kind: 'handback' });
      await worker?.close();
      worker = null;
      host = null;
      await fleet?.close();
      fleet = null;
    },
  };

  return {
    queueName,
    store,
    dispatch: {
      async start(given: DispatchHost): Promise<void> {
        host = given;
        if (!takesWork) return;
        worker = await opened().worker(process, { concurrency, lockDurationMs, stalledIntervalMs });
      },
      dormant(record: TaskRecord): void {
        const lease = leases.get(record.taskId);
        if (!lease) return;
        lease.end({ kind: 'dormant', record });
        tell(snapshotOfRecord(record));
      },
      finished(snapshot: TaskSnapshot): void {
        const lease = leases.get(snapshot.taskId);
        if (!lease) return;
        lease.end({ kind: 'finished', snapshot });
        tell(snapshot);
      },
      async lastEnd(taskId: string): Promise<TaskSnapshot | undefined> {
        if (!fleet) return undefined;
        const job = await fleet.queue.getJob(encodeJobId(taskId));
        const final = job?.data?.final;
        if (!job || !final || !['completed', 'failed'].includes(await job.getState())) return undefined;
        return snapshotFromWire(final);
      },
      claim(taskId: string): void {
        const f = fleet;
        if (!f) return;
        void f
          .placeOrMark([{ taskId, intent: { kind: 'cancel', reason: 'preempted' }, add: null }])
          .then(([placed]) => (placed === 'marked' ? f.nudge(taskId) : undefined))
          .catch(() => {});
      },
    },
  };
}
