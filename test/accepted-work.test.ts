// "Accepted work is sacred": once schedule() resolves, the request as given then survives restarts
// and faults and runs within its attempt limit; what errand cannot keep is refused up front, and
// nothing refused or half-accepted runs. Each case names the class of issue 9 it covers.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineTask,
  PlatformError,
  StoreWriteError,
  TaskCancelledError,
  WorkFailedError,
  type StoreBatch,
  type StorePort,
} from '../src/index.js';
import { memoryStore, testPlatform } from '../src/testing/index.js';
import { deferred, failOnUnhandledRejections, setup } from './support.js';
import { faultyStore } from './support/faulty-store.js';

failOnUnhandledRejections();

/** A store whose writes the test breaks: `fail` rejects the next writes, `hang` never settles them. */
function breakableStore(inner: StorePort = memoryStore()) {
  const control = { fail: null as Error | null, hang: false, closed: 0 };
  const store: StorePort = {
    ...inner,
    open: (options) => inner.open(options),
    get: (id) => inner.get(id),
    due: (q) => inner.due(q),
    nextDueAt: (a) => inner.nextDueAt(a),
    list: (q) => inner.list(q),
    held: () => inner.held(),
    write(batch: StoreBatch) {
      if (control.hang) return new Promise<void>(() => {});
      if (control.fail) return Promise.reject(control.fail);
      return inner.write(batch);
    },
    async close() {
      control.closed++;
    },
  };
  return { store, control };
}

describe('the input is taken when schedule() is called (class 1)', () => {
  it('ignores changes the caller makes to its object afterwards, in this process and after a restart', async () => {
    const first = setup();
    const pay = defineTask({ id: 'pay', input: z.object({ amount: z.number() }), run: async ({ input }) => input.amount });
    first.orchestrator.register(pay);
    await first.orchestrator.start();
    const input = { amount: 10 };
    await first.orchestrator.schedule({ taskId: 'pay/1', input, initialDelayMs: 200 });
    input.amount = 999_999;
    await first.orchestrator.schedule({ taskId: 'pay/2', input });
    input.amount = 5;
    await first.orchestrator.schedule({ taskId: 'pay/3', input, initialDelayMs: 200 });
    await first.clock.flush();
    expect(await first.orchestrator.getTask('pay/2')).toMatchObject({ outcome: { ok: true, value: 999_999 } });

    // A crash: the next process starts from what the store holds.
    const second = setup({ store: memoryStore(first.store.records()), clock: first.clock });
    second.orchestrator.register(pay);
    await second.orchestrator.start();
    await first.clock.advance(200);
    expect(await second.orchestrator.getTask('pay/1')).toMatchObject({ outcome: { ok: true, value: 10 } });
    expect(await second.orchestrator.getTask('pay/3')).toMatchObject({ outcome: { ok: true, value: 5 } });
  });
});

describe('a refused request leaves nothing live (class 2)', () => {
  it('rejects with StoreWriteError when the store write fails, and the work never runs', async () => {
    const { store, control } = breakableStore();
    const { orchestrator, clock } = setup({ store });
    let runs = 0;
    orchestrator.register('job', async () => void runs++);
    await orchestrator.start();
    control.fail = Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' });
    const a = orchestrator.schedule({ taskId: 'job/a' });
    const b = orchestrator.schedule({ taskId: 'job/b', kind: 'periodic', intervalMs: 10 });
    const errors = await Promise.all([a.catch((e: unknown) => e), b.catch((e: unknown) => e)]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(StoreWriteError);
      expect((error as StoreWriteError).cause).toBe(control.fail);
    }
    await clock.advance(1_000);
    expect(runs).toBe(0);
    expect(orchestrator.diagnostics().liveTasks).toBe(0);
    control.fail = null;
    await orchestrator.schedule({ taskId: 'job/c' });
    await clock.flush();
    expect(runs).toBe(1);
  });

  it('refuses an input the store cannot keep without failing another request of the same tick', async () => {
    const { orchestrator, clock, store } = setup();
    const ran: string[] = [];
    orchestrator.register('job', async ({ taskId }) => void ran.push(taskId));
    await orchestrator.start();
    const bad = orchestrator.schedule({ taskId: 'job/bad', input: JSON.parse('{"ok": 1, "__proto__": {"polluted": true}}') });
    const good = orchestrator.schedule({ taskId: 'job/good', input: { ok: 1 } });
    await expect(bad).rejects.toMatchObject({ name: 'ValidationError', field: expect.stringMatching(/^input/) });
    await good;
    await clock.flush();
    expect(ran).toEqual(['job/good']);
    expect(store.records()).toEqual([]);
  });
});

