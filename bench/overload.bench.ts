// Overload: 10k periodic tasks with intervalMs 10 on the memory store, far more work than the
// process can keep up with. Over a 5 s window (after 1 s to settle) it reports the event loop's
// delay (monitorEventLoopDelay, resolution 1 ms: p50, p99, max) and worker calls per second.
// Baseline in the same run: the same no-op async worker on 10k plain setTimeout loops that re-arm
// 10 ms after each call settles (what a periodic task does), so the ratios show what errand adds.
// Goal: errand's p99 <= 50 ms.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createOrchestrator } from '../src/index.js';

const TASKS = 10_000;
const INTERVAL_MS = 10;
const SETTLE_MS = 1_000;
const WINDOW_MS = 5_000;

const gc = (globalThis as { gc?: () => void }).gc;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Figures {
  p50: number;
  p99: number;
  max: number;
  callsPerSecond: number;
}

/** Starts the load, lets it settle, then measures one window; `stop` ends the load. */
async function measure(startLoad: (work: () => Promise<void>) => Promise<() => Promise<void>>): Promise<Figures> {
  gc?.();
  let calls = 0;
  const stop = await startLoad(async () => void calls++);
  await sleep(SETTLE_MS);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  calls = 0;
  const started = performance.now();
  histogram.enable();
  await sleep(WINDOW_MS);
  histogram.disable();
  const callsPerSecond = calls / ((performance.now() - started) / 1000);
  await stop();
  const toMs = (ns: number) => ns / 1e6;
  return { p50: toMs(histogram.percentile(50)), p99: toMs(histogram.percentile(99)), max: toMs(histogram.max), callsPerSecond };
}

async function timerLoops(work: () => Promise<void>): Promise<() => Promise<void>> {
  let running = true;
  const loop = (): void => {
    void work().then(() => {
      if (running) setTimeout(loop, INTERVAL_MS);
    });
  };
  for (let i = 0; i < TASKS; i++) loop();
  return async () => {
    running = false;
    await sleep(2 * INTERVAL_MS); // let armed timers fire once and end
  };
}

async function errandPeriodic(work: () => Promise<void>): Promise<() => Promise<void>> {
  const orchestrator = createOrchestrator();
  orchestrator.register('tick', work);
  await orchestrator.start();
  const stored: Promise<unknown>[] = [];
  for (let i = 0; i < TASKS; i++) {
    stored.push(orchestrator.schedule({ taskId: `tick/${i}`, kind: 'periodic', intervalMs: INTERVAL_MS }));
  }
  await Promise.all(stored);
  return () => orchestrator.shutdown();
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (name: string, f: Figures) =>
  `  ${name.padEnd(28)} p50 ${f.p50.toFixed(1).padStart(7)} ms  p99 ${f.p99.toFixed(1).padStart(7)} ms  ` +
  `max ${f.max.toFixed(1).padStart(7)} ms  ${fmt(f.callsPerSecond).padStart(9)} calls/s`;

export default async function overloadBench(): Promise<void> {
  console.log(
    `${fmt(TASKS)} periodic tasks, intervalMs ${INTERVAL_MS}, memory store: event-loop delay (resolution 1 ms) and worker ` +
      `calls/s over ${WINDOW_MS / 1000} s, after ${SETTLE_MS / 1000} s to settle`,
  );
  const base = await measure(timerLoops);
  console.log(line(`${fmt(TASKS)} setTimeout loops`, base));
  const errand = await measure(errandPeriodic);
  console.log(line('errand periodic tasks', errand));
  console.log(
    `  errand / setTimeout: p99 ${(errand.p99 / base.p99).toFixed(1)}x, max ${(errand.max / base.max).toFixed(1)}x, ` +
      `calls/s ${(errand.callsPerSecond / base.callsPerSecond).toFixed(2)}x; ` +
      `goal errand p99 <= 50 ms: ${errand.p99 <= 50 ? 'met' : 'NOT met'}`,
  );
}
