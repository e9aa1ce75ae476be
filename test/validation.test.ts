import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, ValidationError } from '../src/index.js';
import { setup } from './support.js';

async function fieldOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).field;
}

describe('validation', () => {
  it('names the offending field and stores nothing', async () => {
    const { orchestrator, store, clock } = setup();
    let runs = 0;
    orchestrator.register(
      defineTask({ id: 'app.sync', input: z.object({ since: z.date() }), run: async () => void runs++ }),
    );
    await orchestrator.start();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ taskId: '' }, 'taskId'],
      [{ taskId: 'has space' }, 'taskId'],
      [{ taskId: 'nobody.registered' }, 'taskId'],
      [{ taskId: 'app.sync', input: { since: 'yesterday' } }, 'input.since'],
      [{ taskId: 'app.sync', input: { since: new Date() }, initialDelayMs: -1 }, 'initialDelayMs'],
      [{ taskId: 'app.sync', input: { since: new Date() }, backoff: { maxAttempts: 0 } }, 'backoff.maxAttempts'],
      [{ taskId: 'app.sync', input: { since: new Date() }, backoff: { initialDelayMs: 10, maxDelayMs: 5 } }, 'backoff.maxDelayMs'],
      [{ taskId: 'app.sync', input: { since: new Date() }, backoff: { jitter: 2 } }, 'backoff.jitter'],
      [{ taskId: 'app.sync', input: { since: new Date() }, constraints: { network: 'wifi' } }, 'constraints.network'],
      [{ taskId: 'app.sync', input: { since: new Date() }, kind: 'periodic' }, 'intervalMs'],
      [{ taskId: 'app.sync', input: { since: new Date() }, intervalMs: 5 }, 'intervalMs'],
      [{ taskId: 'app.sync', input: { since: new Date() }, onConflict: 'merge' }, 'onConflict'],
      [{ taskId: 'app.sync', input: { since: new Date() }, colour: 'red' }, 'colour'],
    ];
    for (const [request, field] of cases) {
      // @ts-expect-error deliberately bad requests
      expect(await fieldOf(orchestrator.schedule(request)), JSON.stringify(request)).toBe(field);
    }
    await clock.flush();
    expect(store.records()).toEqual([]);
    expect(orchestrator.peekTasks()).toEqual([]);
    expect(runs).toBe(0);
  });

  it('rejects bad task definitions and registrations', () => {
    const { orchestrator } = setup();
    expect(() => defineTask({ id: '', run: async () => {} })).toThrow(ValidationError);
    orchestrator.register('a', async () => {});
    expect(() => orchestrator.register('a', async () => {})).toThrow(/already registered/);
    expect(() => orchestrator.register('a/b', async () => {})).toThrow(ValidationError);
  });

  it('infers input types from the zod schema', async () => {
    const { orchestrator } = setup();
    const typed = orchestrator.register(
      defineTask({ id: 'typed', input: z.object({ n: z.number() }), run: async ({ input }) => input.n * 2 }),
    );
    await typed.start();
    await typed.schedule({ taskId: 'typed', input: { n: 1 } });
    // @ts-expect-error n must be a number
    await expect(typed.schedule({ taskId: 'typed', input: { n: 'one' } })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('schedule() types', () => {
  it('requires input when the schema does, and accepts any input for register(taskId, run)', async () => {
    const { orchestrator } = setup();
    const typed = orchestrator
      .register(defineTask({ id: 'needs', input: z.object({ n: z.number() }), run: async () => {} }))
      .register(defineTask({ id: 'maybe', input: z.object({ n: z.number() }).optional(), run: async () => {} }))
      .register('loose', async () => {});
    await typed.start();
    // @ts-expect-error input is required by the schema
    await expect(typed.schedule({ taskId: 'needs' })).rejects.toBeInstanceOf(ValidationError);
    await typed.schedule({ taskId: 'maybe' });
    await typed.schedule({ taskId: 'loose', input: 1 });
    await typed.schedule({ taskId: 'loose/2', input: { any: 'thing' } });
  });
});

describe('bad arguments to the orchestrator itself (issue 9, class 12)', () => {
  it('names the argument: register(null), bad options, bad shutdown timeouts', async () => {
    const { orchestrator } = setup();
    // @ts-expect-error not a definition
    expect(() => orchestrator.register(null)).toThrow(expect.objectContaining({ name: 'ValidationError', field: 'definition' }));
    // @ts-expect-error clock without its methods
    expect(() => setup({ clock: {} })).toThrow(expect.objectContaining({ name: 'ValidationError', field: expect.stringMatching(/^clock/) }));
    expect(() => setup({ retainFinished: Number.NaN })).toThrow(expect.objectContaining({ field: 'retainFinished' }));
    for (const timeoutMs of [-1, 1.5, Number.NaN, 2 ** 31]) {
      await expect(orchestrator.shutdown({ timeoutMs })).rejects.toMatchObject({ name: 'ValidationError', field: 'timeoutMs' });
    }
    await orchestrator.shutdown({ timeoutMs: 0 });
  });
});