describe('a store that applies half a batch and fails (class 2, non-atomic store)', () => {
  it('refuses every call of the torn batch, runs none of them here, and loses no work accepted before', async () => {
    const store = faultyStore(memoryStore());
    const { orchestrator, clock } = setup({ store, activationHorizonMs: 1_000 });
    const ran: string[] = [];
    orchestrator.register('job', async ({ taskId }) => void ran.push(taskId));
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/kept', initialDelayMs: 60_000 });
    store.tearWrites(1, new Error('disk gone mid-batch'));
    const torn = await Promise.all(
      ['job/t1', 'job/t2', 'job/t3'].map((taskId) => orchestrator.schedule({ taskId }).catch((e: unknown) => e)),
    );
    for (const error of torn) expect(error).toBeInstanceOf(StoreWriteError);
    await clock.advance(60_000);
    expect(ran).toEqual(['job/kept']); // the torn requests never ran, though the store kept one
    expect(orchestrator.diagnostics().held).toEqual([{ key: 'job/t1', reason: expect.stringContaining('refused') }]);
    expect(await orchestrator.getTask('job/t1')).toMatchObject({ status: 'pending' }); // kept, reported, not run
  });
});

describe('the attempt limit holds across crashes (class 4)', () => {
  it('counts each attempt a crash cut off, and after maxAttempts of them ends done without running again', async () => {
    let store = memoryStore();
    const clockOwner = setup();
    const clock = clockOwner.clock;
    const attempts: number[] = [];
    for (let crash = 0; crash < 5; crash++) {
      const { orchestrator } = setup({ store, clock });
      orchestrator.register('import', ({ attempt }) => {
        attempts.push(attempt);
        return new Promise(() => {}); // the process dies while it runs
      });
      await orchestrator.start();
      if (crash === 0) await orchestrator.schedule({ taskId: 'import', backoff: { maxAttempts: 3 } });
      await clock.flush();
      const snapshot = await orchestrator.getTask('import');
      if (crash === 3) {
        expect(snapshot).toMatchObject({ status: 'done', attempt: 3, interrupted: 3, outcome: { ok: false } });
        const error = snapshot?.outcome?.ok === false ? snapshot.outcome.error : undefined;
        expect(error).toBeInstanceOf(WorkFailedError);
        expect((error as WorkFailedError).reason).toMatch(/interrupted/);
      }
      store = memoryStore(store.records()); // a crash: only what was stored survives
    }
    expect(attempts).toEqual([1, 2, 3]);
    expect(store.records()).toEqual([]);
  });

  it('shows an interrupted attempt in the snapshot while the retry runs', async () => {
    const first = setup();
    first.orchestrator.register('sync', () => new Promise(() => {}));
    await first.orchestrator.start();
    await first.orchestrator.schedule({ taskId: 'sync', backoff: { maxAttempts: 5 } });
    await first.clock.flush();
    const second = setup({ store: memoryStore(first.store.records()), clock: first.clock });
    second.orchestrator.register('sync', () => new Promise(() => {}));
    await second.orchestrator.start();
    expect(await second.orchestrator.getTask('sync')).toMatchObject({ status: 'running', attempt: 2, interrupted: 1 });
  });
});

