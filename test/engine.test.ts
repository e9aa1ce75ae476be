// The engine seam (`createOrchestrator({ engine })`) across processes, the same behaviour on every engine
// of test/support/engines.ts (each "process" here its own engine, connections and Worker;
// test/bullmq/processes.test.ts runs real child processes). Every process runs work; the engine decides
// which one runs what. test/engine-semantics.test.ts runs one process's semantics on these and on errand alone.
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PlatformPort } from '../src/core/ports.js';
import { createOrchestrator, defineTask, staticPlatform, ValidationError, WorkResult } from '../src/index.js';
import { memoryStore } from '../src/testing/index.js';
import { aborted, deferred, failOnUnhandledRejections } from './support.js';
import { cleanUpEngines, ENGINES, type Fleet } from './support/engines.js';
import { memoryFleet } from './support/memory-fleet.js';

failOnUnhandledRejections();
afterAll(cleanUpEngines);

const quiet = { warn: () => {}, error: () => {} };

type Run = (taskId: string, attempt: number, signal: AbortSignal) => Promise<unknown> | unknown;

function processOn(fleet: Fleet, name: string, ran: string[], run?: Run, takesWork = true, platform?: PlatformPort) {
  const job = defineTask({
    id: 'job',
    input: z.object({ n: z.number() }),
    run: async ({ taskId, attempt, signal, input }) => {
      ran.push(`${name}:${taskId}#${attempt}`);
      const value = run ? await run(taskId, attempt, signal) : undefined;
      return value === undefined ? `${name} did ${input.n}` : value;
    },
  });
  return createOrchestrator({ engine: fleet.member(name, { takesWork }), logger: quiet, ...(platform ? { platform } : {}) }).register(job);
}

const until = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 2_500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 4));
  if (!(await check())) throw new Error(`timed out waiting for ${what}`);
};

/** The process whose worker started the TaskId's latest run (from the run log). */
const runner = <O>(ran: string[], all: O[], taskId: string): O => {
  const last = [...ran].reverse().find((r) => r.includes(`:${taskId}#`));
  return all[Number(last?.slice(1, last.indexOf(':')))]!;
};

it('refuses store or coordinator beside engine, naming the option', () => {
  const engine = memoryFleet().member('x');
  expect(() => createOrchestrator({ engine, store: memoryStore() })).toThrow(ValidationError);
  expect(() => createOrchestrator({ engine, store: memoryStore() })).toThrow(/store/);
});

