// Where the time goes: the Redis commands and client round trips per task, raw BullMQ against errand on
// BullMQ, counted with MONITOR on a private redis-server (nothing else talks to it, so every command is ours).
//
//   npx tsx bench/bullmq-trace.ts [jobs=1000]
//
// A round trip is one command outside MULTI/EXEC, or one whole MULTI...EXEC (ioredis pipelines its MULTI).
// Each EVALSHA is named after the BullMQ or errand script whose SHA-1 it carries.
import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import * as bullmqScripts from 'bullmq/dist/esm/scripts/index.js';
import { Redis } from 'ioredis';
import { bullmqEngine } from '../src/bullmq/index.js';
import { createOrchestrator } from '../src/index.js';
import { startRedisServer } from '../test/support/redis-server.js';

const jobs = Number(process.argv[2] ?? 1_000);
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');
const scriptNames = new Map<string, string>();
for (const value of Object.values(bullmqScripts) as unknown[]) {
  if (typeof value === 'object' && value !== null && 'name' in value && 'content' in value) {
    const { name, content } = value as { name: string; content: string };
    scriptNames.set(sha1(content), name);
  }
}

interface Tally {
  /** Commands clients sent (EVALSHA named by script). */
  commands: Map<string, number>;
  /** Commands the scripts ran inside Redis (MONITOR shows them with source 'lua'). */
  inScripts: number;
  roundTrips: number;
  total: number;
}

/** Counts what every client sends from `start()` until `stop()`, via MONITOR. */
async function monitor(port: number): Promise<{ stop(): Promise<Tally> }> {
  const redis = new Redis({ host: '127.0.0.1', port });
  const m = await redis.monitor();
  const tally: Tally = { commands: new Map(), inScripts: 0, roundTrips: 0, total: 0 };
  const inMulti = new Set<string>();
  m.on('monitor', (_time: string, args: string[], source: string) => {
    const command = (args[0] ?? '').toLowerCase();
    if (command === 'monitor') return;
    if (source.includes('lua')) {
      tally.inScripts++;
      return;
    }
    let name = command;
    if (command === 'evalsha') name = `evalsha ${scriptNames.get(args[1] ?? '') ?? `errand script ${args[1]?.slice(0, 8) ?? ''}`}`;
    tally.total++;
    tally.commands.set(name, (tally.commands.get(name) ?? 0) + 1);
    if (command === 'multi') inMulti.add(source);
    else if (command === 'exec') {
      inMulti.delete(source);
      tally.roundTrips++;
    } else if (!inMulti.has(source)) tally.roundTrips++;
  });
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 200));
      m.disconnect();
      redis.disconnect();
      return tally;
    },
  };
}

function report(label: string, tally: Tally, n: number): void {
  console.log(`\n${label}: per task ${(tally.total / n).toFixed(1)} commands sent in ${(tally.roundTrips / n).toFixed(1)} round trips, ${(tally.inScripts / n).toFixed(1)} more run inside scripts`);
  const rows = [...tally.commands].sort((a, b) => b[1] - a[1]);
  for (const [name, count] of rows) if (count / n >= 0.05) console.log(`  ${(count / n).toFixed(2).padStart(6)}  ${name}`);
}

const server = await startRedisServer();
const connection = { host: server.host, port: server.port };
try {
  // Raw BullMQ, as in bullmq.bench.ts.
  {
    const queue = new Queue('raw', { connection });
    const worker = new Worker('raw', async () => undefined, { connection: { ...connection, maxRetriesPerRequest: null }, concurrency: 50, removeOnComplete: { count: 0 } });
    await worker.waitUntilReady();
    await queue.waitUntilReady();
    let done = 0;
    const all = new Promise<void>((resolve) => worker.on('completed', () => void (++done === jobs && resolve())));
    const m = await monitor(server.port);
    const start = performance.now();
    await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: 'noop', data: { i } })));
    await all;
    const ms = performance.now() - start;
    const tally = await m.stop();
    report(`raw BullMQ (${jobs} jobs, ${Math.round(jobs / (ms / 1000))} jobs/s under MONITOR)`, tally, jobs);
    await worker.close();
    await queue.close();
  }
  // errand on BullMQ, as in bullmq.bench.ts.
  {
    const quiet = { warn: () => {}, error: () => {} };
    const producer = createOrchestrator({ engine: bullmqEngine({ connection, queue: 'errand', takesWork: false }), logger: quiet });
    const worker = createOrchestrator({ engine: bullmqEngine({ connection, queue: 'errand', concurrency: 50 }), logger: quiet });
    producer.register('noop', async () => undefined);
    worker.register('noop', async () => undefined);
    await producer.start();
    await worker.start();
    const m = await monitor(server.port);
    const start = performance.now();
    const handles = await Promise.all(Array.from({ length: jobs }, (_, i) => producer.schedule({ taskId: `noop/${i}` })));
    const scheduled = performance.now() - start;
    await Promise.all(handles.map((h) => h.result()));
    const ms = performance.now() - start;
    const tally = await m.stop();
    report(`errand on BullMQ (${jobs} tasks, ${Math.round(jobs / (ms / 1000))} tasks/s under MONITOR; schedule() of all took ${Math.round(scheduled)} ms)`, tally, jobs);
    await producer.shutdown();
    await worker.shutdown();
  }
  // Without MONITOR: how long scheduling takes, and how long running them once all are scheduled.
  for (const n of [jobs, jobs * 5]) {
    const quiet = { warn: () => {}, error: () => {} };
    const queue = `errand-timed-${n}`;
    const producer = createOrchestrator({ engine: bullmqEngine({ connection, queue, takesWork: false }), logger: quiet });
    producer.register('noop', async () => undefined);
    await producer.start();
    let start = performance.now();
    const handles = await Promise.all(Array.from({ length: n }, (_, i) => producer.schedule({ taskId: `noop/${i}` })));
    const scheduleMs = performance.now() - start;
    const worker = createOrchestrator({ engine: bullmqEngine({ connection, queue, concurrency: 50 }), logger: quiet });
    worker.register('noop', async () => undefined);
    start = performance.now();
    await worker.start();
    await Promise.all(handles.map((h) => h.result()));
    const runMs = performance.now() - start;
    console.log(`\nno MONITOR, ${n} tasks: schedule() of all ${Math.round(scheduleMs)} ms (${Math.round(n / (scheduleMs / 1000))}/s, no worker running); then a worker ran them all in ${Math.round(runMs)} ms (${Math.round(n / (runMs / 1000))}/s)`);
    await producer.shutdown();
    await worker.shutdown();
  }
} finally {
  await server.stop();
}
