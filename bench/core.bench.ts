// Issue 2 goals: 100k no-op oneTime tasks through the orchestrator vs p-queue (same run), and
// heap bytes per idle pending task at 10k and 100k. A bare XState actor per task ("XState floor")
// is measured beside them: it is what one actor per TaskId costs before errand adds anything.
// Worker limits set high enough never to be reached are measured against no limit in the same
// run, rounds interleaved: what counting slots costs when nobody has to wait.
import { Session } from 'node:inspector/promises';
import PQueue from 'p-queue';
import { createActor, fromTransition, setup, type AnyActorRef } from 'xstate';
import { createOrchestrator, defineTask, type OrchestratorOptions } from '../src/index.js';

const N = 100_000;
const ROUNDS = 3;
/** Stream mode submits this many tasks per macrotask instead of all 100k at once. */
const CHUNK = 1_000;

const gc = (globalThis as { gc?: () => void }).gc;
function collect(): void {
  if (!gc) throw new Error('run the bench with node --expose-gc (npm run bench does)');
  gc();
  gc();
}

type Submit = (i: number) => void;
/** Submits N tasks (all at once, or CHUNK per macrotask) and returns tasks/s until `done` resolves. */
async function rate(submit: Submit, done: Promise<void>, stream: boolean): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    submit(i);
    if (stream && i % CHUNK === CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return N / ((performance.now() - start) / 1000);
}

function counter(): { tick: () => void; done: Promise<void> } {
  let finished = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { tick: () => void (++finished === N && resolve()), done };
}

async function pQueueRate(stream: boolean): Promise<number> {
  const queue = new PQueue({ concurrency: Infinity });
  const { tick, done } = counter();
  return rate((_) => void queue.add(async () => tick()), done, stream);
}

/** Worker limits far above N: every take and release is counted, nobody ever waits. */
const NEVER_REACHED = 10 * N;
type Limits = 'none' | 'global' | 'per task and global';

async function errandRate(stream: boolean, limits: Limits = 'none'): Promise<number> {
  const options: OrchestratorOptions = limits === 'none' ? {} : { maxConcurrentWorkers: NEVER_REACHED };
  const orchestrator = createOrchestrator(options);
  const { tick, done } = counter();
  const concurrency = limits === 'per task and global' ? NEVER_REACHED : undefined;
  orchestrator.register(defineTask({ id: 'noop', concurrency, run: async () => tick() }));
  await orchestrator.start();
  const result = await rate((i) => void orchestrator.schedule({ taskId: `noop/${i}` }), done, stream);
  await orchestrator.shutdown();
  return result;
}

/** Set by each floor round: the machine is built once, so every round runs the same warm code. */
let floorTick: () => void = () => {};
const floorMachine = setup({
  actions: {
    run: ({ self }) => void Promise.resolve(floorTick()).then(() => self.send({ type: 'DONE' })),
  },
}).createMachine({ initial: 'running', states: { running: { entry: 'run', on: { DONE: 'done' } }, done: { type: 'final' } } });
const hostLogic = fromTransition((state: null) => state, null);

/** The least an XState actor per task can cost: create, run a no-op promise, reach a final state. */
async function xstateFloorRate(stream: boolean): Promise<number> {
  const { tick, done } = counter();
  floorTick = tick;
  let host: AnyActorRef = createActor(hostLogic).start();
  return rate(
    (i) => {
      if (i % 32 === 0) host = createActor(hostLogic).start();
      createActor(floorMachine, { parent: host }).start();
    },
    done,
    stream,
  );
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

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}

/**
 * Bytes allocated per task over one streamed round, garbage included: V8's sampling heap
 * profiler, told to keep what minor and major GCs collected. Allocation drives GC, which is
 * where much of a task's time goes.
 */
async function allocatedPerTask(round: () => Promise<number>): Promise<number> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await round();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
  session.disconnect();
  const total = (node: SamplingNode): number => node.children.reduce((sum, child) => sum + total(child), node.selfSize);
  return total(profile.head) / N;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function measure(name: string, fn: () => Promise<number>): Promise<number> {
  const runs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    collect();
    runs.push(await fn());
  }
  console.log(`  ${name.padEnd(34)} ${fmt(median(runs)).padStart(9)} tasks/s   [${runs.map(fmt).join(', ')}]`);
  return median(runs);
}

/** The variants' rounds interleaved (none, global, per task, none, ...), so drift hits them alike. */
async function measureLimits(stream: boolean): Promise<void> {
  const variants: Limits[] = ['none', 'global', 'per task and global'];
  const runs = new Map<Limits, number[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const limits of variants) {
      collect();
      runs.get(limits)?.push(await errandRate(stream, limits));
    }
  }
  const none = median(runs.get('none') ?? []);
  for (const limits of variants) {
    const rates = runs.get(limits) ?? [];
    const label = limits === 'none' ? 'errand, no worker limit' : `errand, limit never reached (${limits})`;
    const ratio = limits === 'none' ? '' : `   ${(median(rates) / none).toFixed(3)}x of no limit`;
    console.log(`  ${label.padEnd(50)} ${fmt(median(rates)).padStart(9)} tasks/s   [${rates.map(fmt).join(', ')}]${ratio}`);
  }
}

export default async function run(): Promise<void> {
  for (const stream of [false, true]) {
    console.log(
      stream
        ? `100k no-op oneTime tasks, streamed ${fmt(CHUNK)} per macrotask, median of ${ROUNDS}`
        : `100k no-op oneTime tasks, all submitted at once, median of ${ROUNDS}`,
    );
    const p = await measure('p-queue (concurrency Infinity)', () => pQueueRate(stream));
    const floor = await measure('XState floor (bare actor per task)', () => xstateFloorRate(stream));
    const e = await measure('errand orchestrator', () => errandRate(stream));
    console.log(`  p-queue / errand: ${(p / e).toFixed(1)}x, XState floor / errand: ${(floor / e).toFixed(1)}x`);
    const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
    console.log(
      `  goal >= 40,000 tasks/s: ${verdict(e >= 40_000)} (the XState floor alone: ${verdict(floor >= 40_000)}); ` +
        `goal within 6x of p-queue: ${verdict(p / e <= 6)} (the XState floor alone: ${verdict(p / floor <= 6)}, ${(p / floor).toFixed(1)}x)`,
    );
    await measureLimits(stream);
  }
  const floorBytes = await allocatedPerTask(() => xstateFloorRate(true));
  const errandBytes = await allocatedPerTask(() => errandRate(true));
  console.log(
    `allocated per task, garbage included (streamed): XState floor ${fmt(floorBytes)} B, errand ${fmt(errandBytes)} B ` +
      `(${(errandBytes / floorBytes).toFixed(1)}x)`,
  );
  for (const count of [10_000, 100_000]) {
    const bytes = await bytesPerIdleTask(count);
    console.log(`heap per idle pending task at ${fmt(count)}: ${fmt(bytes)} bytes   (goal: <= 4,096)`);
  }
}
