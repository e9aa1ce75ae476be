// Throughput with XState inspection off against a no-op inspection observer, in one process.
// Rounds alternate (off, on, off, on, ...) so drift in the machine affects both sides alike; an
// off-vs-off comparison of the same rounds gives the noise floor the ratio should be read against.
import type { InspectionEvent } from 'xstate';
import { createOrchestrator } from '../src/index.js';

const TASKS = 10_000;
const ROUNDS = 5;

type Mode = 'off' | 'noop';

const gc = (globalThis as { gc?: () => void }).gc;

/** Schedules TASKS one-time tasks (due now) and runs them to done; returns tasks per second. */
async function scheduledRound(mode: Mode): Promise<number> {
  let events = 0;
  const inspect = mode === 'noop' ? (_event: InspectionEvent) => void events++ : undefined;
  const orchestrator = createOrchestrator(inspect ? { inspect } : {});
  let done = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  orchestrator.register('noop', async () => {
    if (++done === TASKS) allDone();
  });
  await orchestrator.start();
  const started = performance.now();
  const stored: Promise<unknown>[] = [];
  for (let i = 0; i < TASKS; i++) stored.push(orchestrator.schedule({ taskId: `noop/${i}` }));
  await Promise.all(stored);
  await finished;
  const perSecond = TASKS / ((performance.now() - started) / 1000);
  await orchestrator.shutdown();
  if (mode === 'noop' && events === 0) throw new Error('inspect observer saw no events');
  return perSecond;
}

/** Runs TASKS runNow calls (one TaskId each) to completion; returns calls per second. */
async function runNowRound(mode: Mode): Promise<number> {
  const inspect = mode === 'noop' ? (_event: InspectionEvent) => {} : undefined;
  const orchestrator = createOrchestrator(inspect ? { inspect } : {});
  await orchestrator.start();
  const started = performance.now();
  const calls: Promise<number>[] = [];
  for (let i = 0; i < TASKS; i++) calls.push(orchestrator.runNow(`now/${i}`, () => i));
  await Promise.all(calls);
  const perSecond = TASKS / ((performance.now() - started) / 1000);
  await orchestrator.shutdown();
  return perSecond;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function measure(name: string, round: (mode: Mode) => Promise<number>): Promise<void> {
  await round('off'); // warm-up: JIT and module caches
  await round('noop');
  const off: number[] = [];
  const on: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    gc?.();
    off.push(await round('off'));
    gc?.();
    on.push(await round('noop'));
  }
  // Noise floor: the odd rounds against the even rounds, both with inspection off.
  const evenOff = off.filter((_, i) => i % 2 === 0);
  const oddOff = off.filter((_, i) => i % 2 === 1);
  const ratio = median(off) / median(on);
  const noise = median(evenOff) / median(oddOff);
  console.log(
    `${name.padEnd(26)} off ${Math.round(median(off)).toLocaleString('en-US').padStart(9)}/s` +
      `   no-op inspect ${Math.round(median(on)).toLocaleString('en-US').padStart(9)}/s` +
      `   off/on ${ratio.toFixed(2)}x   (off/off noise ${noise.toFixed(2)}x)`,
  );
}

export default async function inspectBench(): Promise<void> {
  console.log(`${TASKS.toLocaleString('en-US')} tasks per round, median of ${ROUNDS} alternating rounds${gc ? ', gc between rounds' : ''}`);
  await measure('schedule → done', scheduledRound);
  await measure('runNow → resolved', runNowRound);
}
