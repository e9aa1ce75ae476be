// The BullMQ engine's backend needs on PostgreSQL (BullMQ 6's PostgreSQL backend): the replace-or-mark
// is one transaction that locks the job's row (a worker claiming jobs skips locked rows) and calls
// BullMQ's own `remove` and `add_job` functions; intents and errand's TaskId index are two tables of
// errand's beside BullMQ's, in the same schema; the side channel is LISTEN/NOTIFY.
import { createPostgresBackend, withBackend } from 'bullmq';
import pg from 'pg';
import { StoreOpenError } from '../../../src/core/errors.js';
import type { Fleet, PlaceEntry } from './fleet.js';
import { changedText, nudgeText, parseFleetMessage } from './fleet-messages.js';
import { JOB_OPTIONS, jobDataOf, parseIntent, type JobData, type Placed } from './intents.js';
import { encodeJobId } from './job-ids.js';
import { KeyedOrder } from './keyed-order.js';
import { ListenClient } from './listen-client.js';
import { quoted } from './sql-identifiers.js';

export interface PostgresConnection {
  /** `postgres://user@host:port/database`. */
  connectionString: string;
  /** The schema BullMQ's tables (and errand's two) live in; migrated on open. Default 'bullmq'. */
  schema?: string;
}

export interface PostgresFleetOptions {
  connection: PostgresConnection;
  queue: string;
  self: string;
  openTimeoutMs: number;
}

const { Queue, Worker } = withBackend(createPostgresBackend);

const NOTIFY_BYTES = 7_900;

/** `items` in runs whose text stays under NOTIFY's limit, each as its text; an item too large alone is dropped. */
export function notifyPayloads<T>(items: readonly T[], text: (part: readonly T[]) => string): string[] {
  const payloads: string[] = [];
  let start = 0;
  while (start < items.length) {
    // Grow the run while it fits (texts are near-linear in their items: a few probes per payload).
    let end = start + 1;
    let fits = text(items.slice(start, end));
    if (Buffer.byteLength(fits) >= NOTIFY_BYTES) {
      start = end;
      continue;
    }
    for (let step = 1; end < items.length; step *= 2) {
      const next = Math.min(items.length, end + step);
      const candidate = text(items.slice(start, next));
      if (Buffer.byteLength(candidate) >= NOTIFY_BYTES) break;
      end = next;
      fits = candidate;
    }
    payloads.push(fits);
    start = end;
  }
  return payloads;
}

const ignore = (): void => {};


