import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, WorkFailedError, WorkResult, type TaskSnapshot } from '../src/index.js';
import { setup } from './support.js';

describe('scheduled work', () => {
  it('passes the validated input, attempt and TaskId to the worker and records its value', async () => {
    const { orchestrator, clock } = setup();
    const seen: unknown[] = [];
    const sync = defineTask({
      id: 'app.sync',
      input: z.object({ since: z.coerce.date() }),
      run: async ({ input, attempt, taskId }) => {
        seen.push({ since: input.since, attempt, taskId });
        return input.since.getUTCFullYear();
      },
    });
    orchestrator.register(sync);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'app.sync', input: { since: '2025-03-04T00:00:00Z' }, initialDelayMs: 500 });

    expect((await orchestrator.getTask('app.sync'))).toMatchObject({ status: 'pending', attempt: 0, nextRunAt: clock.now() + 500 });
    await clock.advance(499);
    expect(seen).toEqual([]);
    await clock.advance(1);
    expect(seen).toEqual([{ since: new Date('2025-03-04T00:00:00Z'), attempt: 1, taskId: 'app.sync' }]);
    expect((await orchestrator.getTask('app.sync'))).toMatchObject({ status: 'done', attempt: 1, outcome: { ok: true, value: 2025 } });
  });

  it('runs "name/instance" TaskIds with the worker registered as "name"', async () => {
    const { orchestrator, clock } = setup();
    const ran: string[] = [];
    orchestrator.register('email.send', async ({ taskId }) => void ran.push(taskId));
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'email.send/1' });
    await orchestrator.schedule({ taskId: 'email.send/2' });
    await clock.flush();
    expect(ran.sort()).toEqual(['email.send/1', 'email.send/2']);
  });

  it('retries a throwing worker with exponential backoff and succeeds on the third attempt', async () => {
    const { orchestrator, clock } = setup();
    const attempts: Array<{ attempt: number; at: number }> = [];
    const t0 = clock.now();
    orchestrator.register('flaky', async ({ attempt }) => {
      attempts.push({ attempt, at: clock.now() - t0 });
      if (attempt < 3) throw new Error(`boom ${attempt}`);
      return 'ok';
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'flaky', backoff: { initialDelayMs: 100, maxDelayMs: 10_000, maxAttempts: 5 } });
    await clock.flush();
    expect((await orchestrator.getTask('flaky'))).toMatchObject({ status: 'backoff', attempt: 1, nextRunAt: t0 + 100 });
    await clock.advance(100);
    expect((await orchestrator.getTask('flaky'))).toMatchObject({ status: 'backoff', attempt: 2, nextRunAt: t0 + 300 });
    await clock.advance(200);
    expect(attempts).toEqual([
      { attempt: 1, at: 0 },
      { attempt: 2, at: 100 },
      { attempt: 3, at: 300 },
    ]);
    expect((await orchestrator.getTask('flaky'))).toMatchObject({ status: 'done', attempt: 3, outcome: { ok: true, value: 'ok' } });
  });

  it('runs exactly maxAttempts times, then ends done with a failure that keeps the last error', async () => {
    const { orchestrator, clock } = setup();
    let runs = 0;
    const last = new Error('still broken');
    orchestrator.register('doomed', async () => {
      runs++;
      throw last;
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'doomed', backoff: { policy: 'linear', initialDelayMs: 10, maxAttempts: 3 } });
    await clock.runAll();
    expect(runs).toBe(3);
    const task = (await orchestrator.getTask('doomed'));
    expect(task).toMatchObject({ status: 'done', attempt: 3 });
    expect(task?.outcome?.ok).toBe(false);
    const error = task?.outcome && !task.outcome.ok ? task.outcome.error : undefined;
    expect(error).toBeInstanceOf(WorkFailedError);
    expect((error as WorkFailedError).cause).toBe(last);
    expect((error as WorkFailedError).reason).toBe('gave up after 3 attempts');
  });

  it('maxAttempts 1 means no retry at all', async () => {
    const { orchestrator, clock } = setup();
    let runs = 0;
    orchestrator.register('once', async () => {
      runs++;
      return WorkResult.retry('not yet');
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'once', backoff: { maxAttempts: 1 } });
    await clock.runAll();
    expect(runs).toBe(1);
    expect((await orchestrator.getTask('once'))).toMatchObject({ status: 'done', outcome: { ok: false } });
  });

  it('WorkResult.retry waits the backoff; WorkResult.failure ends at once without retrying', async () => {
    const { orchestrator, clock } = setup();
    const results = [WorkResult.retry('busy'), WorkResult.failure('bad input')];
    let runs = 0;
    orchestrator.register('report', async () => results[runs++]);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'report', backoff: { initialDelayMs: 50, maxAttempts: 10 } });
    await clock.flush();
    expect((await orchestrator.getTask('report'))?.status).toBe('backoff');
    await clock.runAll();
    expect(runs).toBe(2);
    const task = (await orchestrator.getTask('report'));
    expect(task?.status).toBe('done');
    const error = task?.outcome && !task.outcome.ok ? task.outcome.error : undefined;
    expect(error).toBeInstanceOf(WorkFailedError);
    expect((error as WorkFailedError).reason).toBe('bad input');
  });

  it('periodic work returns to pending after each run, one interval after it ends, until cancelled', async () => {
    const { orchestrator, clock, store } = setup();
    const t0 = clock.now();
    const runsAt: number[] = [];
    orchestrator.register('tick', async ({ attempt }) => {
      runsAt.push(clock.now() - t0);
      if (runsAt.length === 2) throw new Error('one bad run');
      return attempt;
    });
    await orchestrator.start();
    await orchestrator.schedule({
      taskId: 'tick',
      kind: 'periodic',
      intervalMs: 1_000,
      backoff: { initialDelayMs: 100, maxAttempts: 2 },
    });
    await clock.flush();
    expect((await orchestrator.getTask('tick'))).toMatchObject({ status: 'pending', kind: 'periodic', nextRunAt: t0 + 1_000 });
    await clock.advance(1_000); // second run throws, retried once after 100 ms
    await clock.advance(100);
    await clock.advance(1_000);
    expect(runsAt).toEqual([0, 1_000, 1_100, 2_100]);
    expect((await orchestrator.getTask('tick'))?.status).toBe('pending');
    expect(store.records().map((r) => r.taskId)).toEqual(['tick']);
    await orchestrator.cancel('tick');
    expect((await orchestrator.getTask('tick'))).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled' });
    expect(store.records()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports progress while running and ignores progress from a superseded run', async () => {
    const { orchestrator, clock } = setup();
    const progress: Array<number | null> = [];
    let report: ((value: number) => void) | undefined;
    let finish: (() => void) | undefined;
    orchestrator.register('upload', ({ setProgress }) => {
      report = setProgress;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    orchestrator.subscribe((s) => progress.push(s.progress), { taskId: 'upload' });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'upload' });
    await clock.flush();
    report?.(0.25);
    report?.(0.5);
    expect((await orchestrator.getTask('upload'))?.progress).toBe(0.5);
    expect(() => report?.(2)).toThrow(/progress/);
    const stale = report;
    await orchestrator.schedule({ taskId: 'upload' }); // replace: the old run is aborted
    await clock.flush();
    stale?.(0.9);
    expect((await orchestrator.getTask('upload'))?.progress).toBe(null);
    finish?.();
    await clock.flush();
    expect(progress).toContain(0.25);
    expect(progress).not.toContain(0.9);
  });

  it('onConflict "replace" aborts the running worker and starts over; "keep" leaves it alone', async () => {
    const { orchestrator, clock } = setup();
    const signals: AbortSignal[] = [];
    const inputs: unknown[] = [];
    orchestrator.register('job', ({ signal, input }) => {
      signals.push(signal);
      inputs.push(input);
      return new Promise<void>(() => {});
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job', input: 1 });
    await clock.flush();
    await orchestrator.schedule({ taskId: 'job', input: 2, onConflict: 'keep' });
    await clock.flush();
    expect(inputs).toEqual([1]);
    expect(signals[0]?.aborted).toBe(false);
    await orchestrator.schedule({ taskId: 'job', input: 3, initialDelayMs: 10 });
    expect(signals[0]?.aborted).toBe(true);
    expect((await orchestrator.getTask('job'))).toMatchObject({ status: 'pending', attempt: 0 });
    await clock.advance(10);
    expect(inputs).toEqual([1, 3]);
  });

  it('schedule() resolves only once the store has the record', async () => {
    const { orchestrator, store } = setup();
    orchestrator.register('slow', async () => {});
    await orchestrator.start();
    // Hold the store's writes open.
    const writes: Array<() => void> = [];
    const original = store.write.bind(store);
    store.write = (batch) =>
      new Promise<void>((resolve) => writes.push(() => void original(batch).then(resolve)));
    let resolved = false;
    const scheduled = orchestrator.schedule({ taskId: 'slow', initialDelayMs: 1_000 }).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    expect(resolved).toBe(false);
    writes[0]?.();
    await scheduled;
    expect(resolved).toBe(true);
  });

  it('lets subscribers follow one task or all, and stop', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('a', async () => 'a');
    await orchestrator.start();
    const one: TaskSnapshot[] = [];
    const all: string[] = [];
    const stopOne = orchestrator.subscribe((s) => one.push(s), { taskId: 'a/1' });
    orchestrator.subscribe((s) => all.push(`${s.taskId}:${s.status}`));
    await orchestrator.schedule({ taskId: 'a/1' });
    await orchestrator.schedule({ taskId: 'a/2' });
    await clock.flush();
    expect(one.map((s) => s.status)).toEqual(['running', 'done']);
    // schedule() waits for the store, by which time a/1's no-op worker has finished.
    expect(all).toEqual(['a/1:running', 'a/1:done', 'a/2:running', 'a/2:done']);
    stopOne();
    await orchestrator.schedule({ taskId: 'a/1' });
    await clock.flush();
    expect(one).toHaveLength(2);
    expect(all.slice(4)).toEqual(['a/1:running', 'a/1:done']);
  });
});
