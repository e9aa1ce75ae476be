// The engine seam (`createOrchestrator({ engine })`), on an in-process fleet engine
// (test/support/memory-fleet.ts): every process runs work, the engine decides which one runs what.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrchestrator, defineTask, ValidationError, WorkResult } from '../src/index.js';
import { memoryStore } from '../src/testing/index.js';
import { aborted, deferred, failOnUnhandledRejections } from './support.js';
import { memoryFleet, type MemoryFleet } from './support/memory-fleet.js';

failOnUnhandledRejections();

const quiet = { warn: () => {}, error: () => {} };

type Run = (taskId: string, attempt: number, signal: AbortSignal) => Promise<unknown> | unknown;

function processOn(fleet: MemoryFleet, name: string, ran: string[], run?: Run, takesWork = true) {
  const job = defineTask({
    id: 'job',
    input: z.object({ n: z.number() }),
    run: async ({ taskId, attempt, signal, input }) => {
      ran.push(`${name}:${taskId}#${attempt}`);
      const value = run ? await run(taskId, attempt, signal) : undefined;
      return value === undefined ? `${name} did ${input.n}` : value;
    },
  });
  return createOrchestrator({ engine: fleet.member(name, { takesWork }), logger: quiet }).register(job);
}

async function fleetOf(count: number, run?: Run) {
  const fleet = memoryFleet();
  const ran: string[] = [];
  const all = Array.from({ length: count }, (_, i) => processOn(fleet, `p${i}`, ran, run));
  for (const o of all) await o.start();
  return { fleet, ran, all };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 1_000 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('an engine decides where work runs', () => {
  it('refuses store or coordinator beside engine, naming the option', () => {
    const engine = memoryFleet().member('x');
    expect(() => createOrchestrator({ engine, store: memoryStore() })).toThrow(ValidationError);
    expect(() => createOrchestrator({ engine, store: memoryStore() })).toThrow(/store/);
  });

  it('300 tasks scheduled from every process run once each, spread over the fleet; result() anywhere sees how they ended', async () => {
    const { all, ran, fleet } = await fleetOf(3);
    const handles = await Promise.all(Array.from({ length: 300 }, (_, i) => all[i % 3]!.schedule({ taskId: `job/${i}`, input: { n: i } })));
    const values = await Promise.all(handles.map((h) => h.result()));
    expect(values.every((v) => /^p\d did \d+$/.test(String(v)))).toBe(true);
    expect(ran).toHaveLength(300);
    expect(new Set(ran.map((r) => r.split(':')[1])).size).toBe(300);
    const byProcess = new Set(ran.map((r) => r.split(':')[0]));
    expect(byProcess.size).toBeGreaterThan(1);
    await until(() => fleet.records().length === 0, 'the records to be deleted');
    expect(fleet.holders()).toEqual({});
    for (const o of all) await o.shutdown();
  });

  it('a schedule() never runs the work in the calling process by itself: the engine hands it to a process that takes work', async () => {
    const fleet = memoryFleet();
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
    const started = deferred<string>();
    let signal: AbortSignal | undefined;
    const { all, fleet } = await fleetOf(2, async (_, __, s) => {
      signal = s;
      started.resolve('');
      await aborted(s);
    });
    const handle = await all[0]!.schedule({ taskId: 'job/long', input: { n: 1 } });
    await started.promise;
    const holderName = fleet.holders()['job/long'];
    const other = holderName === 'p0' ? all[1]! : all[0]!;
    const result = handle.result().catch((e: unknown) => e);
    await other.cancel('job/long');
    await until(() => signal?.aborted === true, 'the worker to be aborted');
    expect(await result).toMatchObject({ name: 'AbortError', reason: 'cancelled' });
    await until(() => fleet.records().length === 0 && Object.keys(fleet.holders()).length === 0, 'the task to be gone');
    for (const o of all) await o.shutdown();
  });

  it('runNow in one process pre-empts the scheduled work running in another', async () => {
    const started = deferred<string>();
    let signal: AbortSignal | undefined;
    const { all, fleet } = await fleetOf(2, async (_, __, s) => {
      signal = s;
      started.resolve('');
      await aborted(s);
    });
    const handle = await all[0]!.schedule({ taskId: 'job/x', input: { n: 1 } });
    const result = handle.result().catch((e: unknown) => e);
    await started.promise;
    const other = fleet.holders()['job/x'] === 'p0' ? all[1]! : all[0]!;
    await expect(other.runNow('job/x', async () => 'now')).resolves.toBe('now');
    await until(() => signal?.aborted === true, 'the scheduled worker to be aborted');
    expect(await result).toMatchObject({ name: 'AbortError', reason: 'preempted' });
    await until(() => fleet.records().length === 0, 'the stored request to be dropped');
    for (const o of all) await o.shutdown();
  });

  it('backoff gives the work back to the engine; the retry may run elsewhere, attempts counted across processes', async () => {
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
    const { all, ran, fleet } = await fleetOf(2, async (_, attempt, s) => {
      if (attempt === 1) {
        first.resolve('');
        await aborted(s);
        throw new Error('aborted');
      }
      return 'second';
    });
    const handle = await all[0]!.schedule({ taskId: 'job/cut', input: { n: 1 } });
    await first.promise;
    const holderName = fleet.holders()['job/cut']!;
    const [gone, stays] = holderName === 'p0' ? [all[0]!, all[1]!] : [all[1]!, all[0]!];
    await gone.shutdown({ timeoutMs: 1_000 });
    await until(() => ran.length === 2, 'the re-run');
    expect(ran[1]).toMatch(/#2$/);
    expect(ran[1]!.startsWith(stays === all[0] ? 'p0' : 'p1')).toBe(true);
    if (stays !== all[0]) await expect(handle.result()).rejects.toMatchObject({ reason: 'shutdown' });
    await until(() => stays.peekTask('job/cut')?.status === 'done', 'the re-run to end');
    await stays.shutdown();
  });
});
