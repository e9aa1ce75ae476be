// BullMQ 6.7's PostgreSQL backend, tried end to end on the PostgreSQL here (127.0.0.1:5432, db `test`):
// migrations into a schema of the test's own, a Queue and a Worker built with createPostgresBackend, one job
// added and processed, then the schema dropped.
import { randomUUID } from 'node:crypto';
import { LATEST_SCHEMA_VERSION, createPostgresBackend, runMigrations, withBackend } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// withBackend binds the classes to the PostgreSQL backend and its connection type; passing
// createPostgresBackend as the constructors' third argument works at run time too, but then TypeScript picks the
// Redis overloads as soon as the job types are given explicitly.
const { Queue, QueueEvents, Worker } = withBackend(createPostgresBackend);

const CONNECTION_STRING = process.env.ERRAND_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('BullMQ PostgreSQL backend', () => {
  // The schema is BullMQ's namespace on PostgreSQL (its Redis `prefix`): one per test run, dropped after.
  const schema = `errand_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const connection = { connectionString: CONNECTION_STRING, schema };
  const admin = new pg.Client({ connectionString: CONNECTION_STRING });

  beforeAll(async () => {
    await admin.connect();
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('runMigrations on one dedicated client, then a Queue and a Worker process a job', async () => {
    // runMigrations wants one session (a pg.Client / checked-out PoolClient), never a Pool: it takes a
    // transaction-scoped advisory lock and runs everything in one transaction on that connection.
    expect(await runMigrations(admin, schema)).toBe(LATEST_SCHEMA_VERSION);
    expect(await runMigrations(admin, schema)).toBe(LATEST_SCHEMA_VERSION); // idempotent

    const queue = new Queue<{ n: number }, number>('pg-jobs', { connection });
    const events = new QueueEvents('pg-jobs', { connection });
    const seen: number[] = [];
    const worker = new Worker<{ n: number }, number>(
      'pg-jobs',
      async (job) => {
        seen.push(job.data.n);
        return job.data.n * 2;
      },
      { connection },
    );
    try {
      await Promise.all([queue.waitUntilReady(), worker.waitUntilReady(), events.waitUntilReady()]);
      const completed = new Promise<string>((resolve) =>
        events.on('completed', ({ jobId, returnvalue }) => resolve(`${jobId}=${String(returnvalue)}`)),
      );
      const job = await queue.add('double', { n: 21 }, { jobId: 't_pg-one' });
      const finished = await job.waitUntilFinished(events, 10_000);
      expect(finished).toBe(42);
      expect(seen).toEqual([21]);
      expect(await queue.getJobState('t_pg-one')).toBe('completed');
      expect(await completed).toBe('t_pg-one=42');
      // Same duplicate-id rule as on Redis: the second add with that id is not a second job.
      await queue.add('double', { n: 1 }, { jobId: 't_pg-one' });
      expect(await queue.getJobCounts('completed', 'waiting')).toEqual({ completed: 1, waiting: 0 });
      const tables = await admin.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      expect(Number(tables.rows[0]?.n)).toBeGreaterThan(0);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });
});
