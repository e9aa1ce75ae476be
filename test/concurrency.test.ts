// Worker limits: defineTask({ concurrency }) across a task's instances, maxConcurrentWorkers across
// all tasks. Due work waiting for a slot is `constrained` with 'concurrency' and gets one earliest
// due first; runNow is never held back but counts.
import { describe, expect, it } from 'vitest';
import { createOrchestrator, defineTask, ValidationError, type Orchestrator, type WorkContext } from '../src/index.js';
import { testClock } from '../src/testing/index.js';
import { deferred, failOnUnhandledRejections, setup } from './support.js';

failOnUnhandledRejections();

/** Workers that run until the test settles them, and a record of what ran and how many at once. */
function workers() {
  const open = new Map<string, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const started: string[] = [];
  let most = 0;
  const run = ({ taskId, signal }: WorkContext) => {
    const settled = deferred<unknown>();
    open.set(taskId, settled);
    started.push(taskId);
    most = Math.max(most, open.size);
    signal.addEventListener('abort', () => settled.reject(new Error('aborted')), { once: true });
    return settled.promise.finally(() => open.delete(taskId));
  };
  return {
    run,
    started,
    /** Most workers seen running at once. */
    most: () => most,
    finish(taskId: string, value: unknown = 'done') {
      const worker = open.get(taskId);
      if (!worker) throw new Error(`${taskId} is not running`);
      worker.resolve(value);
    },
    fail(taskId: string) {
      open.get(taskId)?.reject(new Error('503'));
    },
  };
}

const statusOf = (orchestrator: Orchestrator, taskId: string) => {
  const task = orchestrator.peekTask(taskId);
  return task && (task.status === 'constrained' ? `constrained ${task.unmetConstraints.join(',')}` : task.status);
};