for (const { name, fleet: makeFleet } of ENGINES) {
  describe(`an engine decides where work runs: ${name}`, { timeout: 30_000 }, () => {
    async function fleetOf(count: number, run?: Run) {
      const fleet = makeFleet();
      const ran: string[] = [];
      const all = Array.from({ length: count }, (_, i) => processOn(fleet, `p${i}`, ran, run));
      for (const o of all) await o.start();
      return { fleet, ran, all };
    }

    /** Two processes whose worker holds its run until the run's signal aborts. */
    async function holdingFleet() {
      const started = deferred<string>();
      let held: AbortSignal | undefined;
      const fleet = await fleetOf(2, async (_, __, s) => {
        held = s;
        started.resolve('');
        await aborted(s);
      });
      return { ...fleet, started, signal: () => held };
    }

    it('300 tasks scheduled from every process run once each, spread over the fleet; result() anywhere sees how they ended', async () => {
      const { all, ran, fleet } = await fleetOf(3);
      const handles = await Promise.all(Array.from({ length: 300 }, (_, i) => all[i % 3]!.schedule({ taskId: `job/${i}`, input: { n: i } })));
      const values = await Promise.all(handles.map((h) => h.result()));
      expect(values.every((v) => /^p\d did \d+$/.test(String(v)))).toBe(true);
      expect(ran).toHaveLength(300);
      expect(new Set(ran.map((r) => r.split(':')[1])).size).toBe(300);
      expect(new Set(ran.map((r) => r.split(':')[0])).size).toBeGreaterThan(1);
      await until(async () => (await fleet.stored()) === 0, 'the records to be gone');
      for (const o of all) await o.shutdown();
    });

    it('a schedule() never runs the work in the calling process by itself: the engine hands it to a process that takes work', async () => {
      const fleet = makeFleet();
      const ran: string[] = [];
      const producer = processOn(fleet, 'producer', ran, undefined, false);
      const worker = processOn(fleet, 'worker', ran);
      await producer.start();
      await worker.start();
      const handles = [];
      for (let i = 0; i < 10; i++) handles.push(await producer.schedule({ taskId: `job/${i}`, input: { n: i } }));
      expect(await Promise.all(handles.map((h) => h.result()))).toEqual(Array.from({ length: 10 }, (_, i) => `worker did ${i}`));
      expect(ran.every((r) => r.startsWith('worker:'))).toBe(true);
      expect(producer.diagnostics().liveTasks).toBe(0);
      await producer.shutdown();
      await worker.shutdown();
    });

    it('cancel() from a process that does not hold the task reaches the one running it: its signal aborts, the record goes', async () => {
      const { all, ran, fleet, started, signal } = await holdingFleet();
      const handle = await all[0]!.schedule({ taskId: 'job/long', input: { n: 1 } });
      await started.promise;
      const other = runner(ran, all, 'job/long') === all[0] ? all[1]! : all[0]!;
      const result = handle.result().catch((e: unknown) => e);
      await other.cancel('job/long');
      await until(() => signal()?.aborted === true, 'the worker to be aborted');
      await until(async () => (await fleet.stored()) === 0, 'the task to be gone');
      expect(await other.getTask('job/long')).toMatchObject({ status: 'cancelled' });
      if (runner(ran, all, 'job/long') !== all[0]) expect(await result).toMatchObject({ name: 'AbortError', reason: 'cancelled' });
      for (const o of all) await o.shutdown();
    });

    it('subscribe() in one process follows a task running in another: running, then done', async () => {
      const fleet = makeFleet();
      const ran: string[] = [];
      const producer = processOn(fleet, 'producer', ran, undefined, false);
      const worker = processOn(fleet, 'worker', ran, () => new Promise((r) => setTimeout(r, 100)));
      await producer.start();
      await worker.start();
      const seen: string[] = [];
      producer.subscribe((s) => seen.push(s.status), { taskId: 'job/watched' });
      const handle = await producer.schedule({ taskId: 'job/watched', input: { n: 1 } });
      await expect(handle.result()).resolves.toBe('worker did 1');
      await until(() => seen.includes('done'), 'the end to be heard');
      expect(seen).toContain('running');
      expect(seen.indexOf('running')).toBeLessThan(seen.indexOf('done'));
      await producer.shutdown();
      await worker.shutdown();
    });

    it('a cancel that races the job becoming active still wins: no run completes, every handle rejects cancelled', async () => {
      const fleet = makeFleet();
      const ran: string[] = [];
      const completed: string[] = [];
      const producer = processOn(fleet, 'producer', ran, undefined, false);
      const worker = processOn(fleet, 'worker', ran, async (taskId, _, signal) => {
        // Long enough for a cancel to arrive on any backend: a run that gets to the end was not told.
        await new Promise((r) => setTimeout(r, 400));
        if (!signal.aborted) completed.push(taskId);
      });
      await producer.start();
      await worker.start();
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const handle = await producer.schedule({ taskId: `job/race-${i}`, input: { n: i } });
          // Some cancels land before the worker takes the job, some while it is taking it, some while it runs.
          if (i % 4 > 0) await new Promise((r) => setTimeout(r, i % 4));
          await producer.cancel(`job/race-${i}`);
          return handle.result().then(
            () => 'done',
            (e: unknown) => (e as { reason?: string }).reason ?? 'error',
          );
        }),
      );
      await new Promise((r) => setTimeout(r, 600));
      expect({ notCancelled: outcomes.filter((o) => o !== 'cancelled'), completed }).toEqual({ notCancelled: [], completed: [] });
      await until(async () => (await fleet.stored()) === 0, 'every record to be gone');
      await producer.shutdown();
      await worker.shutdown();
    });

    it('runNow in one process pre-empts the scheduled work running in another', async () => {
      const { all, ran, fleet, started, signal } = await holdingFleet();
      await all[0]!.schedule({ taskId: 'job/x', input: { n: 1 } });
      await started.promise;
      const holder = runner(ran, all, 'job/x');
      const other = holder === all[0] ? all[1]! : all[0]!;
      await expect(other.runNow('job/x', async () => 'now')).resolves.toBe('now');
      await until(() => signal()?.aborted === true, 'the scheduled worker to be aborted');
      await until(() => holder.peekTask('job/x')?.status === 'cancelled', 'the holder to cancel it');
      expect(holder.peekTask('job/x')).toMatchObject({ cancelReason: 'preempted' });
      await until(async () => (await fleet.stored()) === 0, 'the stored request to be dropped');
      expect(ran).toHaveLength(1);
      for (const o of all) await o.shutdown();
    });

    it("a process whose conditions do not meet a task's constraints leaves it for one whose conditions do", async () => {
      const fleet = makeFleet();
      const ran: string[] = [];
      const offline = processOn(fleet, 'offline', ran, undefined, true, staticPlatform({ online: false }));
      const online = processOn(fleet, 'online', ran, undefined, true, staticPlatform({ online: true }));
      await offline.start();
      await online.start();
      const handles = await Promise.all(
        Array.from({ length: 6 }, (_, i) => offline.schedule({ taskId: `job/net-${i}`, input: { n: i }, constraints: { network: 'any' } })),
      );
      expect(await Promise.all(handles.map((h) => h.result()))).toEqual(Array.from({ length: 6 }, (_, i) => `online did ${i}`));
      expect(ran.every((r) => r.startsWith('online:'))).toBe(true);
      expect(offline.diagnostics().liveTasks).toBe(0);
      await offline.shutdown();
      await online.shutdown();
    });

    it('backoff gives the work back to the engine; the retries may run elsewhere, attempts counted across processes', async () => {
      const { all, ran } = await fleetOf(2, (_, attempt) => (attempt < 3 ? WorkResult.retry('busy') : 'third time'));
      const handle = await all[0]!.schedule({
        taskId: 'job/flaky',
        input: { n: 1 },
        // Further out than the activation horizon (1 s): each retry goes dormant, back to the engine.
        backoff: { policy: 'linear', initialDelayMs: 1_100, maxDelayMs: 1_100, jitter: 0, maxAttempts: 5 },
      });
      await expect(handle.result()).resolves.toBe('third time');
      expect(ran.map((r) => r.split('#')[1])).toEqual(['1', '2', '3']);
      for (const o of all) await o.shutdown();
    });

    it('when the process running a task shuts down, another takes it and runs it again, the cut-off attempt counted', async () => {
      const first = deferred<string>();
      const { all, ran } = await fleetOf(2, async (_, attempt, s) => {
        if (attempt === 1) {
          first.resolve('');
          await aborted(s);
          throw new Error('aborted');
        }
        return 'second';
      });
      await all[0]!.schedule({ taskId: 'job/cut', input: { n: 1 } });
      await first.promise;
      const gone = runner(ran, all, 'job/cut');
      const stays = gone === all[0] ? all[1]! : all[0]!;
      await gone.shutdown({ timeoutMs: 1_000 });
      await until(() => ran.length === 2, 'the re-run');
      expect(ran[1]).toMatch(/#2$/);
      expect(runner(ran, all, 'job/cut')).toBe(stays);
      await until(() => stays.peekTask('job/cut')?.status === 'done', 'the re-run to end');
      expect(stays.peekTask('job/cut')).toMatchObject({ interrupted: 1, outcome: { ok: true, value: 'second' } });
      await stays.shutdown();
    });
  });
}
