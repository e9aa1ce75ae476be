import { describe, expect, it } from 'vitest';
import handshake, { ANSWERED, GAVE_UP, STARTED_ON_WORKER } from './fixtures/background-handshake.mjs';
import { failOnUnhandledRejections, setup } from './support.js';

// fireAndForgetIO runs real worker threads, so these tests wait in real time (briefly); the
// orchestrator itself stays on the simulated clock.

const burnModule = new URL('./fixtures/background-burn.mjs', import.meta.url);
const handshakeModule = new URL('./fixtures/background-handshake.mjs', import.meta.url);
const burnTsModule = new URL('./fixtures/background-burn-ts.ts', import.meta.url);

failOnUnhandledRejections();

type Orchestrator = ReturnType<typeof setup>['orchestrator'];

/** Polls in real time until `done()` holds. */
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
    // A call that spins until answered, and nobody answers: only termination ends it.
    const state = new Int32Array(new SharedArrayBuffer(8));
    orchestrator.fireAndForgetIO(handshakeModule, { state, giveUpAfterMs: 20_000 }, { name: 'long' });
    await until(() => Atomics.load(state, 0) === STARTED_ON_WORKER);
    await orchestrator.shutdown({ timeoutMs: 30_000 });
    // Had shutdown waited for the work (it allows 30 s), the work would have given up at 20 s.
    expect(Atomics.load(state, 0)).toBe(STARTED_ON_WORKER);
    expect(orchestrator.backgroundDiagnostics()).toEqual({ helpers: 0, runningCalls: 0, ioThreads: 0 });
    expect(clock.pendingTimers()).toBe(0);
    expect(logged).toEqual([]); // cancellation is not a failure
  });

  it('wants an absolute path or a file: URL', () => {
    const { orchestrator } = setup();
    expect(() => orchestrator.fireAndForgetIO('./fixtures/background-burn.mjs')).toThrow(/module: must be an absolute path/);
  });

  // Timing (event-loop delay inline against the pool) is measured by `npm run bench -- io`; this
  // checks the behaviour behind it without a clock: the work runs on another thread while the
  // main thread keeps serving its own timers.
  it('runs CPU-bound work on another thread while the main thread keeps running', async () => {
    const { orchestrator, logged } = setup();
    const state = new Int32Array(new SharedArrayBuffer(8));
    orchestrator.fireAndForgetIO(handshakeModule, { state }, { name: 'handshake' });
    // The worker is now spinning until it hears from this thread; a timer here still fires.
    await until(() => Atomics.load(state, 0) !== 0);
    expect(Atomics.load(state, 0)).toBe(STARTED_ON_WORKER);
    Atomics.store(state, 1, 1);
    await idle(orchestrator);
    expect(Atomics.load(state, 0)).toBe(ANSWERED);
    expect(logged).toEqual([]);
    await orchestrator.shutdown();
  });

  it('the handshake would fail if the same function ran on the main thread', () => {
    const state = new Int32Array(new SharedArrayBuffer(8));
    expect(handshake({ state, giveUpAfterMs: 20 })).toBe('gave up');
    expect(Atomics.load(state, 0)).toBe(GAVE_UP);
  });
});