describe('any order of start, cancel, schedule and shutdown (classes 5, 6)', () => {
  it('cancel() racing start() wins: the cancelled stored task never runs', async () => {
    const first = setup();
    first.orchestrator.register('t', async () => {});
    await first.orchestrator.start();
    await first.orchestrator.schedule({ taskId: 't/1', initialDelayMs: 50 });
    await first.orchestrator.shutdown();
    await first.clock.advance(100);

    const second = setup({ store: first.store, clock: first.clock });
    let runs = 0;
    second.orchestrator.register('t', async () => void runs++);
    await Promise.all([second.orchestrator.cancel('t/1'), second.orchestrator.start()]);
    await first.clock.advance(1_000);
    expect(runs).toBe(0);
    expect(first.store.records()).toEqual([]);
  });

  it('shutdown() during start() leaves no actor and no timer, and nothing runs', async () => {
    const first = setup();
    first.orchestrator.register('t', async () => {});
    await first.orchestrator.start();
    await first.orchestrator.schedule({ taskId: 't/1', initialDelayMs: 10 });
    await first.orchestrator.schedule({ taskId: 't/2', initialDelayMs: 60 * 60_000 });
    await first.orchestrator.shutdown();

    const second = setup({ store: first.store, clock: first.clock });
    let runs = 0;
    second.orchestrator.register('t', async () => void runs++);
    const started = second.orchestrator.start();
    const stopped = second.orchestrator.shutdown();
    await Promise.all([started, stopped]);
    await first.clock.advance(2 * 60 * 60_000);
    expect(runs).toBe(0);
    expect(second.orchestrator.diagnostics().liveTasks).toBe(0);
    expect(first.clock.pendingTimers()).toBe(0);
    expect(first.store.records().map((r) => r.taskId).sort()).toEqual(['t/1', 't/2']);
    await expect(second.orchestrator.schedule({ taskId: 't/3' })).rejects.toBeInstanceOf(TaskCancelledError);
    // The store is closed: cancel refuses rather than queueing a write nobody will make.
    await expect(second.orchestrator.cancel('t/2')).rejects.toMatchObject({ name: 'AbortError', reason: 'shutdown' });
    await expect(second.orchestrator.cancelAll()).rejects.toMatchObject({ reason: 'shutdown' });
    expect(first.store.records().map((r) => r.taskId).sort()).toEqual(['t/1', 't/2']);
  });
});

describe('shutdown settles whatever a store or platform does (classes 7, 8)', () => {
  it('resolves within its timeout when a store write never settles, and still closes the store', async () => {
    const { store, control } = breakableStore();
    const { orchestrator, logged } = setup({ store });
    orchestrator.register('job', async () => {});
    await orchestrator.start();
    control.hang = true;
    const hung = orchestrator.schedule({ taskId: 'job/1' });
    void hung.catch(() => {});
    // The simulated clock never moves here: the real-time bound ends it.
    await orchestrator.shutdown({ timeoutMs: 50 });
    expect(control.closed).toBe(1);
    expect(logged.some((l) => /store writes still pending/.test(l.message))).toBe(true);
  });

  it('cancels everything and closes the store when the platform throws on unsubscribe', async () => {
    const { store, control } = breakableStore();
    const base = testPlatform();
    const platform = { ...base, subscribe: () => () => { throw new Error('boom'); } };
    const { orchestrator, clock, logged } = setup({ store, platform });
    const stopped = deferred();
    orchestrator.register('beat', async ({ signal }) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      stopped.resolve();
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'beat', kind: 'periodic', intervalMs: 10 });
    await clock.flush();
    await orchestrator.shutdown();
    await stopped.promise;
    expect(orchestrator.peekTask('beat')).toMatchObject({ status: 'cancelled', cancelReason: 'shutdown' });
    expect(control.closed).toBe(1);
    expect(logged.some((l) => l.level === 'error' && /unsubscribe/.test(l.message))).toBe(true);
  });

  it('turns a platform that throws, or returns no unsubscribe function, into a PlatformError', () => {
    const throwing = { current: () => { throw new Error('no battery API'); }, subscribe: () => () => {} };
    expect(() => setup({ platform: throwing })).toThrow(PlatformError);
    const noUnsubscribe = { current: () => ({}), subscribe: () => undefined as unknown as () => void };
    expect(() => setup({ platform: noUnsubscribe })).toThrow(PlatformError);
    const failingSubscribe = { current: () => ({}), subscribe: () => { throw new Error('denied'); } };
    expect(() => setup({ platform: failingSubscribe })).toThrow(/subscribe\(\) failed: denied/);
  });
});
