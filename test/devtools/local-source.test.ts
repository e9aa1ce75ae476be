import { describe, expect, it, vi } from 'vitest';
import { devtoolsSourceOf } from '../../src/devtools/local-source.js';
import { causeChain, describeError, jsonSafe } from '../../src/devtools/json-safe.js';
import type { DevtoolsTaskEvent } from '../../src/devtools/source.js';
import { WorkFailedError } from '../../src/index.js';
import { deferred, setup } from '../support.js';

function transitions(events: DevtoolsTaskEvent[], taskId: string): string[] {
  return events.filter((e) => e.taskId === taskId && e.from !== e.to).map((e) => `${e.type}:${e.from ?? '-'}>${e.to}`);
}

describe('devtoolsSourceOf', () => {
  it('maps inspection events to task events with from/to, timestamps and JSON-safe detail', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('job', async () => 'ok');
    await orchestrator.start();
    const source = devtoolsSourceOf(orchestrator);
    const events: DevtoolsTaskEvent[] = [];
    const stop = source.watchTaskEvents((e) => events.push(e));
    await orchestrator.schedule({ taskId: 'job/1', initialDelayMs: 1_000, input: { n: 1 } });
    await clock.advance(1_000);
    stop();
    expect(transitions(events, 'job/1')).toEqual([
      'xstate.init:->pending',
      'xstate.after.untilNextRun.task.pending:pending>running',
      'WORK_DONE:running>done',
    ]);
    const done = events.find((e) => e.type === 'WORK_DONE');
    expect(done?.at).toBe(orchestrator.now());
    expect(done?.detail).toMatchObject({ output: 'ok', result: 'value' });
    // Every event survives JSON as it is.
    for (const e of events) expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    // The first event carries the actor's input, without the orchestrator's environment.
    expect(events[0]?.detail['input']).toMatchObject({ taskId: 'job/1', work: { input: { n: 1 } } });
    expect(events[0]?.detail['input']).not.toHaveProperty('env');
  });

  it('shows a runNow pre-empting a running task as running -> running, and its SCHEDULE work without functions', async () => {
    const { orchestrator, clock } = setup();
    const release = deferred<string>();
    orchestrator.register('slow', () => release.promise);
    await orchestrator.start();
    const source = devtoolsSourceOf(orchestrator);
    const events: DevtoolsTaskEvent[] = [];
    const stop = source.watchTaskEvents((e) => events.push(e));
    await orchestrator.schedule({ taskId: 'slow', input: { big: false } });
    await orchestrator.schedule({ taskId: 'slow', input: { big: true } });
    await clock.advance(0);
    const now = orchestrator.runNow('slow', () => 'instant');
    await clock.advance(0);
    await expect(now).resolves.toBe('instant');
    stop();
    const schedule = events.find((e) => e.type === 'SCHEDULE');
    expect(schedule?.detail['work']).toMatchObject({ input: { big: true }, request: { taskId: 'slow' } });
    expect(JSON.stringify(schedule?.detail)).not.toContain('function');
    const runNow = events.find((e) => e.type === 'RUN_NOW');
    expect([runNow?.from, runNow?.to]).toEqual(['running', 'running']);
    expect(runNow?.detail['instant']).toEqual({ ticket: expect.any(Number) });
  });

  it('attaches one inspection observer while someone watches, none before or after', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('job', () => 1);
    await orchestrator.start();
    let attached = 0;
    const inspect = orchestrator.inspect.bind(orchestrator);
    orchestrator.inspect = (observer) => {
      attached++;
      const sub = inspect(observer);
      return { unsubscribe: () => (attached--, sub.unsubscribe()) };
    };
    const source = devtoolsSourceOf(orchestrator);
    source.tasks();
    expect(attached).toBe(0);
    const a: DevtoolsTaskEvent[] = [];
    const b: DevtoolsTaskEvent[] = [];
    const stopA = source.watchTaskEvents((e) => a.push(e));
    const stopB = source.watchTaskEvents((e) => b.push(e));
    expect(attached).toBe(1);
    await orchestrator.schedule({ taskId: 'job' });
    await clock.advance(0);
    expect(b).toEqual(a);
    stopA();
    stopA();
    expect(attached).toBe(1);
    stopB();
    expect(attached).toBe(0);
  });

  it('lists live and dormant tasks, follows changes, and remembers the request for run again', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('job', () => 'ok');
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/b', initialDelayMs: 60_000, input: { id: 'b' }, backoff: { maxAttempts: 2 } });
    const source = devtoolsSourceOf(orchestrator) as ReturnType<typeof devtoolsSourceOf> & { observeTask(id: string): () => void };
    let changes = 0;
    const off = source.subscribeTasks(() => changes++);
    // job/b is dormant (only a record): read from the store.
    await vi.waitFor(() => expect(source.tasks().map((t) => t.taskId)).toEqual(['job/b']));
    await orchestrator.schedule({ taskId: 'job/a' });
    expect(changes).toBeGreaterThan(0);
    expect(source.tasks().map((t) => t.taskId)).toEqual(['job/a', 'job/b']);
    // Dormant: its request is only in the store, until the panel observes the task (activating it).
    expect(source.requestOf('job/b')).toBeUndefined();
    const release = source.observeTask('job/b');
    await vi.waitFor(() => expect(source.requestOf('job/b')).toBeDefined());
    release();
    expect(source.requestOf('job/b')).toMatchObject({ taskId: 'job/b', initialDelayMs: 60_000, input: { id: 'b' }, backoff: { maxAttempts: 2 } });
    await clock.advance(0);
    expect(source.tasks().find((t) => t.taskId === 'job/a')?.status).toBe('done');
    // Run again: the same request once more.
    const again = source.requestOf('job/b');
    expect(again).toBeDefined();
    await source.cancel('job/b');
    expect(source.tasks().find((t) => t.taskId === 'job/b')?.status).toBe('cancelled');
    await source.schedule(again!);
    expect(await orchestrator.getTask('job/b')).toMatchObject({ status: 'pending', nextRunAt: orchestrator.now() + 60_000 });
    off();
    expect(source.requestOf('never')).toBeUndefined();
  });
});

describe('devtoolsSourceOf: bad input', () => {
  it('names the bad option or the missing method', () => {
    const { orchestrator } = setup();
    expect(() => devtoolsSourceOf(orchestrator, { maxRequests: 0 })).toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringMatching(/maxRequests/) }));
    expect(() => devtoolsSourceOf(orchestrator, { listLimit: 1.5 })).toThrow(/listLimit/);
    expect(() => devtoolsSourceOf(orchestrator, { maxRequest: 5 } as never)).toThrow(/maxRequest/);
    expect(() => devtoolsSourceOf({ ...orchestrator, inspect: undefined } as never)).toThrow(/orchestrator\.inspect/);
  });
});

describe('JSON-safe detail', () => {
  it('describes errors with their cause chain and drops functions and signals', () => {
    const error = new WorkFailedError('t', 'gave up after 2 attempts', new Error('503', { cause: new TypeError('socket hang up') }));
    expect(causeChain(error)).toEqual(['WorkFailedError: task t failed: gave up after 2 attempts', 'Error: 503', 'TypeError: socket hang up']);
    const cyclic: Record<string, unknown> = { fn: () => 1, signal: new AbortController().signal, when: new Date(0), n: NaN };
    cyclic['self'] = cyclic;
    expect(jsonSafe(cyclic)).toEqual({ when: '1970-01-01T00:00:00.000Z', n: 'NaN', self: '[circular]' });
    expect(describeError('plain')).toEqual({ name: 'string', message: 'plain' });
  });
});
