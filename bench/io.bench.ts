// fireAndForgetIO against running the same CPU-bound function inline: the main thread's largest
// event-loop delay while 1.2 s of arithmetic runs. Both are measured in this run, one after the other.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createOrchestrator } from '../src/index.js';
import burn from '../test/fixtures/background-burn.mjs';

const WORK = { ms: 1_200 };
const burnModule = new URL('../test/fixtures/background-burn.mjs', import.meta.url);

async function maxDelayMs(during: () => Promise<void>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 30));
  await during();
  await new Promise((resolve) => setTimeout(resolve, 30));
  histogram.disable();
  return histogram.max / 1e6;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

export default async function run(): Promise<void> {
  const orchestrator = createOrchestrator({ logger: { ...console, info: () => {} } });
  const idle = () => until(() => orchestrator.backgroundDiagnostics().runningCalls === 0);
  const inline = await maxDelayMs(async () => void burn(WORK));
  // The first call loads piscina and starts a thread; that one-time cost is reported on its own.
  const startup = await maxDelayMs(async () => {
    orchestrator.fireAndForgetIO(burnModule, { ms: 1 });
    await idle();
  });
  const pooled = await maxDelayMs(async () => {
    orchestrator.fireAndForgetIO(burnModule, WORK);
    await idle();
  });
  await orchestrator.shutdown();
  console.log(`largest event-loop delay while ${WORK.ms} ms of CPU-bound work runs:`);
  console.log(`  inline on the main thread   ${inline.toFixed(1).padStart(8)} ms`);
  console.log(`  fireAndForgetIO (pool)      ${pooled.toFixed(1).padStart(8)} ms   (inline / pool: ${(inline / pooled).toFixed(0)}x)`);
  console.log(`  pool start-up, first call   ${startup.toFixed(1).padStart(8)} ms`);
}
