// errand on BullMQ's PostgreSQL backend against raw BullMQ on it, in one process, in one run: N no-op jobs
// end to end (a producer, a worker at concurrency 50), and what PostgreSQL's active sessions wait on (sampled
// from pg_stat_activity every 20 ms), which shows where a commit-bound backend spends its time.
//
//   npx tsx bench/bullmq-postgres.ts [jobs=1000] [raw|errand]
import { createPostgresBackend, withBackend } from 'bullmq';
import pg from 'pg';
import { bullmqEngine } from '../src/bullmq/index.js';
import { createOrchestrator } from '../src/index.js';
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.argv[2] ?? 1000);
const mode = process.argv[3] ?? 'errand';
const schema = 'pgb_' + Math.random().toString(36).slice(2, 8);
const admin = new pg.Client({ connectionString: PG }); await admin.connect();
const waits = new Map<string, number>();
// One query at a time (pg queues overlapping queries on one client, with a deprecation warning).
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    const { rows } = await admin.query<{ w: string; q: string }>(`SELECT coalesce(wait_event_type,'cpu')||':'||coalesce(wait_event,'-') AS w, left(query, 40) AS q FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()`);
    for (const r of rows) waits.set(`${r.w} | ${r.q}`, (waits.get(`${r.w} | ${r.q}`) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();
if (mode === 'raw') {
  const { Queue, Worker } = withBackend(createPostgresBackend);
  const connection = { connectionString: PG, schema, migrate: true };
  const q = new Queue('w', { connection }); await q.waitUntilReady();
  let done = 0; let resolve!: () => void; const all = new Promise<void>((r) => (resolve = r));
  const w = new Worker('w', async () => null, { connection, concurrency: 50 });
  w.on('completed', () => { if (++done === N) resolve(); });
  await w.waitUntilReady();
  const s = performance.now();
  for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => q.add('x', {}, { jobId: `j${i + j}` })));
  await all;
  console.log('raw', N, (N / ((performance.now() - s) / 1000)).toFixed(0), 'jobs/s');
  await w.close(); await q.close();
} else {
  const producer = createOrchestrator({ engine: bullmqEngine({ backend: 'postgres', connection: { connectionString: PG, schema }, queue: 'w', takesWork: false }), logger: { warn() {}, error() {} } }).register('job', async () => null);
  const worker = createOrchestrator({ engine: bullmqEngine({ backend: 'postgres', connection: { connectionString: PG, schema }, queue: 'w' }), logger: { warn() {}, error() {} } }).register('job', async () => null);
  await producer.start(); await worker.start();
  const s = performance.now();
  const results: Promise<unknown>[] = [];
  for (let i = 0; i < N; i += 50) { const hs = await Promise.all(Array.from({ length: 50 }, (_, j) => producer.schedule({ taskId: `job/${i + j}` }))); for (const h of hs) results.push(h.result()); }
  const sched = performance.now() - s;
  await Promise.all(results);
  console.log('errand', N, (N / ((performance.now() - s) / 1000)).toFixed(0), 'tasks/s; scheduling took', sched.toFixed(0), 'ms');
  await producer.shutdown(); await worker.shutdown();
}
sampling = false;
await sampler;
console.log([...waits].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${v}\t${k}`).join('\n'));
await admin.query(`DROP SCHEMA ${schema} CASCADE`); await admin.end();
