// The calls on live work, the same on errand alone and on every engine (test/support/semantics-setups.ts):
// runNow (its value and error, last call wins, the caller's signal, cancel), pre-emption and replacement of a
// running worker, cancel of running work, progress and subscribe, bad TaskIds, and shutdown with a later
// process taking over. The run-now, scheduled-work and lifecycle files check these on the simulated clock;
// here it is real time, so waits are polls and time is never asserted.
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrchestrator, defineTask, TaskCancelledError, ValidationError, WorkFailedError, type TaskSnapshot } from '../src/index.js';
import { failOnUnhandledRejections } from './support.js';
import { cleanUpEngines } from './support/engines.js';
import { SETUPS, type World } from './support/semantics-setups.js';

failOnUnhandledRejections();
afterAll(cleanUpEngines);

const quiet = { warn: () => {}, error: () => {} };

interface Run {
  taskId: string;
  n: number;
  attempt: number;
  signal: AbortSignal;
  setProgress(value: number): void;
}

/** Until the signal aborts, then rejects with its reason: a worker that honours cancellation. */
const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const { name, world: newWorld } of SETUPS) {
  describe(`calls on live work: ${name}`, { timeout: 30_000 }, () => {
    /** A process on `world`: task 'job' hangs until aborted when its input says so, else returns `did <n>`. */
    async function processOn(world: World, fail = false) {
      const runs: Run[] = [];
      const job = defineTask({
        id: 'job',
        input: z.object({ n: z.number(), hang: z.boolean().optional() }),
        run: async ({ taskId, input, attempt, signal, setProgress }) => {
          runs.push({ taskId, n: input.n, attempt, signal, setProgress });
          if (fail) throw new Error(`failed ${input.n}`);
          if (input.hang) await untilAborted(signal);
          return `did ${input.n}`;
        },
      });
      const orchestrator = createOrchestrator({ ...world.process(), logger: quiet }).register(job);
      await orchestrator.start();
      const runsOf = (taskId: string) => runs.filter((r) => r.taskId === taskId);
      const running = (taskId: string) => until(async () => (await orchestrator.getTask(taskId))?.status === 'running', `${taskId} running`);
      return { orchestrator, runs, runsOf, running };
    }
    const started = (fail = false) => processOn(newWorld(), fail);

    it("runNow resolves with its function's value, and rejects with its error unchanged, called once", async () => {
      const { orchestrator } = await started();
      await expect(orchestrator.runNow('job/i1', async () => 41 + 1)).resolves.toBe(42);
      const boom = new Error('boom');
      let calls = 0;
      const thrown = orchestrator.runNow('job/i2', () => {
        calls++;
        throw boom;
      });
      await expect(thrown).rejects.toBe(boom);
      expect(calls).toBe(1);
      expect(await orchestrator.getTask('job/i2')).toMatchObject({ status: 'done', kind: 'instant', outcome: { ok: false, error: boom } });
      await orchestrator.shutdown();
    });

    it('runNow: last call wins, the one in flight is aborted and rejects preempted', async () => {
      const { orchestrator } = await started();
      let firstSignal: AbortSignal | undefined;
      const first = orchestrator.runNow('job/lw', ({ signal }) => {
        firstSignal = signal;
        return untilAborted(signal);
      });
      const second = orchestrator.runNow('job/lw', async () => 'second');
      expect(await first.catch((e: unknown) => e)).toMatchObject({ name: 'AbortError', reason: 'preempted', taskId: 'job/lw' });
      expect(firstSignal?.aborted).toBe(true);
      await expect(second).resolves.toBe('second');
      await orchestrator.shutdown();
    });

    it("runNow: aborting the caller's signal cancels the work; cancel(taskId) rejects its caller cancelled", async () => {
      const { orchestrator } = await started();
      const controller = new AbortController();
      let workSignal: AbortSignal | undefined;
      const run = orchestrator.runNow(
        'job/ab',
        ({ signal }) => {
          workSignal = signal;
          return untilAborted(signal);
        },
        { signal: controller.signal },
      );
      controller.abort();
      await expect(run).rejects.toMatchObject({ name: 'AbortError', reason: 'cancelled' });
      expect(workSignal?.aborted).toBe(true);
      expect(await orchestrator.getTask('job/ab')).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled' });

      const held = orchestrator.runNow('job/cx', ({ signal }) => untilAborted(signal));
      const rejected = expect(held).rejects.toMatchObject({ name: 'AbortError', reason: 'cancelled' });
      await orchestrator.cancel('job/cx');
      await rejected;
      await orchestrator.shutdown();
    });

    it('runNow pre-empts a running scheduled worker through its signal; the scheduled handle rejects preempted', async () => {
      const { orchestrator, runsOf, running } = await started();
      const handle = await orchestrator.schedule({ taskId: 'job/pre', input: { n: 1, hang: true } });
      const result = handle.result().catch((e: unknown) => e);
      await running('job/pre');
      await expect(orchestrator.runNow('job/pre', async () => 'instant')).resolves.toBe('instant');
      expect(runsOf('job/pre')[0]?.signal.aborted).toBe(true);
      expect(await result).toMatchObject({ name: 'AbortError', reason: 'preempted' });
      expect(await orchestrator.getTask('job/pre')).toMatchObject({ status: 'done', kind: 'instant', outcome: { ok: true, value: 'instant' } });
      expect(runsOf('job/pre')).toHaveLength(1);
      await orchestrator.shutdown();
    });

    it("onConflict 'replace' aborts the running worker and starts over with the new input; 'keep' leaves it alone", async () => {
      const { orchestrator, runsOf, running } = await started();
      await orchestrator.schedule({ taskId: 'job/rep', input: { n: 1, hang: true } });
      await running('job/rep');
      await orchestrator.schedule({ taskId: 'job/rep', input: { n: 2 }, onConflict: 'keep' });
      await new Promise((r) => setTimeout(r, 200));
      expect(runsOf('job/rep').map((r) => r.n)).toEqual([1]);
      expect(runsOf('job/rep')[0]?.signal.aborted).toBe(false);
      const replaced = await orchestrator.schedule({ taskId: 'job/rep', input: { n: 3 } });
      await expect(replaced.result()).resolves.toBe('did 3');
      expect(runsOf('job/rep')[0]?.signal.aborted).toBe(true);
      expect(runsOf('job/rep').map((r) => [r.n, r.attempt])).toEqual([
        [1, 1],
        [3, 1],
      ]);
      await orchestrator.shutdown();
    });

    it('cancel() of running work aborts its worker, its handle rejects cancelled, and it never runs again', async () => {
      const { orchestrator, runsOf, running } = await started();
      const handle = await orchestrator.schedule({ taskId: 'job/cr', input: { n: 1, hang: true } });
      const result = handle.result().catch((e: unknown) => e);
      await running('job/cr');
      await orchestrator.cancel('job/cr');
      expect(await result).toMatchObject({ name: 'AbortError', reason: 'cancelled' });
      expect(runsOf('job/cr')[0]?.signal.aborted).toBe(true);
      expect(await orchestrator.getTask('job/cr')).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled' });
      await new Promise((r) => setTimeout(r, 300));
      expect(runsOf('job/cr')).toHaveLength(1);
      expect((await orchestrator.listTasks({ prefix: 'job/cr', status: 'pending' })).tasks).toEqual([]);
      await orchestrator.shutdown();
    });

    it('progress shows in getTask and reaches subscribers; subscribe follows a task from pending to done', async () => {
      const { orchestrator, runsOf, running } = await started();
      const seen: TaskSnapshot[] = [];
      const stop = orchestrator.subscribe((snapshot) => seen.push(snapshot), { taskId: 'job/p' });
      const handle = await orchestrator.schedule({ taskId: 'job/p', input: { n: 7, hang: true }, initialDelayMs: 50 });
      await running('job/p');
      const run = runsOf('job/p')[0]!;
      run.setProgress(0.25);
      run.setProgress(0.5);
      expect((await orchestrator.getTask('job/p'))?.progress).toBe(0.5);
      expect(() => run.setProgress(2)).toThrow(/progress/);
      const result = handle.result().catch((e: unknown) => e);
      await orchestrator.cancel('job/p');
      await result;
      stop();
      const statuses = seen.map((s) => s.status).filter((status, i, all) => status !== all[i - 1]);
      expect(statuses).toEqual(['pending', 'running', 'cancelled']);
      expect(seen.map((s) => s.progress)).toContain(0.25);
      const after = seen.length;
      await orchestrator.schedule({ taskId: 'job/p', input: { n: 8 } });
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toHaveLength(after);
      await orchestrator.shutdown();
    });

    it('maxAttempts 1: a throwing worker runs once and ends done with a WorkFailedError', async () => {
      const { orchestrator, runsOf } = await started(true);
      const handle = await orchestrator.schedule({ taskId: 'job/once', input: { n: 1 }, backoff: { maxAttempts: 1 } });
      const error = await handle.result().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkFailedError);
      expect(runsOf('job/once')).toHaveLength(1);
      expect(await orchestrator.getTask('job/once')).toMatchObject({ status: 'done', attempt: 1, outcome: { ok: false } });
      await orchestrator.shutdown();
    });

    it('refuses a bad TaskId with a ValidationError naming taskId, storing nothing', async () => {
      const { orchestrator, runs } = await started();
      for (const call of [() => orchestrator.runNow(' bad id', () => 1), () => orchestrator.schedule({ taskId: ' bad id', input: { n: 1 } })]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('taskId');
      }
      expect((await orchestrator.listTasks()).tasks).toEqual([]);
      expect(runs).toEqual([]);
      await orchestrator.shutdown();
    });

    it('shutdown() aborts running workers and rejects runNow callers with "shutdown"; a later process runs the stored work', async () => {
      const world = newWorld();
      const first = await processOn(world);
      await first.orchestrator.schedule({ taskId: 'job/long', input: { n: 1, hang: true }, backoff: { maxAttempts: 3 } });
      await first.orchestrator.schedule({ taskId: 'job/later', input: { n: 2 }, initialDelayMs: 300 });
      await first.running('job/long');
      const caller = first.orchestrator.runNow('job/save', ({ signal }) => untilAborted(signal)).catch((e: unknown) => e);
      await first.orchestrator.shutdown();
      expect(await caller).toMatchObject({ name: 'AbortError', reason: 'shutdown' });
      expect(first.runsOf('job/long')[0]?.signal.aborted).toBe(true);
      expect(await first.orchestrator.getTask('job/long')).toMatchObject({ status: 'cancelled', cancelReason: 'shutdown' });
      await expect(first.orchestrator.runNow('job/save', () => 1)).rejects.toMatchObject({ reason: 'shutdown' });
      expect(first.runsOf('job/later')).toEqual([]);

      // The next process: the run shutdown cut off runs again (that attempt counted), the dormant one when due.
      const second = await processOn(world);
      await until(() => second.runsOf('job/long').length > 0 && second.runsOf('job/later').length > 0, 'both to run in the next process');
      expect(second.runsOf('job/long').map((r) => r.attempt)).toEqual([2]);
      expect(second.runsOf('job/later').map((r) => r.n)).toEqual([2]);
      await second.orchestrator.shutdown();
    });
  });
}
