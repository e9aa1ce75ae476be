import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createOrchestrator,
  defineTask,
  ResultUnavailableError,
  TaskCancelledError,
  WorkFailedError,
  WorkResult,
} from '../src/index.js';
import { memoryStore, testClock } from '../src/testing/index.js';
import { deferred, failOnUnhandledRejections, setup } from './support.js';

failOnUnhandledRejections();

const HOUR = 3_600_000;

const double = defineTask({
  id: 'math.double',
  input: z.object({ n: z.number() }),
  run: async ({ input }) => input.n * 2,
});

/** The error a promise rejects with (fails the test if it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

describe('schedule() handle and result()', () => {
  it('resolves with the worker value of work that ended before result() was called', async () => {
    const { orchestrator, clock } = setup();
    const typed = orchestrator.register(double);
    await typed.start();
    const handle = await typed.schedule({ taskId: 'math.double', input: { n: 21 } });
    expect(handle.taskId).toBe('math.double');
    await clock.flush();
    expect(orchestrator.peekTask('math.double')?.status).toBe('done');
    await expect(handle.result()).resolves.toBe(42);
    // Asked again, the retained outcome answers the same.
    await expect(typed.result('math.double')).resolves.toBe(42);
  });

  it('resolves once work that is not due yet has run, and instances resolve independently', async () => {
    const { orchestrator, clock } = setup();
    const typed = orchestrator.register(double);
    await typed.start();
    const first = await typed.schedule({ taskId: 'math.double/1', input: { n: 1 }, initialDelayMs: 500 });
    const second = await typed.schedule({ taskId: 'math.double/2', input: { n: 2 }, initialDelayMs: 900 });
    const results: unknown[] = [];
    void first.result().then((value) => results.push(['1', value]));
    void second.result().then((value) => results.push(['2', value]));
    await clock.advance(499);
    expect(results).toEqual([]);
    await clock.advance(1);
    expect(results).toEqual([['1', 2]]);
    await clock.advance(400);
    expect(results).toEqual([['1', 2], ['2', 4]]);
  });

  it('awaits dormant work (a record only) and resolves when the wake-up runs it', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('later', async () => 'woke');
    await orchestrator.start();
    const handle = await orchestrator.schedule({ taskId: 'later', initialDelayMs: HOUR });
    expect(orchestrator.actorOf('later')).toBeUndefined(); // dormant: no actor
    let value: unknown = null;
    void handle.result().then((v) => (value = v));
    await clock.advance(HOUR - 10_000);
    expect(value).toBeNull();
    expect(orchestrator.actorOf('later')).toBeUndefined(); // waiting on a result keeps nothing active
    await clock.advance(10_000);
    expect(value).toBe('woke');
  });

  it('rejects with WorkFailedError when the worker reports failure or runs out of attempts', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('refuses', async () => WorkResult.failure('no account'));
    orchestrator.register('throws', async () => {
      throw new Error('boom');
    });
    await orchestrator.start();
    const refuses = await orchestrator.schedule({ taskId: 'refuses' });
    const throws = await orchestrator.schedule({ taskId: 'throws', backoff: { initialDelayMs: 10, maxAttempts: 2 } });
    const refused = rejectionOf(refuses.result());
    const threw = rejectionOf(throws.result());
    await clock.advance(100);
    const refusal = await refused;
    expect(refusal).toBeInstanceOf(WorkFailedError);
    expect(refusal).toMatchObject({ taskId: 'refuses', reason: 'no account' });
    const exhausted = await threw;
    expect(exhausted).toBeInstanceOf(WorkFailedError);
    expect(exhausted).toMatchObject({ taskId: 'throws', reason: 'gave up after 2 attempts' });
    expect((exhausted as WorkFailedError).cause).toBeInstanceOf(Error);
  });

  it('rejects with TaskCancelledError when active or dormant work is cancelled', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('job', async () => 'ran');
    await orchestrator.start();
    const soon = await orchestrator.schedule({ taskId: 'job/soon', initialDelayMs: 100 });
    const far = await orchestrator.schedule({ taskId: 'job/far', initialDelayMs: HOUR });
    const soonResult = rejectionOf(soon.result());
    const farResult = rejectionOf(far.result());
    await clock.flush();
    await orchestrator.cancel('job/soon');
    await orchestrator.cancel('job/far');
    await clock.flush();
    for (const [error, taskId] of [
      [await soonResult, 'job/soon'],
      [await farResult, 'job/far'],
    ] as const) {
      expect(error).toBeInstanceOf(TaskCancelledError);
      expect(error).toMatchObject({ taskId, reason: 'cancelled' });
    }
  });

  it('rejects with reason "preempted" when a runNow takes the TaskId over', async () => {
    const { orchestrator, clock } = setup();
    const release = deferred<string>();
    orchestrator.register('sync', async () => release.promise);
    await orchestrator.start();
    const handle = await orchestrator.schedule({ taskId: 'sync' });
    const scheduled = rejectionOf(handle.result());
    await clock.flush();
    expect(orchestrator.peekTask('sync')?.status).toBe('running');
    await expect(orchestrator.runNow('sync', async () => 'instant')).resolves.toBe('instant');
    expect(await scheduled).toMatchObject({ name: 'AbortError', reason: 'preempted' });
    release.resolve('late');
  });

  it('follows its TaskId: a later schedule() that replaces the request decides the result', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register(double);
    await orchestrator.start();
    const first = await orchestrator.schedule({ taskId: 'math.double', input: { n: 1 }, initialDelayMs: 1_000 });
    await orchestrator.schedule({ taskId: 'math.double', input: { n: 5 }, initialDelayMs: 10 });
    const value = first.result();
    await clock.advance(10);
    await expect(value).resolves.toBe(10);
  });

  it("settles a periodic task's handle with its first run, then each result() with the next run to end", async () => {
    const { orchestrator, clock } = setup();
    let runs = 0;
    orchestrator.register('tick', async () => ++runs);
    await orchestrator.start();
    const handle = await orchestrator.schedule({ taskId: 'tick', kind: 'periodic', intervalMs: 60_000 });
    await clock.flush();
    expect(runs).toBe(1); // the first run ended before result() was asked
    await expect(handle.result()).resolves.toBe(1);
    const next = orchestrator.result('tick');
    await clock.advance(60_000);
    await expect(next).resolves.toBe(2);
    // Dormant between periods (an interval beyond the activation horizon), and still awaited.
    expect(orchestrator.actorOf('tick')).toBeUndefined();
    const third = orchestrator.result('tick');
    await clock.advance(60_000);
    await expect(third).resolves.toBe(3);
  });

  it('rejects with ResultUnavailableError for a TaskId with nothing scheduled or an evicted result', async () => {
    const { orchestrator, clock } = setup({ retainFinished: 1 });
    orchestrator.register('job', async ({ taskId }) => taskId);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/a' });
    await clock.flush();
    await expect(orchestrator.result('job/a')).resolves.toBe('job/a');
    await orchestrator.schedule({ taskId: 'job/b' });
    await clock.flush();
    // Only one finished task is retained: job/b pushed job/a out.
    const evicted = await rejectionOf(orchestrator.result('job/a'));
    expect(evicted).toBeInstanceOf(ResultUnavailableError);
    expect(evicted).toMatchObject({ taskId: 'job/a' });
    expect(await rejectionOf(orchestrator.result('job/never'))).toBeInstanceOf(ResultUnavailableError);
    await expect(orchestrator.result('job/b')).resolves.toBe('job/b');
  });

  it('stops waiting when the signal aborts, and the work goes on', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('later', async () => 'done anyway');
    await orchestrator.start();
    const handle = await orchestrator.schedule({ taskId: 'later', initialDelayMs: 1_000 });
    const controller = new AbortController();
    const waited = rejectionOf(handle.result({ signal: controller.signal }));
    controller.abort(new Error('gave up waiting'));
    expect(await waited).toMatchObject({ message: 'gave up waiting' });
    await clock.advance(1_000);
    await expect(handle.result()).resolves.toBe('done anyway');
  });

  it('rejects waiters with reason "shutdown" when the orchestrator shuts down', async () => {
    const { orchestrator } = setup();
    orchestrator.register('job', async () => 'never');
    await orchestrator.start();
    const active = await orchestrator.schedule({ taskId: 'job/active', initialDelayMs: 100 });
    const dormant = await orchestrator.schedule({ taskId: 'job/dormant', initialDelayMs: HOUR });
    const results = [rejectionOf(active.result()), rejectionOf(dormant.result())];
    await orchestrator.shutdown();
    for (const error of await Promise.all(results)) expect(error).toMatchObject({ name: 'AbortError', reason: 'shutdown' });
    expect(await rejectionOf(orchestrator.result('job/dormant'))).toMatchObject({ reason: 'shutdown' });
  });

  it('awaits work scheduled before a restart, run by the next orchestrator on the same store', async () => {
    const store = memoryStore();
    const clock = testClock();
    const before = createOrchestrator({ clock, store }).register(double);
    await before.start();
    await before.schedule({ taskId: 'math.double/restored', input: { n: 50 }, initialDelayMs: HOUR });
    await before.shutdown();

    const after = createOrchestrator({ clock, store }).register(double);
    await after.start();
    const value = after.result('math.double/restored');
    await clock.advance(HOUR);
    await expect(value).resolves.toBe(100);
    expect((await after.getTask('math.double/restored'))?.outcome).toEqual({ ok: true, value: 100 });
    await after.shutdown();
  });

  it('refuses a bad TaskId or signal with a ValidationError naming the field', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    await expect(orchestrator.result('')).rejects.toMatchObject({ name: 'ValidationError', field: 'taskId' });
    await expect(orchestrator.result('x', { signal: {} as AbortSignal })).rejects.toMatchObject({ name: 'ValidationError', field: 'signal' });
  });
});
