// Cross-process pre-emption on the BullMQ engine (issue 13's goal: p99 <= 20 ms): a task runs in a worker
// child process; this process calls runNow(sameTaskId); the time until the child's worker signal aborts.
// Baseline in the same run: one way of a raw Redis pub/sub message between the same two kinds of process
// (half of bullmq.bench.ts's round trip), the floor any cross-process cancel pays. Both ends read
// Date.now() on one machine (one clock).
//
//   npm run bench -- bullmq-preempt [--preempt-rounds=100]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createOrchestrator, defineTask } from '../src/index.js';
import { bullmqEngine } from '../src/bullmq/index.js';
import { pubsubRoundTrip } from './bullmq.bench.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export default async function preemptBench(): Promise<void> {
  const rounds = flag('preempt-rounds', 100);
  const prefix = `errand-bench-preempt-${randomUUID().slice(0, 8)}`;
  const queue = 'work';
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'bullmq-preempt-child.ts'), queue, prefix], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdout.setEncoding('utf8');
  const waiting = new Map<string, (line: string) => void>();
  let buffer = '';
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const key = line.split(' ').slice(0, 2).join(' ');
      waiting.get(key)?.(line);
      waiting.get(line)?.(line);
    }
  });
  const seen = (key: string) => new Promise<string>((resolve) => waiting.set(key, (line) => (waiting.delete(key), resolve(line))));
  await seen('READY');
  const hold = defineTask({ id: 'hold', run: () => new Promise<never>(() => {}) });
  const here = createOrchestrator({
    engine: bullmqEngine({ connection: { host: '127.0.0.1', port: 6379 }, queue, prefix, takesWork: false }),
    logger: { warn() {}, error() {} },
  }).register(hold);
  await here.start();
  const latencies: number[] = [];
  try {
    const warmUp = 10;
    for (let r = -warmUp; r < rounds; r++) {
      const taskId = `hold/${r + warmUp}`;
      const started = seen(`started ${taskId}`);
      await here.schedule({ taskId });
      await started;
      const aborted = seen(`aborted ${taskId}`);
      const t0 = Date.now();
      await here.runNow(taskId, async () => 'now');
      const line = await aborted;
      if (r >= 0) latencies.push(Number(line.split(' ')[2]) - t0);
    }
  } finally {
    await here.shutdown({ timeoutMs: 2_000 });
    child.stdin.end();
    await once(child, 'exit');
    const redis = new Redis({ host: '127.0.0.1', port: 6379 });
    for (let cursor = '0'; ; ) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      if ((cursor = next) === '0') break;
    }
    redis.disconnect();
  }
  latencies.sort((a, b) => a - b);
  const floor = await pubsubRoundTrip(500);
  const oneWayP50 = floor.p50 / 2;
  const oneWayP99 = floor.p99 / 2;
  console.log(`  runNow in this process pre-empting the task running in a worker process, ${rounds} rounds after 10 warm-up (one machine, one clock):`);
  console.log(`    errand runNow -> worker signal aborted   p50 ${quantile(latencies, 0.5)} ms  p99 ${quantile(latencies, 0.99)} ms  max ${latencies.at(-1)} ms  goal p99 <= 20 ms: ${quantile(latencies, 0.99) <= 20 ? 'met' : 'NOT met'}`);
  console.log(`    raw Redis pub/sub, one way (half the round trip)  p50 ${oneWayP50.toFixed(2)} ms  p99 ${oneWayP99.toFixed(2)} ms`);
  console.log('    (errand pays: the intent MULTI, the nudge, the holder taking the intent, the actor cancelling the run)');
}
