// BullMQ engine baselines, measured on the shared Redis (127.0.0.1:6379) in one run, so that errand's own
// figures (issue 13: >= 0.8x raw throughput, pre-emption p99 <= 20 ms) are compared with what the same
// machine does with raw BullMQ at the same moment.
//
// Throughput: each mode is a function (jobs, concurrency) -> jobs/s over the same end-to-end span: from the
// first add until the last of N no-op jobs has completed, the worker already connected. Every mode after
// 'raw BullMQ' is printed with its ratio to raw. "errand on BullMQ": the same N no-op tasks, scheduled from a
// producer orchestrator (takesWork: false), run by a worker orchestrator (concurrency 50), until every
// handle.result() in the producer resolved (what an app waits for); `--bullmq-trace` adds Redis commands per task.
// Latency: cross-process Redis pub/sub round trip (parent publishes, a child process echoes), the floor for
// cancel/runNow reaching the worker that holds a job.
//
//   npm run bench -- bullmq [--bullmq-jobs=20000] [--bullmq-rounds=3] [--bullmq-pings=2000] [--bullmq-trace]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { bullmqEngine } from '../src/bullmq/index.js';
import { createOrchestrator } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REDIS = { host: '127.0.0.1', port: 6379 } as const;
const CONCURRENCY = 50;
/** addBulk batch: one MULTI per batch; far larger batches block Redis for everyone else on the shared server. */
const BULK = 1_000;

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

export interface ThroughputMode {
  readonly name: string;
  /** Runs `jobs` no-op jobs end to end at `concurrency`; returns jobs/s. Cleans up all it wrote. */
  run(jobs: number, concurrency: number): Promise<number>;
}

/** A queue name of its own per round: rounds and concurrent bench runs never see each other's jobs. */
function queueName(mode: string): string {
  return `errand-bench-${mode}-${randomUUID().slice(0, 8)}`;
}

export const rawBullmq: ThroughputMode = {
  name: 'raw BullMQ',
  async run(jobs, concurrency) {
    const name = queueName('raw');
    const queue = new Queue(name, { connection: REDIS });
    let completed = 0;
    let resolveAll: () => void = () => undefined;
    const allDone = new Promise<void>((resolve) => (resolveAll = resolve));
    const worker = new Worker(name, async () => undefined, {
      connection: { ...REDIS, maxRetriesPerRequest: null },
      concurrency,
      // The bench measures the queue, not the 'completed' list: completed jobs are dropped, as a fleet would.
      removeOnComplete: { count: 0 },
    });
    worker.on('completed', () => {
      if (++completed === jobs) resolveAll();
    });
    try {
      await worker.waitUntilReady();
      await queue.waitUntilReady();
      const start = performance.now();
      for (let i = 0; i < jobs; i += BULK) {
        const batch = Array.from({ length: Math.min(BULK, jobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } }));
        await queue.addBulk(batch);
      }
      await allDone;
      return jobs / ((performance.now() - start) / 1000);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  },
};

/** Deletes every key under `prefix:` (SCAN, never FLUSHDB: the Redis is shared). */
async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Schedules in slices: each slice's schedule() calls are issued together and land in the engine's writes together. */
const SCHEDULE_SLICE = 1_000;

export const errandOnBullmq: ThroughputMode = {
  name: 'errand on BullMQ',
  async run(jobs, concurrency) {
    const prefix = queueName('errand');
    const queue = 'work';
    const quiet = { warn: () => {}, error: () => {} };
    const producer = createOrchestrator({ engine: bullmqEngine({ connection: REDIS, queue, prefix, takesWork: false }), logger: quiet });
    const worker = createOrchestrator({ engine: bullmqEngine({ connection: REDIS, queue, prefix, concurrency }), logger: quiet });
    producer.register('noop', async () => undefined);
    worker.register('noop', async () => undefined);
    const admin = new Redis(REDIS);
    try {
      await producer.start();
      await worker.start();
      const start = performance.now();
      const results: Promise<unknown>[] = [];
      for (let i = 0; i < jobs; i += SCHEDULE_SLICE) {
        const slice = Array.from({ length: Math.min(SCHEDULE_SLICE, jobs - i) }, (_, k) => producer.schedule({ taskId: `noop/${i + k}` }));
        for (const handle of await Promise.all(slice)) results.push(handle.result());
      }
      await Promise.all(results);
      return jobs / ((performance.now() - start) / 1000);
    } finally {
      await producer.shutdown({ timeoutMs: 5_000 });
      await worker.shutdown({ timeoutMs: 5_000 });
      await deletePrefix(admin, prefix);
      admin.disconnect();
    }
  },
};

/** Every mode measured in one run; the first is the baseline the others are divided by. */
const MODES: readonly ThroughputMode[] = [rawBullmq, errandOnBullmq];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Round trips of one message at a time to a subscriber in another process and back. */
export async function pubsubRoundTrip(pings: number): Promise<{ p50: number; p99: number; max: number }> {
  const id = randomUUID().slice(0, 8);
  const ping = `errand-bench-ping-${id}`;
  const pong = `errand-bench-pong-${id}`;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'bullmq-pubsub-child.ts'), `redis://${REDIS.host}:${REDIS.port}`, ping, pong], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pub = new Redis(REDIS);
  const sub = new Redis(REDIS);
  try {
    child.stdout.setEncoding('utf8');
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`pub/sub child exited ${code} before READY`)));
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('READY')) resolve();
      });
    });
    await sub.subscribe(pong);
    const samples: number[] = [];
    // Warm-up round trips are not counted: the first ones include connection and JIT work.
    for (let i = -50; i < pings; i++) {
      const echoed = once(sub, 'message');
      const start = performance.now();
      await pub.publish(ping, String(i));
      await echoed;
      if (i >= 0) samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1] ?? Number.NaN };
  } finally {
    child.stdin.end();
    await once(child, 'exit');
    sub.disconnect();
    pub.disconnect();
  }
}

export default async function bullmqBench(): Promise<void> {
  const jobs = flag('bullmq-jobs', 20_000);
  const rounds = flag('bullmq-rounds', 3);
  const pings = flag('bullmq-pings', 2_000);
  console.log(`  ${jobs} no-op jobs end to end (addBulk x${BULK} -> Worker concurrency ${CONCURRENCY} -> all completed),`);
  console.log(`  shared Redis ${REDIS.host}:${REDIS.port}, median of ${rounds} rounds after one warm-up round of ${Math.min(jobs, 2_000)}`);
  let baseline: number | undefined;
  for (const mode of MODES) {
    await mode.run(Math.min(jobs, 2_000), CONCURRENCY);
    const perRound: number[] = [];
    for (let r = 0; r < rounds; r++) perRound.push(await mode.run(jobs, CONCURRENCY));
    const rate = median(perRound);
    baseline ??= rate;
    const rounded = perRound.map((x) => Math.round(x)).join(', ');
    console.log(`  ${mode.name.padEnd(18)} ${Math.round(rate).toString().padStart(7)} jobs/s  ${(rate / baseline).toFixed(2)}x raw  (rounds: ${rounded})`);
  }
  const latency = await pubsubRoundTrip(pings);
  const ms = (x: number): string => `${x.toFixed(2)} ms`;
  console.log(`  cross-process Redis pub/sub round trip (${pings} one at a time): p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)}`);
  console.log('  (one way is about half: the floor for a cancel/runNow reaching the worker process that holds the job)');
}
