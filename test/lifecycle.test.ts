import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AlreadyStartedError, defineTask, TaskCancelledError, taskRequestSchema, type TaskRecord } from '../src/index.js';
import { decodeInput, encodeInput } from '../src/core/input-codec.js';
import { deferred, setup } from './support.js';

const record = (taskId: string, overrides: Partial<TaskRecord> = {}, request: Record<string, unknown> = {}): TaskRecord => {
  const { input, ...rest } = request;
  return {
    version: 2,
    taskId,
    request: taskRequestSchema.parse({ taskId, ...rest }),
    input: encodeInput(input),
    attempt: 0,
    interrupted: 0,
    runCount: 0,
    status: 'pending',
    dueAt: 0,
    held: null,
    updatedAt: 0,
    ...overrides,
  };
};

describe('ready gate and start()', () => {
  it('holds work that falls due before start() and runs it after', async () => {
    const { orchestrator, clock } = setup();
    let runs = 0;
    orchestrator.register('sync', async () => void runs++);
    await orchestrator.schedule({ taskId: 'sync', initialDelayMs: 10 });
    await clock.advance(1_000);
    expect(runs).toBe(0);
    expect((await orchestrator.getTask('sync'))?.status).toBe('pending');
    await orchestrator.start();
    await clock.flush();
    expect(runs).toBe(1);
  });

  it('sweeps ephemeral records from an earlier process before anything runs, and restores the rest', async () => {
    const { orchestrator, clock, store } = setup();
    await store.write({
      put: [record('cache.warm', {}, { ephemeral: true }), record('upload/7', { dueAt: clock.now() + 50 })],
      delete: [],
    });
    const ran: string[] = [];
    orchestrator.register('cache.warm', async () => void ran.push('cache.warm'));
    orchestrator.register('upload', async ({ taskId }) => void ran.push(taskId));
    await orchestrator.start();
    expect(store.records().map((r) => r.taskId)).toEqual(['upload/7']);
    expect((await orchestrator.getTask('cache.warm'))).toBeUndefined();
    await clock.advance(50);
    expect(ran).toEqual(['upload/7']);
  });

  it('keeps ephemeral work scheduled in this process before start() and runs it once the gate opens', async () => {
    const { orchestrator, clock } = setup();
    let runs = 0;
    orchestrator.register('warm', async () => void runs++);
    await orchestrator.schedule({ taskId: 'warm', ephemeral: true });
    await clock.flush();
    expect(runs).toBe(0);
    await orchestrator.start();
    await clock.flush();
    expect(runs).toBe(1);
  });

  it('re-runs a record saved while running, counting the interrupted attempt', async () => {
    const { orchestrator, clock, store } = setup();
    await store.write({
      put: [record('import', { status: 'running', attempt: 2, dueAt: 0 }, { backoff: { maxAttempts: 3, initialDelayMs: 10 } })],
      delete: [],
    });
    const attempts: number[] = [];
    orchestrator.register('import', async ({ attempt }) => {
      attempts.push(attempt);
      throw new Error('still failing');
    });
    await orchestrator.start();
    await clock.runAll();
    expect(attempts).toEqual([3]);
    expect((await orchestrator.getTask('import'))).toMatchObject({ status: 'done', attempt: 3, outcome: { ok: false } });
  });

  it('runs an overdue periodic record once, then keeps its interval', async () => {
    const { orchestrator, clock, store } = setup();
    const t0 = clock.now();
    await store.write({
      put: [record('beat', { dueAt: t0 - 10 * 60_000 }, { kind: 'periodic', intervalMs: 60_000 })],
      delete: [],
    });
    const runsAt: number[] = [];
    orchestrator.register('beat', async () => void runsAt.push(clock.now() - t0));
    await orchestrator.start();
    await clock.advance(60_000);
    expect(runsAt).toEqual([0, 60_000]);
  });

  it('leaves records of unregistered tasks in the store and says so', async () => {
    const { orchestrator, store, logged } = setup();
    await store.write({ put: [record('gone')], delete: [] });
    await orchestrator.start();
    expect(store.records().map((r) => r.taskId)).toEqual(['gone']);
    expect(logged.some((l) => l.level === 'warn' && l.message.includes('gone'))).toBe(true);
  });

  it('stores the input as given and parses it again on restore, so transforms apply after a restart', async () => {
    const first = setup();
    const lengths = defineTask({
      id: 'len',
      input: z.string().transform((text) => text.length),
      run: async ({ input }) => input * 2,
    });
    first.orchestrator.register(lengths);
    await first.orchestrator.start();
    await first.orchestrator.schedule({ taskId: 'len', input: 'abcd', initialDelayMs: 1_000 });
    expect(decodeInput(first.store.records()[0]?.input ?? null)).toBe('abcd');
    await first.orchestrator.shutdown();

    const second = setup({ store: first.store, clock: first.clock });
    second.orchestrator.register(lengths);
    await second.orchestrator.start();
    await first.clock.advance(1_000);
    expect((await second.orchestrator.getTask('len'))?.outcome).toEqual({ ok: true, value: 8 });
  });

  it('keeps, reports and does not run stored work whose input the task no longer accepts', async () => {
    const { orchestrator, store, clock, logged } = setup();
    await store.write({ put: [record('mail/1', {}, { input: { to: 42 } })], delete: [] });
    let runs = 0;
    orchestrator.register(defineTask({ id: 'mail', input: z.object({ to: z.string() }), run: async () => void runs++ }));
    await orchestrator.start();
    await clock.runAll();
    expect(runs).toBe(0);
    expect(orchestrator.peekTask('mail/1')).toBeUndefined();
    expect(store.records().map((r) => [r.taskId, r.held])).toEqual([['mail/1', expect.stringContaining('input.to')]]);
    expect(orchestrator.diagnostics().held).toEqual([
      { key: 'mail/1', reason: expect.stringContaining('input.to') },
    ]);
    expect(logged.some((l) => l.level === 'warn' && l.message.includes('mail/1'))).toBe(true);
  });

  it('refuses register() and a second start() after start()', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    expect(() => orchestrator.register('late', async () => {})).toThrow(AlreadyStartedError);
    await expect(orchestrator.start()).rejects.toBeInstanceOf(AlreadyStartedError);
  });
});

