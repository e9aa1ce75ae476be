// Where a fleet of test/bullmq/processes.test.ts lives: a key prefix on a Redis, or a schema on the local
// PostgreSQL. The test and its worker children build their engines from the same Target.
import { Queue, createPostgresBackend, withBackend } from 'bullmq';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { bullmqEngine, type BullmqEngineOptions } from '../../src/bullmq/index.js';

export type Target =
  | { backend: 'redis'; host: string; port: number; prefix: string }
  | { backend: 'postgres'; connectionString: string; schema: string };

export const QUEUE = 'work';

/** The engine for one process of the fleet; short locks so a dead process's job comes back in ~1.5 s. */
export function engineOn(target: Target, options: Omit<BullmqEngineOptions, 'backend' | 'connection' | 'queue' | 'prefix'> = {}) {
  const common = { queue: QUEUE, lockDurationMs: 1_000, stalledIntervalMs: 500, ...options };
  return target.backend === 'redis'
    ? bullmqEngine({ ...common, connection: { host: target.host, port: target.port }, prefix: target.prefix })
    : bullmqEngine({ ...common, backend: 'postgres', connection: { connectionString: target.connectionString, schema: target.schema } });
}

const PostgresQueue = withBackend(createPostgresBackend).Queue;

/** A plain BullMQ Queue on the fleet's queue, for reading job counts. */
export function queueOn(target: Target): { getJobCounts(...types: string[]): Promise<Record<string, number>>; close(): Promise<void> } {
  return target.backend === 'redis'
    ? new Queue(QUEUE, { connection: { host: target.host, port: target.port }, prefix: target.prefix })
    : new PostgresQueue(QUEUE, { connection: { connectionString: target.connectionString, schema: target.schema } });
}

/** How many TaskIds errand's index still holds for the fleet's queue. */
export async function indexedCount(target: Target, redis: Redis): Promise<number> {
  if (target.backend === 'redis') return redis.zcard(`${target.prefix}:${QUEUE}:errand:ids`);
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${target.schema}".errand_task_id WHERE queue = $1`, [QUEUE]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
