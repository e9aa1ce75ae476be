// One process's semantics, the same on errand alone (its own store and wake-up timer) and on every
// engine (test/support/engines.ts): delays, backoff and failure, cancel, replace and keep, runNow over
// scheduled work, periodic runs end to start, and the views. Real time, short delays: every assertion on
// time is a lower bound (nothing runs early), never an upper one.
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrchestrator, defineTask, TaskCancelledError, WorkFailedError, WorkResult } from '../src/index.js';
import { failOnUnhandledRejections } from './support.js';
import { cleanUpEngines } from './support/engines.js';
import { SETUPS } from './support/semantics-setups.js';

failOnUnhandledRejections();
afterAll(cleanUpEngines);

const quiet = { warn: () => {}, error: () => {} };

interface Run {
  taskId: string;
  n: number;
  attempt: number;
  startedAt: number;
  endedAt?: number;
}

for (const { name, world } of SETUPS) {
  describe(`one process's semantics: ${name}`, { timeout: 20_000 }, () => {
    async function started(behave: (run: Run) => Promise<unknown> | unknown = () => undefined) {
      const runs: Run[] = [];
      const job = defineTask({
        id: 'job',
        input: z.object({ n: z.number() }),
        run: async ({ taskId, input, attempt }) => {
          const run: Run = { taskId, n: input.n, attempt, startedAt: Date.now() };
          runs.push(run);
          try {
            const value = await behave(run);
            return value === undefined ? `did ${input.n}` : value;
          } finally {
            run.endedAt = Date.now();
          }
        },
      });
      const orchestrator = createOrchestrator({ ...world().process(), logger: quiet }).register(job);
      await orchestrator.start();
      return { orchestrator, runs };
    }

    it('a delayed request never runs before it is due, then runs once', async () => {
      const { orchestrator, runs } = await started();
      const at = Date.now();
      const handle = await orchestrator.schedule({ taskId: 'job/later', input: { n: 1 }, initialDelayMs: 400 });
      expect((await orchestrator.getTask('job/later'))?.status).toBe('pending');
      expect((await orchestrator.listTasks({ prefix: 'job/' })).tasks.map((t) => t.taskId)).toEqual(['job/later']);
      await expect(handle.result()).resolves.toBe('did 1');
      expect(runs).toHaveLength(1);
      expect(runs[0]!.startedAt - at).toBeGreaterThanOrEqual(395);
      await orchestrator.shutdown();
    });

    it('retries with backoff up to maxAttempts, then ends done with a WorkFailedError', async () => {
      const { orchestrator, runs } = await started(() => WorkResult.retry('busy'));
      const handle = await orchestrator.schedule({
        taskId: 'job/flaky',
        input: { n: 1 },
        backoff: { policy: 'linear', initialDelayMs: 60, maxDelayMs: 60, jitter: 0, maxAttempts: 3 },
      });
      const error = await handle.result().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkFailedError);
      expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt - runs[i - 1]!.endedAt!).toBeGreaterThanOrEqual(55);
      expect(await orchestrator.getTask('job/flaky')).toMatchObject({ status: 'done', attempt: 3, outcome: { ok: false } });
      await orchestrator.shutdown();
    });

    it('WorkResult.failure ends the work at once, one attempt', async () => {
      const { orchestrator, runs } = await started(() => WorkResult.failure('bad input'));
      const handle = await orchestrator.schedule({ taskId: 'job/bad', input: { n: 1 } });
      await expect(handle.result()).rejects.toBeInstanceOf(WorkFailedError);
      expect(runs).toHaveLength(1);
      await orchestrator.shutdown();
    });

    it('cancel() of dormant work: it never runs, and its handle rejects cancelled', async () => {
      const { orchestrator, runs } = await started();
      const handle = await orchestrator.schedule({ taskId: 'job/never', input: { n: 1 }, initialDelayMs: 300 });
      const result = handle.result().catch((e: unknown) => e);
      await orchestrator.cancel('job/never');
      expect(await result).toMatchObject({ name: 'AbortError', reason: 'cancelled' });
      await new Promise((r) => setTimeout(r, 500));
      expect(runs).toEqual([]);
      expect(await orchestrator.getTask('job/never')).toMatchObject({ status: 'cancelled' });
      await orchestrator.shutdown();
    });

    it("onConflict 'replace' (the default) replaces a waiting request; 'keep' keeps it", async () => {
      const { orchestrator, runs } = await started();
      await orchestrator.schedule({ taskId: 'job/r', input: { n: 1 }, initialDelayMs: 300 });
      const replaced = await orchestrator.schedule({ taskId: 'job/r', input: { n: 2 }, initialDelayMs: 200 });
      await orchestrator.schedule({ taskId: 'job/k', input: { n: 3 }, initialDelayMs: 200 });
      const kept = await orchestrator.schedule({ taskId: 'job/k', input: { n: 4 }, initialDelayMs: 0, onConflict: 'keep' });
      await expect(replaced.result()).resolves.toBe('did 2');
      await expect(kept.result()).resolves.toBe('did 3');
      await new Promise((r) => setTimeout(r, 300));
      expect(runs.map((r) => `${r.taskId}:${r.n}`).sort()).toEqual(['job/k:3', 'job/r:2']);
      await orchestrator.shutdown();
    });

    it('runNow over scheduled work runs now and drops the scheduled request', async () => {
      const { orchestrator, runs } = await started();
      const handle = await orchestrator.schedule({ taskId: 'job/now', input: { n: 1 }, initialDelayMs: 300 });
      const result = handle.result().catch((e: unknown) => e);
      await expect(orchestrator.runNow('job/now', async () => 'instant')).resolves.toBe('instant');
      expect(await result).toBeInstanceOf(TaskCancelledError);
      await new Promise((r) => setTimeout(r, 500));
      expect(runs).toEqual([]);
      await orchestrator.shutdown();
    });

    it('periodic work runs end to start: the next run starts an interval after the last one ended, never overlapping', async () => {
      const { orchestrator, runs } = await started(() => new Promise((r) => setTimeout(r, 80)));
      await orchestrator.schedule({ taskId: 'job/tick', input: { n: 1 }, kind: 'periodic', intervalMs: 150 });
      for (let i = 0; i < 200 && runs.filter((r) => r.endedAt !== undefined).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      await orchestrator.cancel('job/tick');
      const ended = runs.filter((r) => r.endedAt !== undefined);
      expect(ended.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < ended.length; i++) expect(ended[i]!.startedAt - ended[i - 1]!.endedAt!).toBeGreaterThanOrEqual(145);
      await orchestrator.shutdown();
    });
  });
}
