import { describe, expect, it } from 'vitest';
import { NotStartedError, TaskCancelledError, ValidationError } from '../src/index.js';
import { aborted, deferred, setup } from './support.js';

describe('runNow', () => {
  it('rejects with NotStartedError before start()', async () => {
    const { orchestrator } = setup();
    let ran = false;
    await expect(orchestrator.runNow('doc.save', () => (ran = true))).rejects.toBeInstanceOf(NotStartedError);
    expect(ran).toBe(false);
  });

  it('resolves with the typed result of the function', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    const saved: { id: number } = await orchestrator.runNow('doc.save', async ({ taskId }) => ({ id: taskId.length }));
    expect(saved).toEqual({ id: 8 });
    expect((await orchestrator.getTask('doc.save'))).toMatchObject({ status: 'done', kind: 'instant', attempt: 1 });
  });

  it('passes the error thrown by the function to the caller unchanged, without retrying', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    const error = new TypeError('network down');
    let calls = 0;
    await expect(
      orchestrator.runNow('doc.save', () => {
        calls++;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
    expect((await orchestrator.getTask('doc.save'))).toMatchObject({ status: 'done', outcome: { ok: false, error } });
  });

  it('last call wins: a newer runNow aborts and rejects the one in flight', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    let firstSignal: AbortSignal | undefined;
    const first = orchestrator.runNow('doc.save', ({ signal }) => {
      firstSignal = signal;
      return new Promise<string>(() => {});
    });
    const second = orchestrator.runNow('doc.save', async () => 'second');
    const error = await first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(error).toMatchObject({ name: 'AbortError', reason: 'preempted', taskId: 'doc.save' });
    expect(firstSignal?.aborted).toBe(true);
    await expect(second).resolves.toBe('second');
  });

  it('pre-empts a pending scheduled request and forgets it', async () => {
    const { orchestrator, clock, store } = setup();
    let scheduledRuns = 0;
    orchestrator.register('sync', async () => void scheduledRuns++);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'sync', initialDelayMs: 1_000 });
    expect(store.records()).toHaveLength(1);
    await expect(orchestrator.runNow('sync', async () => 'now')).resolves.toBe('now');
    await clock.advance(5_000);
    expect(scheduledRuns).toBe(0);
    expect(store.records()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('pre-empts a running scheduled worker through its signal', async () => {
    const { orchestrator, clock } = setup();
    let workerSignal: AbortSignal | undefined;
    orchestrator.register('sync', ({ signal }) => {
      workerSignal = signal;
      return aborted(signal).then(() => Promise.reject(signal.reason));
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'sync' });
    await clock.flush();
    expect((await orchestrator.getTask('sync'))?.status).toBe('running');
    await expect(orchestrator.runNow('sync', async () => 1)).resolves.toBe(1);
    expect(workerSignal?.aborted).toBe(true);
    expect((await orchestrator.getTask('sync'))).toMatchObject({ status: 'done', kind: 'instant', outcome: { ok: true, value: 1 } });
  });

  it("aborting the caller's signal cancels the work", async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    const controller = new AbortController();
    let workSignal: AbortSignal | undefined;
    const run = orchestrator.runNow(
      'doc.save',
      ({ signal }) => {
        workSignal = signal;
        return new Promise(() => {});
      },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError', reason: 'cancelled' });
    expect(workSignal?.aborted).toBe(true);
    expect((await orchestrator.getTask('doc.save'))).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled' });
  });

  it("a pre-empted caller's late abort does not cancel the newer run", async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    const old = new AbortController();
    const first = orchestrator.runNow('doc.save', () => new Promise(() => {}), { signal: old.signal });
    const gate = deferred<string>();
    const second = orchestrator.runNow('doc.save', () => gate.promise);
    await expect(first).rejects.toMatchObject({ reason: 'preempted' });
    old.abort();
    gate.resolve('kept');
    await expect(second).resolves.toBe('kept');
  });

  it('rejects at once when the signal is already aborted, without running', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    let ran = false;
    const run = orchestrator.runNow('doc.save', () => (ran = true), { signal: AbortSignal.abort() });
    await expect(run).rejects.toMatchObject({ reason: 'cancelled' });
    expect(ran).toBe(false);
  });

  it('cancel(taskId) rejects the caller with reason "cancelled"', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    const run = orchestrator.runNow('doc.save', () => new Promise(() => {}));
    const rejected = expect(run).rejects.toMatchObject({ name: 'AbortError', reason: 'cancelled' });
    await orchestrator.cancel('doc.save');
    await rejected;
  });

  it('rejects a bad TaskId with a ValidationError naming taskId', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    const error = await orchestrator.runNow(' bad id', () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('taskId');
  });
});
