// The engines the engine suites run on: an in-process fleet, BullMQ on the shared Redis, BullMQ on the
// local PostgreSQL (each test's own key prefix or schema, removed by cleanUpEngines).
import { Redis } from 'ioredis';
import pg from 'pg';
import { bullmqEngine } from '../../src/bullmq/index.js';
import type { Engine } from '../../src/core/ports.js';
import { SHARED_REDIS, deleteKeys, uniqueName } from '../bullmq/redis-names.js';
import { memoryFleet } from './memory-fleet.js';

/** A fleet under test: engines for its processes, and how many TaskIds it still keeps. */
export interface Fleet {
  member(name: string, options: { takesWork: boolean }): Engine;
  stored(): Promise<number>;
}

const admin = new Redis({ ...SHARED_REDIS, lazyConnect: true });
const prefixes: string[] = [];
export const PG = process.env['ERRAND_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];

async function pgQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Call in afterAll: removes every Redis key and PostgreSQL schema the fleets made. */
export async function cleanUpEngines(): Promise<void> {
  for (const prefix of prefixes.splice(0)) await deleteKeys(admin, prefix);
  admin.disconnect();
  for (const schema of schemas.splice(0)) await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

export const ENGINES: { name: string; fleet(): Fleet }[] = [
  {
    name: 'memory fleet',
    fleet() {
      const fleet = memoryFleet();
      return { member: (name, options) => fleet.member(name, options), stored: async () => fleet.records().length };
    },
  },
  {
    name: 'BullMQ on Redis',
    fleet() {
      const prefix = uniqueName('engine');
      prefixes.push(prefix);
      const queue = 'work';
      return {
        member: (_, { takesWork }) => bullmqEngine({ connection: SHARED_REDIS, queue, prefix, takesWork }),
        stored: async () => (await admin.zrange(`${prefix}:${queue}:errand:ids`, 0, -1)).length,
      };
    },
  },
  {
    name: 'BullMQ on PostgreSQL',
    fleet() {
      const schema = uniqueName('engine').replaceAll('-', '_');
      schemas.push(schema);
      const queue = 'work';
      return {
        member: (_, { takesWork }) => bullmqEngine({ backend: 'postgres', connection: { connectionString: PG, schema }, queue, takesWork }),
        stored: async () => Number((await pgQuery<{ n: string }>(`SELECT count(*)::text AS n FROM "${schema}".errand_task_id WHERE queue = $1`, [queue]))[0]?.n ?? 0),
      };
    },
  },
];