export async function openPostgresFleet(options: PostgresFleetOptions): Promise<Fleet> {
  const { queue: name, self, openTimeoutMs } = options;
  const schema = options.connection.schema ?? 'bullmq';
  const connection = { connectionString: options.connection.connectionString, schema, migrate: true };
  const pool = new pg.Pool({ connectionString: connection.connectionString, connectionTimeoutMillis: openTimeoutMs, max: 4 });
  pool.on('error', () => {});
  // Statements whose durability rides on a later commit, or that need none (a job's final data, which
  // BullMQ's completion commits right after; index tidying; notifications): they do not wait for the
  // WAL flush. PostgreSQL flushes WAL in order, so once that later commit returns they are durable too.
  const relaxed = new pg.Pool({ connectionString: connection.connectionString, connectionTimeoutMillis: openTimeoutMs, max: 2, options: '-c synchronous_commit=off' });
  relaxed.on('error', () => {});
  const queue = new Queue<JobData>(name, { connection });
  queue.on('error', ignore); // connection errors: BullMQ's pool reconnects, errand's writes report theirs
  const listener = new ListenClient(connection.connectionString, openTimeoutMs);
  const channel = `errand_${name}`.slice(0, 63);
  try {
    await Promise.race([
      queue.waitUntilReady(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${openTimeoutMs} ms`)), openTimeoutMs).unref()),
    ]);
    await listener.connect();
    // Processes starting together on a new schema would race CREATE TABLE IF NOT EXISTS (PostgreSQL
    // raises a unique violation on its catalog): one at a time, under a transaction-scoped advisory lock.
    const setup = await pool.connect();
    setup.on('error', ignore);
    try {
      await setup.query('BEGIN');
      await setup.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`errand:${schema}`]);
      await setup.query(`CREATE TABLE IF NOT EXISTS ${quoted(schema)}.errand_intent (queue text NOT NULL, job_id text NOT NULL, intent text NOT NULL, PRIMARY KEY (queue, job_id))`);
      await setup.query(`CREATE TABLE IF NOT EXISTS ${quoted(schema)}.errand_task_id (queue text NOT NULL, task_id text COLLATE "C" NOT NULL, PRIMARY KEY (queue, task_id))`);
      await setup.query('COMMIT');
    } catch (error) {
      await setup.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      setup.off('error', ignore);
      setup.release();
    }
  } catch (error) {
    await Promise.allSettled([queue.close(), pool.end(), relaxed.end(), listener.close()]);
    throw new StoreOpenError(name, `PostgreSQL is not reachable (${error instanceof Error ? error.message : String(error)})`, error);
  }
  const table = (t: string) => `${quoted(schema)}.${t}`;
  const order = new KeyedOrder();
  const fn = (f: string) => `${quoted(schema)}.${f}`;

  /** One entry of a replace-or-mark transaction; the job's row is locked (a claiming worker skips it). */
  async function placeOne(client: pg.PoolClient, { taskId, intent, add }: PlaceEntry): Promise<Placed> {
    const jobId = encodeJobId(taskId);
    const row = await client.query<{ state: string }>(`SELECT state::text AS state FROM ${table('job')} WHERE queue = $1 AND id = $2 FOR UPDATE`, [name, jobId]);
    if (row.rows[0]?.state === 'active') {
      // A cancel after a runNow's claim keeps the claim's 'preempted'; an adopt replaces any intent.
      await client.query(
        `INSERT INTO ${table('errand_intent')} (queue, job_id, intent) VALUES ($1, $2, $3)
         ON CONFLICT (queue, job_id) DO UPDATE SET intent = CASE WHEN $4 THEN ${table('errand_intent')}.intent ELSE EXCLUDED.intent END`,
        [name, jobId, JSON.stringify(intent), intent.kind === 'cancel'],
      );
      // The index entry of an active job is its holder's to remove when it ends: not added back here.
      return 'marked';
    }
    if (row.rows.length > 0) await client.query(`SELECT ${fn('remove')}($1, $2, false)`, [name, jobId]);
    await client.query(`DELETE FROM ${table('errand_intent')} WHERE queue = $1 AND job_id = $2`, [name, jobId]);
    if (!add) {
      await client.query(`DELETE FROM ${table('errand_task_id')} WHERE queue = $1 AND task_id = $2`, [name, taskId]);
      return 'placed';
    }
    const now = Date.now();
    const delay = Math.max(0, add.dueAt - now);
    await client.query(`SELECT ${fn('add_job')}($1, $2, 'errand', $3::jsonb, $4::jsonb, 0, $5, $6, 1, NULL, NULL, NULL, NULL, NULL, false)`, [
      name,
      jobId,
      JSON.stringify(add.data),
      JSON.stringify({ ...JOB_OPTIONS, delay, timestamp: now }),
      delay,
      now,
    ]);
    await client.query(`INSERT INTO ${table('errand_task_id')} (queue, task_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [name, taskId]);
    return 'placed';
  }

  return {
    queue,

    placeOrMark(entries) {
      if (entries.length === 0) return Promise.resolve([]);
      return order.run(
        entries.map((e) => e.taskId),
        async () => {
          const client = await pool.connect();
          // A checked-out client's connection error is this transaction's to report (pg emits it with no listener otherwise: an uncaught exception).
          client.on('error', ignore);
          let broken = false;
          try {
            await client.query('BEGIN');
            // Rows locked in one order (by job id) by every transaction: two batches never wait on each other in a cycle.
            const byJobId = entries.map((entry, i) => ({ entry, i, jobId: encodeJobId(entry.taskId) })).sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : a.i - b.i));
            const placed: Placed[] = new Array<Placed>(entries.length);
            for (const { entry, i } of byJobId) placed[i] = await placeOne(client, entry);
            await client.query('COMMIT');
            return placed;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => (broken = true));
            throw error;
          } finally {
            client.off('error', ignore);
            // A client whose ROLLBACK failed is not given back to the pool.
            client.release(broken);
          }
        },
      );
    },

    async read(taskId) {
      const { rows } = await pool.query<{ data: unknown }>(
        `SELECT data FROM ${table('job')} WHERE queue = $1 AND id = $2 AND state::text NOT IN ('completed', 'failed')`,
        [name, encodeJobId(taskId)],
      );
      return rows.length > 0 ? jobDataOf(rows[0]!.data) : null;
    },

    async take(taskId, data) {
      const jobId = encodeJobId(taskId);
      const { rows } = await pool.query<{ intent: string | null }>(
        `WITH taken AS (DELETE FROM ${table('errand_intent')} WHERE queue = $1 AND job_id = $2 RETURNING intent),
              written AS (UPDATE ${table('job')} SET data = $3::jsonb WHERE $3::jsonb IS NOT NULL AND queue = $1 AND id = $2 RETURNING 1)
         SELECT (SELECT intent FROM taken) AS intent, (SELECT count(*) FROM written) AS n`,
        [name, jobId, data ? JSON.stringify(data) : null],
      );
      return parseIntent(rows[0]?.intent ?? null);
    },

    async finish(taskId, data) {
      await relaxed.query(
        `WITH written AS (UPDATE ${table('job')} SET data = $3::jsonb WHERE queue = $1 AND id = $2 RETURNING 1)
         DELETE FROM ${table('errand_task_id')} WHERE queue = $1 AND task_id = $4`,
        [name, encodeJobId(taskId), JSON.stringify(data), taskId],
      );
    },

    async indexed({ after, prefix, limit }) {
      const { rows } = await pool.query<{ task_id: string }>(
        `SELECT task_id FROM ${table('errand_task_id')}
          WHERE queue = $1 AND ($2::text IS NULL OR task_id > $2) AND ($3::text IS NULL OR starts_with(task_id, $3))
          ORDER BY task_id LIMIT $4`,
        [name, after ?? null, prefix ?? null, limit],
      );
      return rows.map((r) => r.task_id);
    },

    async unindex(taskId) {
      await relaxed.query(`DELETE FROM ${table('errand_task_id')} WHERE queue = $1 AND task_id = $2`, [name, taskId]);
    },

    async nudge(taskId) {
      await relaxed.query('SELECT pg_notify($1, $2)', [channel, nudgeText(self, taskId)]);
    },

    async changed(snapshots) {
      // NOTIFY carries at most 8,000 bytes: the batch goes as several payloads in one statement (one
      // commit); a single change larger than that is left out (result() then reads the finished job).
      const payloads = notifyPayloads(snapshots, (part) => changedText(self, part));
      if (payloads.length === 0) return;
      const calls = payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
      await relaxed.query(`SELECT ${calls}`, [channel, ...payloads]);
    },

    async listen(deliver, resumed) {
      await listener.listen(
        channel,
        (payload) => {
          const parsed = parseFleetMessage(payload, self);
          if (parsed) deliver(parsed);
        },
        resumed,
      );
    },

    async worker(processor, settings) {
      const worker = new Worker<JobData>(name, processor, {
        connection,
        concurrency: settings.concurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.stalledIntervalMs,
        maxStalledCount: 1_000_000,
      });
      worker.on('error', () => {});
      await worker.waitUntilReady();
      return worker;
    },

    async close() {
      await queue.close();
      await Promise.allSettled([pool.end(), relaxed.end(), listener.close()]);
    },
  };
}