describe('concurrency limits', () => {
  it('runs at most `concurrency` workers of a task across its instances; other tasks are not held back', async () => {
    const { orchestrator, clock } = setup();
    const w = workers();
    orchestrator.register(defineTask({ id: 'email.send', concurrency: 2, run: w.run }));
    orchestrator.register('thumbnail', w.run);
    await orchestrator.start();
    for (const n of [1, 2, 3, 4]) await orchestrator.schedule({ taskId: `email.send/${n}` });
    await orchestrator.schedule({ taskId: 'thumbnail/1' });
    await orchestrator.schedule({ taskId: 'thumbnail/2' });
    await clock.flush();
    expect(w.started).toEqual(['email.send/1', 'email.send/2', 'thumbnail/1', 'thumbnail/2']);
    expect(w.most()).toBe(4);
    expect(await orchestrator.getTask('email.send/3')).toMatchObject({ status: 'constrained', unmetConstraints: ['concurrency'] });
    expect(statusOf(orchestrator, 'email.send/4')).toBe('constrained concurrency');

    w.finish('email.send/2');
    await clock.flush();
    expect(w.started.slice(4)).toEqual(['email.send/3']);
    expect(statusOf(orchestrator, 'email.send/4')).toBe('constrained concurrency');
    w.finish('email.send/1');
    w.finish('email.send/3');
    await clock.flush();
    w.finish('email.send/4');
    await clock.flush();
    expect(w.started.filter((id) => id.startsWith('email.send'))).toEqual(['email.send/1', 'email.send/2', 'email.send/3', 'email.send/4']);
    expect((await orchestrator.getTask('email.send/4'))?.status).toBe('done');
  });

  it('runs at most maxConcurrentWorkers scheduled workers in all, and per-task limits still hold within it', async () => {
    const { orchestrator, clock } = setup({ maxConcurrentWorkers: 3 });
    const w = workers();
    orchestrator.register(defineTask({ id: 'upload', concurrency: 1, run: w.run }));
    orchestrator.register('sync', w.run);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'upload/a' });
    await orchestrator.schedule({ taskId: 'upload/b' });
    for (const n of [1, 2, 3]) await orchestrator.schedule({ taskId: `sync/${n}` });
    await clock.flush();
    // upload/b waits for its own limit, so sync/1 and sync/2 fill the other two slots.
    expect(w.started).toEqual(['upload/a', 'sync/1', 'sync/2']);
    expect(statusOf(orchestrator, 'upload/b')).toBe('constrained concurrency');
    expect(statusOf(orchestrator, 'sync/3')).toBe('constrained concurrency');
    expect(orchestrator.diagnostics().runningWorkers).toBe(3);

    w.finish('upload/a'); // upload/b (due first) takes the freed slot
    await clock.flush();
    expect(w.started.slice(3)).toEqual(['upload/b']);
    w.finish('sync/1');
    await clock.flush();
    expect(w.started.slice(4)).toEqual(['sync/3']);
    expect(w.most()).toBe(3);
  });

  it('hands slots out in due-time order, not in the order tasks got in line', async () => {
    const { orchestrator, clock, platform } = setup({ maxConcurrentWorkers: 1 });
    const w = workers();
    orchestrator.register('job', w.run);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/blocker' });
    await orchestrator.schedule({ taskId: 'job/late', initialDelayMs: 300 });
    await orchestrator.schedule({ taskId: 'job/early', initialDelayMs: 100, constraints: { network: 'any' } });
    await orchestrator.schedule({ taskId: 'job/tie-1', initialDelayMs: 200 });
    await orchestrator.schedule({ taskId: 'job/tie-2', initialDelayMs: 200 });
    platform.push({ type: 'network', online: false });
    await clock.advance(400);
    // job/early fell due first but waits for the network, so it is not in line yet.
    expect(statusOf(orchestrator, 'job/early')).toBe('constrained network');
    expect(statusOf(orchestrator, 'job/late')).toBe('constrained concurrency');
    platform.push({ type: 'network', online: true });
    await clock.flush();
    expect(statusOf(orchestrator, 'job/early')).toBe('constrained concurrency');

    for (const next of ['job/blocker', 'job/early', 'job/tie-1', 'job/tie-2']) {
      w.finish(next);
      await clock.flush();
    }
    expect(w.started).toEqual(['job/blocker', 'job/early', 'job/tie-1', 'job/tie-2', 'job/late']);
  });

  it('dispatches work already due when start() opens the gate earliest due first', async () => {
    const { orchestrator, clock } = setup({ maxConcurrentWorkers: 1 });
    const w = workers();
    orchestrator.register('job', w.run);
    void orchestrator.schedule({ taskId: 'job/b', initialDelayMs: 200 });
    void orchestrator.schedule({ taskId: 'job/a', initialDelayMs: 100 });
    await clock.advance(300);
    await orchestrator.start();
    await clock.flush();
    expect(w.started).toEqual(['job/a']);
    w.finish('job/a');
    await clock.flush();
    expect(w.started).toEqual(['job/a', 'job/b']);
  });

  it('never holds runNow back, but counts it: scheduled work waits until the count is below the limit', async () => {
    const { orchestrator, clock } = setup();
    const w = workers();
    orchestrator.register(defineTask({ id: 'sync', concurrency: 1, run: w.run }));
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'sync/scheduled' });
    await clock.flush();
    const instant = deferred<string>();
    const now = orchestrator.runNow('sync/now', () => instant.promise);
    await clock.flush();
    expect(statusOf(orchestrator, 'sync/now')).toBe('running'); // two running, over the limit of 1
    await orchestrator.schedule({ taskId: 'sync/next' });
    await clock.flush();
    expect(statusOf(orchestrator, 'sync/next')).toBe('constrained concurrency');

    w.finish('sync/scheduled'); // one still running (the runNow): not below the limit
    await clock.flush();
    expect(statusOf(orchestrator, 'sync/next')).toBe('constrained concurrency');
    instant.resolve('pulled');
    await expect(now).resolves.toBe('pulled');
    await clock.flush();
    expect(w.started).toEqual(['sync/scheduled', 'sync/next']);
  });

  it('a runNow on a waiting TaskId takes it over at once; the line moves on without it', async () => {
    const { orchestrator, clock } = setup({ maxConcurrentWorkers: 1 });
    const w = workers();
    orchestrator.register('job', w.run);
    await orchestrator.start();
    for (const id of ['job/1', 'job/2', 'job/3']) await orchestrator.schedule({ taskId: id });
    await clock.flush();
    await expect(orchestrator.runNow('job/2', () => 'now')).resolves.toBe('now');
    w.finish('job/1');
    await clock.flush();
    expect(w.started).toEqual(['job/1', 'job/3']);
  });

  it('cancelling a waiting task frees no slot and keeps the order of the others', async () => {
    const { orchestrator, clock } = setup({ maxConcurrentWorkers: 1 });
    const w = workers();
    orchestrator.register('job', w.run);
    await orchestrator.start();
    for (const id of ['job/1', 'job/2', 'job/3', 'job/4']) await orchestrator.schedule({ taskId: id });
    await clock.flush();
    await orchestrator.cancel('job/2');
    await clock.flush();
    expect(w.started).toEqual(['job/1']);
    expect(statusOf(orchestrator, 'job/2')).toBe('cancelled');
    w.finish('job/1');
    await clock.flush();
    w.finish('job/3');
    await clock.flush();
    expect(w.started).toEqual(['job/1', 'job/3', 'job/4']);
    expect(w.most()).toBe(1);
  });

  it('a worker that fails into backoff gives its slot back; its retry waits in line like any due work', async () => {
    const { orchestrator, clock } = setup({ maxConcurrentWorkers: 1 });
    const w = workers();
    orchestrator.register('job', w.run);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/flaky', backoff: { initialDelayMs: 1_000 } });
    await orchestrator.schedule({ taskId: 'job/next' });
    await clock.flush();
    w.fail('job/flaky');
    await clock.flush();
    expect(statusOf(orchestrator, 'job/flaky')).toBe('backoff');
    expect(w.started).toEqual(['job/flaky', 'job/next']);
    await clock.advance(1_000);
    expect(await orchestrator.getTask('job/flaky')).toMatchObject({ status: 'constrained', attempt: 1, unmetConstraints: ['concurrency'] });
    w.finish('job/next');
    await clock.flush();
    expect(w.started).toEqual(['job/flaky', 'job/next', 'job/flaky']);
    expect(orchestrator.peekTask('job/flaky')).toMatchObject({ status: 'running', attempt: 2 });
  });

  it('holds dormant work activated from its record when due, and starts nothing on shutdown', async () => {
    const { orchestrator, clock, store } = setup({ maxConcurrentWorkers: 1, activationHorizonMs: 1_000 });
    const w = workers();
    orchestrator.register('job', w.run);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/blocker' });
    await orchestrator.schedule({ taskId: 'job/later', initialDelayMs: 60_000 });
    await orchestrator.schedule({ taskId: 'job/dormant', initialDelayMs: 30_000 });
    await clock.flush();
    expect(orchestrator.actorOf('job/dormant')).toBeUndefined(); // only its record
    await clock.advance(60_000);
    expect(statusOf(orchestrator, 'job/dormant')).toBe('constrained concurrency');
    expect(statusOf(orchestrator, 'job/later')).toBe('constrained concurrency');

    await orchestrator.shutdown();
    expect(w.started).toEqual(['job/blocker']);
    // Nothing about slots is stored: the waiting work is due work, kept for the next start.
    expect(store.records().map(({ taskId, status }) => [taskId, status])).toEqual([
      ['job/blocker', 'running'],
      ['job/dormant', 'constrained'],
      ['job/later', 'constrained'],
    ]);
  });

  it('after a restart, due work waits for slots again, earliest due first', async () => {
    const clock = testClock();
    const first = setup({ clock, maxConcurrentWorkers: 1 });
    const w1 = workers();
    first.orchestrator.register('job', w1.run);
    await first.orchestrator.start();
    await first.orchestrator.schedule({ taskId: 'job/blocker' });
    await first.orchestrator.schedule({ taskId: 'job/c', initialDelayMs: 300 });
    await first.orchestrator.schedule({ taskId: 'job/a', initialDelayMs: 100 });
    await first.orchestrator.schedule({ taskId: 'job/b', initialDelayMs: 200 });
    await clock.advance(500);
    w1.finish('job/blocker');
    await clock.flush();
    await first.orchestrator.shutdown(); // job/a was running: it counts as cut off
    expect(w1.started).toEqual(['job/blocker', 'job/a']);

    const second = setup({ clock, store: first.store, maxConcurrentWorkers: 1 });
    const w2 = workers();
    second.orchestrator.register('job', w2.run);
    await second.orchestrator.start();
    await clock.flush();
    expect(w2.started).toEqual(['job/a']);
    expect(statusOf(second.orchestrator, 'job/b')).toBe('constrained concurrency');
    for (const next of ['job/a', 'job/b']) {
      w2.finish(next);
      await clock.flush();
    }
    expect(w2.started).toEqual(['job/a', 'job/b', 'job/c']);
    expect(w2.most()).toBe(1);
    await second.orchestrator.shutdown();
  });

  it('with a limit set but never reached, due work runs at once and is never constrained', async () => {
    const { orchestrator, clock } = setup({ maxConcurrentWorkers: 100 });
    const seen = new Set<string>();
    orchestrator.subscribe((task) => void seen.add(task.status));
    orchestrator.register(defineTask({ id: 'job', concurrency: 50, run: async () => 'ok' }));
    await orchestrator.start();
    for (let i = 0; i < 40; i++) void orchestrator.schedule({ taskId: `job/${i}` });
    await clock.flush();
    expect([...seen].sort()).toEqual(['done', 'running']);
    expect((await orchestrator.listTasks({ status: 'done' })).tasks).toHaveLength(40);
  });
});

describe('worker limit validation', () => {
  const fieldOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).field;
    }
    throw new Error('did not throw');
  };

  for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '2']) {
    it(`refuses concurrency ${String(bad)} and maxConcurrentWorkers ${String(bad)}, naming the field`, () => {
      expect(fieldOf(() => defineTask({ id: 'job', concurrency: bad as number, run: () => {} }))).toBe('concurrency');
      const orchestrator = createOrchestrator();
      expect(fieldOf(() => orchestrator.register({ id: 'job', input: undefined, run: () => {}, concurrency: bad as number }))).toBe('concurrency');
      expect(fieldOf(() => createOrchestrator({ maxConcurrentWorkers: bad as number }))).toBe('maxConcurrentWorkers');
    });
  }

  it('accepts whole numbers from 1', () => {
    expect(defineTask({ id: 'job', concurrency: 1, run: () => {} }).concurrency).toBe(1);
    expect(() => createOrchestrator({ maxConcurrentWorkers: 1 })).not.toThrow();
  });
});
