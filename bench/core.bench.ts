// Issue 2 goals: 100k no-op oneTime tasks through the orchestrator vs p-queue (same run),
// and heap bytes per idle pending task at 10k and 100k.
import PQueue from 'p-queue';
import { createOrchestrator } from '../src/index.js';

const N = 100_000;
const ROUNDS = 3;

const gc = (globalThis as { gc?: () => void }).gc;
function collect(): void {
  if (!gc) throw new Error('run the bench with node --expose-gc (npm run bench does)');
  gc();
  gc();
}

async function pQueueRate(): Promise<number> {
  const queue = new PQueue({ concurrency: Infinity });
  const start = performance.now();
  for (let i = 0; i < N; i++) void queue.add(async () => {});
  await queue.onIdle();
  return N / ((performance.now() - start) / 1000);
}

async function errandRate(): Promise<number> {
  const orchestrator = createOrchestrator();
  let finished = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  orchestrator.register('noop', async () => {
    if (++finished === N) allDone();
  });
  await orchestrator.start();
  const start = performance.now();
  const stored: Promise<void>[] = [];
  for (let i = 0; i < N; i++) stored.push(orchestrator.schedule({ taskId: `noop/${i}` }));
  await Promise.all(stored);
  await done;
  const rate = N / ((performance.now() - start) / 1000);
  await orchestrator.shutdown();
  return rate;
}

async function bytesPerIdleTask(count: number): Promise<number> {
  const orchestrator = createOrchestrator();
  orchestrator.register('idle', async () => {});
  await orchestrator.start();
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) void orchestrator.schedule({ taskId: `idle/${i}`, initialDelayMs: 3_600_000 });
  await orchestrator.schedule({ taskId: 'idle/last', initialDelayMs: 3_600_000 });
  collect();
  const bytes = (process.memoryUsage().heapUsed - before) / (count + 1);
  await orchestrator.cancelAll();
  await orchestrator.shutdown();
  return bytes;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export default async function run(): Promise<void> {
  const pq: number[] = [];
  const er: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    collect();
    pq.push(await pQueueRate());
    collect();
    er.push(await errandRate());
  }
  const p = median(pq);
  const e = median(er);
  console.log(`100k no-op oneTime tasks, median of ${ROUNDS} rounds`);
  console.log(`  p-queue (concurrency Infinity): ${fmt(p)} tasks/s   [${pq.map(fmt).join(', ')}]`);
  console.log(`  errand orchestrator:            ${fmt(e)} tasks/s   [${er.map(fmt).join(', ')}]`);
  console.log(`  p-queue / errand:               ${(p / e).toFixed(1)}x   (goal: errand >= 40,000 tasks/s and within 6x)`);
  for (const count of [10_000, 100_000]) {
    const bytes = await bytesPerIdleTask(count);
    console.log(`  heap per idle pending task at ${fmt(count)}: ${fmt(bytes)} bytes   (goal: <= 4,096)`);
  }
}
