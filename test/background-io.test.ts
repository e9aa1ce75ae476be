import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import burn from './fixtures/background-burn.mjs';
import { failOnUnhandledRejections, setup } from './support.js';

// fireAndForgetIO runs real worker threads, so these tests wait in real time (briefly); the
// orchestrator itself stays on the simulated clock.

const burnModule = new URL('./fixtures/background-burn.mjs', import.meta.url);
const burnTsModule = new URL('./fixtures/background-burn-ts.ts', import.meta.url);

failOnUnhandledRejections();

type Orchestrator = ReturnType<typeof setup>['orchestrator'];

/** Polls (in real time, cheaply: the timed test measures this thread) until `done()` holds. */
async function until(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until no background call is running. */
const idle = (orchestrator: Orchestrator) => until(() => orchestrator.backgroundDiagnostics().runningCalls === 0);

describe('fireAndForgetIO', () => {
  it('runs the module default export on a worker thread and logs its failure with the helper name', async () => {
    const { orchestrator, logged } = setup();
    orchestrator.fireAndForgetIO(burnModule, { ms: 1 }, { name: 'ok' });
    orchestrator.fireAndForgetIO(burnModule.href, { fail: true }, { name: 'resize' });
    await idle(orchestrator);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', message: 'errand: fireAndForgetIO "resize" failed' });
    expect((logged[0]?.details as Error).message).toBe('burn failed on purpose');
    expect(orchestrator.backgroundDiagnostics().ioThreads).toBeGreaterThan(0); // idle threads are kept a while
    await orchestrator.shutdown();
    expect(orchestrator.backgroundDiagnostics()).toEqual({ helpers: 0, runningCalls: 0, ioThreads: 0 });
  });

  it('loads a TypeScript module when the pool threads get a loader', async () => {
    const { orchestrator, logged } = setup();
    orchestrator.configureIO({ execArgv: ['--import', 'tsx'], maxThreads: 1 });
    orchestrator.fireAndForgetIO(burnTsModule, { ms: 1 }, { name: 'ts' });
    await idle(orchestrator);
    expect(logged).toEqual([]);
    expect(() => orchestrator.configureIO({ maxThreads: 2 })).toThrow(/already started/);
    await orchestrator.shutdown();
    expect(orchestrator.backgroundDiagnostics().ioThreads).toBe(0);
  });

  it('shutdown terminates running work and leaves no threads, timers or unhandled rejections', async () => {
    const { orchestrator, clock, logged } = setup();
    orchestrator.fireAndForgetIO(burnModule, { ms: 20_000 }, { name: 'long' });
    orchestrator.fireAndForgetIO(burnModule, { ms: 20_000 }, { name: 'long' });
    await until(() => orchestrator.backgroundDiagnostics().ioThreads > 0);
    const started = Date.now();
    await orchestrator.shutdown({ timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000); // did not wait for the 20 s of work
    expect(orchestrator.backgroundDiagnostics()).toEqual({ helpers: 0, runningCalls: 0, ioThreads: 0 });
    expect(clock.pendingTimers()).toBe(0);
    expect(logged).toEqual([]); // cancellation is not a failure
  });

  it('wants an absolute path or a file: URL', () => {
    const { orchestrator } = setup();
    expect(() => orchestrator.fireAndForgetIO('./fixtures/background-burn.mjs')).toThrow(/module: must be an absolute path/);
  });

  // The one timed test. Other processes competing for the CPU can stall any thread for tens
  // of milliseconds, so a noisy run is retried rather than the bound loosened.
  it('keeps main-thread timers on time while CPU-bound work runs in the pool, unlike inline', { retry: 3 }, async () => {
    const { orchestrator } = setup();
    const work = { ms: 1_200 };

    // Inline: the same function on the main thread.
    const inline = monitorEventLoopDelay({ resolution: 10 });
    inline.enable();
    await new Promise((resolve) => setTimeout(resolve, 30));
    burn(work);
    await new Promise((resolve) => setTimeout(resolve, 30));
    inline.disable();
    const inlineMaxMs = inline.max / 1e6;

    // The first fireAndForgetIO loads piscina and starts a thread on the main thread (a
    // one-time cost, measured here for the record); the work itself is measured after it.
    const startup = monitorEventLoopDelay({ resolution: 10 });
    startup.enable();
    orchestrator.fireAndForgetIO(burnModule, { ms: 1 }, { name: 'warm-up' });
    await idle(orchestrator);
    startup.disable();
    const startupMaxMs = startup.max / 1e6;

    // Through the pool.
    const pooled = monitorEventLoopDelay({ resolution: 10 });
    pooled.enable();
    const ticks: number[] = [];
    let last = performance.now();
    const interval = setInterval(() => {
      const now = performance.now();
      ticks.push(now - last);
      last = now;
    }, 10);
    orchestrator.fireAndForgetIO(burnModule, work, { name: 'burn' });
    await idle(orchestrator);
    clearInterval(interval);
    pooled.disable();
    const pooledMaxMs = pooled.max / 1e6;
    const maxTickGapMs = Math.max(...ticks);
    await orchestrator.shutdown();

    console.info(
      `event-loop delay max: inline ${inlineMaxMs.toFixed(1)} ms, pool ${pooledMaxMs.toFixed(1)} ms ` +
        `(pool start-up, once: ${startupMaxMs.toFixed(1)} ms); ` +
        `10 ms interval: ${ticks.length} ticks, largest gap ${maxTickGapMs.toFixed(1)} ms`,
    );
    expect(inlineMaxMs).toBeGreaterThan(1_000);
    expect(pooledMaxMs).toBeLessThan(50);
    expect(pooledMaxMs).toBeLessThan(inlineMaxMs / 10);
    expect(ticks.length).toBeGreaterThan(50); // the interval kept firing through the 1.2 s of work
  });
});