describe('shutdown()', () => {
  it('aborts running workers, rejects runNow callers with "shutdown", keeps stored work and leaves no timers', async () => {
    const { orchestrator, clock, store, platform } = setup();
    const cleanedUp: string[] = [];
    orchestrator.register('long', async ({ signal, taskId }) => {
      try {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      } finally {
        cleanedUp.push(taskId);
      }
    });
    orchestrator.register('later', async () => {});
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'long' });
    await orchestrator.schedule({ taskId: 'later', initialDelayMs: 60_000, kind: 'periodic', intervalMs: 60_000 });
    const caller = orchestrator
      .runNow('save', ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', reject)))
      .catch((e: unknown) => e);
    await clock.flush();
    expect(clock.pendingTimers()).toBe(1);

    await orchestrator.shutdown();
    expect(await caller).toMatchObject({ name: 'AbortError', reason: 'shutdown' });
    expect(cleanedUp).toEqual(['long']);
    expect((await orchestrator.getTask('long'))).toMatchObject({ status: 'cancelled', cancelReason: 'shutdown' });
    expect(store.records().map((r) => r.taskId).sort()).toEqual(['later', 'long']);
    expect(clock.pendingTimers()).toBe(0);
    expect(platform.subscribers()).toBe(0);
    await expect(orchestrator.schedule({ taskId: 'later' })).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(orchestrator.runNow('save', () => 1)).rejects.toMatchObject({ reason: 'shutdown' });
  });

  it('stops waiting for a worker that ignores its signal after timeoutMs', async () => {
    const { orchestrator, clock, logged } = setup();
    const never = deferred();
    orchestrator.register('stubborn', () => never.promise);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'stubborn' });
    await clock.flush();
    let done = false;
    const stopping = orchestrator.shutdown({ timeoutMs: 5_000 }).then(() => (done = true));
    await clock.advance(4_999);
    expect(done).toBe(false);
    await clock.advance(1);
    await stopping;
    expect(logged.some((l) => l.message.includes('still running after shutdown timeout'))).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('waits for workers that honour the signal, and is idempotent', async () => {
    const { orchestrator, clock } = setup();
    const finished: string[] = [];
    orchestrator.register('tidy', async ({ signal }) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      await Promise.resolve();
      finished.push('tidy');
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'tidy' });
    await clock.flush();
    const a = orchestrator.shutdown();
    const b = orchestrator.shutdown();
    expect(a).toBe(b);
    await a;
    expect(finished).toEqual(['tidy']);
  });
});
