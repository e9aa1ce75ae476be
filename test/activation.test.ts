// Virtual task actors: a TaskId with nothing to do soon is only its record in the store; it is
// activated (an XState actor spawned in the state the record says) when it falls due, runs, or is
// observed, and passivated again when it goes dormant.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, type TaskSnapshot } from '../src/index.js';
import { SlicedClock } from '../src/activation/sliced-clock.js';
import { testClock } from '../src/testing/index.js';
import { failOnUnhandledRejections, setup } from './support.js';

failOnUnhandledRejections();

const HOUR = 60 * 60_000;

describe('dormant and active tasks', () => {
  it('keeps work due beyond the horizon as a record only, and activates it just before it falls due', async () => {
    const { orchestrator, clock, store } = setup({ activationHorizonMs: 1_000 });
    const ran: number[] = [];
    orchestrator.register('report', async () => void ran.push(clock.now()));
    await orchestrator.start();
    const t0 = clock.now();
    await orchestrator.schedule({ taskId: 'report', initialDelayMs: HOUR });
    expect(orchestrator.diagnostics().liveTasks).toBe(0);
    expect(orchestrator.actorOf('report')).toBeUndefined();
    expect(store.records()).toMatchObject([{ taskId: 'report', status: 'pending', dueAt: t0 + HOUR }]);
    expect(await orchestrator.getTask('report')).toMatchObject({ status: 'pending', nextRunAt: t0 + HOUR, attempt: 0 });

    await clock.advance(HOUR - 1_000 - 1);
    expect(orchestrator.diagnostics().liveTasks).toBe(0);
    await clock.advance(1);
    expect(orchestrator.diagnostics().liveTasks).toBe(1); // activated a horizon early
    expect(ran).toEqual([]);
    await clock.advance(1_000);
    expect(ran).toEqual([t0 + HOUR]);
    expect(await orchestrator.getTask('report')).toMatchObject({ status: 'done', outcome: { ok: true } });
    expect(store.records()).toEqual([]);
  });

  it('passivates a periodic task between runs when its interval is beyond the horizon', async () => {
    const { orchestrator, clock, store } = setup({ activationHorizonMs: 1_000 });
    let runs = 0;
    orchestrator.register('beat', async () => void runs++);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'beat', kind: 'periodic', intervalMs: 10 * 60_000 });
    await clock.flush();
    expect(runs).toBe(1);
    expect(orchestrator.diagnostics().liveTasks).toBe(0);
    expect(store.records()).toMatchObject([{ taskId: 'beat', status: 'pending', runCount: 1 }]);
    await clock.advance(10 * 60_000);
    expect(runs).toBe(2);
    expect(await orchestrator.getTask('beat')).toMatchObject({ status: 'pending', runCount: 2 });
    expect(orchestrator.diagnostics().liveTasks).toBe(0);
  });

  it('keeps a backoff beyond the horizon dormant and resumes it in backoff, attempts intact', async () => {
    const { orchestrator, clock } = setup({ activationHorizonMs: 1_000 });
    const attempts: number[] = [];
    orchestrator.register('flaky', async ({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 2) throw new Error('not yet');
      return 'ok';
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'flaky', backoff: { initialDelayMs: 60_000, maxAttempts: 3 } });
    await clock.flush();
    expect(attempts).toEqual([1]);
    expect(orchestrator.diagnostics().liveTasks).toBe(0);
    expect(await orchestrator.getTask('flaky')).toMatchObject({ status: 'backoff', attempt: 1 });
    const seen: string[] = [];
    orchestrator.subscribe((s) => seen.push(s.status));
    await clock.advance(60_000);
    expect(attempts).toEqual([1, 2]);
    expect(seen).toEqual(['backoff', 'running', 'done']); // activated in backoff, not pending
  });

  it('activates an observed task and keeps it active while observed', async () => {
    const { orchestrator, clock } = setup({ activationHorizonMs: 1_000 });
    orchestrator.register('later', async () => 'done');
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'later', initialDelayMs: HOUR });
    const seen: TaskSnapshot[] = [];
    const stop = orchestrator.subscribe((s) => seen.push(s), { taskId: 'later' });
    await clock.flush();
    expect(orchestrator.actorOf('later')).toBeDefined();
    expect(orchestrator.peekTask('later')).toMatchObject({ status: 'pending', nextRunAt: clock.now() + HOUR });
    stop();
    expect(orchestrator.actorOf('later')).toBeUndefined(); // passivated once nobody looks
    expect(await orchestrator.getTask('later')).toMatchObject({ status: 'pending' });
  });

  it('cancel, runNow pre-emption and onConflict work on dormant tasks as on active ones', async () => {
    const { orchestrator, clock, store } = setup({ activationHorizonMs: 1_000 });
    const ran: string[] = [];
    orchestrator.register('job', async ({ taskId, input }) => void ran.push(`${taskId}:${String(input)}`));
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/a', input: 'first', initialDelayMs: HOUR });
    await orchestrator.schedule({ taskId: 'job/b', initialDelayMs: HOUR });
    await orchestrator.schedule({ taskId: 'job/c', initialDelayMs: HOUR });
    const cancelled: TaskSnapshot[] = [];
    orchestrator.subscribe((s) => cancelled.push(s));

    await orchestrator.schedule({ taskId: 'job/a', input: 'second', initialDelayMs: 10, onConflict: 'keep' });
    await orchestrator.cancel('job/b');
    expect(await orchestrator.runNow('job/c', () => 'instant')).toBe('instant');
    await clock.flush();
    expect(cancelled.filter((s) => s.taskId === 'job/b').map((s) => s.status)).toEqual(['cancelled']);
    expect(await orchestrator.getTask('job/b')).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled' });
    expect(store.records().map((r) => r.taskId)).toEqual(['job/a']); // job/c's request was dropped by runNow
    await clock.advance(HOUR);
    expect(ran).toEqual(['job/a:first']); // keep left the dormant request alone
  });

  it('lists active, dormant and finished tasks in pages, filtered', async () => {
    const { orchestrator, clock } = setup({ activationHorizonMs: 1_000 });
    orchestrator.register('mail', async () => 'sent');
    await orchestrator.start();
    for (let i = 0; i < 5; i++) await orchestrator.schedule({ taskId: `mail/${i}`, initialDelayMs: HOUR });
    await orchestrator.schedule({ taskId: 'mail/now' });
    await orchestrator.runNow('other', () => 1);
    await clock.flush();

    const first = await orchestrator.listTasks({ prefix: 'mail/', limit: 4 });
    expect(first.tasks.map((t) => t.taskId)).toEqual(['mail/0', 'mail/1', 'mail/2', 'mail/3']);
    expect(first.next).toBe('mail/3');
    const second = await orchestrator.listTasks({ prefix: 'mail/', limit: 4, after: first.next ?? undefined });
    expect(second.tasks.map((t) => `${t.taskId}=${t.status}`)).toEqual(['mail/4=pending', 'mail/now=done']);
    expect(second.next).toBeNull();
    const done = await orchestrator.listTasks({ status: 'done' });
    expect(done.tasks.map((t) => t.taskId)).toEqual(['mail/now', 'other']);
    expect((await orchestrator.listTasks({ kind: 'instant' })).tasks.map((t) => t.taskId)).toEqual(['other']);
    await expect(orchestrator.listTasks({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
  });

  it('runs, after a restart, the dormant work that fell due while the process was down', async () => {
    const first = setup({ activationHorizonMs: 1_000 });
    first.orchestrator.register('remind', async () => 'ok');
    await first.orchestrator.start();
    for (let i = 0; i < 3; i++) await first.orchestrator.schedule({ taskId: `remind/${i}`, initialDelayMs: (i + 1) * 60_000 });
    await first.orchestrator.shutdown();

    await first.clock.advance(2 * 60_000); // two fall due while nothing runs
    const second = setup({ store: first.store, clock: first.clock, activationHorizonMs: 1_000 });
    const ran: string[] = [];
    second.orchestrator.register('remind', async ({ taskId }) => void ran.push(taskId));
    await second.orchestrator.start();
    await first.clock.flush();
    expect(ran.sort()).toEqual(['remind/0', 'remind/1']);
    expect(second.orchestrator.diagnostics().liveTasks).toBe(0);
    await first.clock.advance(60_000);
    expect(ran.sort()).toEqual(['remind/0', 'remind/1', 'remind/2']);
  });

  it('holds stored work of an unregistered task until a later start registers it', async () => {
    const first = setup();
    first.orchestrator.register(defineTask({ id: 'old', input: z.number(), run: async () => {} }));
    await first.orchestrator.start();
    await first.orchestrator.schedule({ taskId: 'old/1', input: 7, initialDelayMs: 10 });
    await first.orchestrator.shutdown();

    const second = setup({ store: first.store, clock: first.clock });
    await second.orchestrator.start();
    await first.clock.advance(1_000);
    expect(second.orchestrator.diagnostics().held).toEqual([{ key: 'old/1', reason: 'no task registered for old/1' }]);
    expect(first.store.records()).toMatchObject([{ taskId: 'old/1', held: 'no task registered for old/1' }]);
    await second.orchestrator.shutdown();

    const third = setup({ store: first.store, clock: first.clock });
    const got: number[] = [];
    third.orchestrator.register(defineTask({ id: 'old', input: z.number(), run: async ({ input }) => void got.push(input) }));
    await third.orchestrator.start();
    await first.clock.flush();
    expect(got).toEqual([7]);
    expect(third.orchestrator.diagnostics().held).toEqual([]);
  });
});

describe('dispatch in slices (SlicedClock)', () => {
  it('runs at most one slice of timer callbacks per macrotask, in order, and skips cleared ones', async () => {
    const base = testClock();
    const clock = new SlicedClock(base, 100);
    const ran: number[] = [];
    const handles = Array.from({ length: 350 }, (_, i) => clock.setTimeout(() => void ran.push(i), 10));
    clock.clearTimeout(handles[5]); // cleared while armed
    // Fire every base timer synchronously, as Node's timers phase would.
    base.advanceSync(10);
    expect(ran).toHaveLength(100);
    clock.clearTimeout(handles[200]); // cleared while waiting for its slice
    await macrotask();
    expect(ran).toHaveLength(200); // a cleared timer takes no room in its slice
    await macrotask();
    await macrotask();
    expect(ran).toHaveLength(348);
    expect(ran).toEqual([...Array.from({ length: 350 }, (_, i) => i)].filter((i) => i !== 5 && i !== 200));
  });

  it('fires a timer at once while the slice has room', () => {
    const base = testClock();
    const clock = new SlicedClock(base, 100);
    let fired = false;
    clock.setTimeout(() => void (fired = true), 5);
    base.advanceSync(5);
    expect(fired).toBe(true);
  });
});

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
