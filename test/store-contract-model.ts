import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { StorePort } from '../src/core/ports.js';
import { persistedStatusSchema, type TaskRecord } from '../src/core/schemas.js';
import { dueAll, ids, listAll, storedRecord, type StoreFactory } from './store-contract-support.js';

/*
 * Random batches (and opens) against a plain Map: after each step every read must agree with
 * filtering and sorting the Map. Few TaskIds and few due times, so ties, rewrites, deletes of
 * what was just put and status or held changes happen all the time.
 */

const TASK_IDS = ['a', 'a/1', 'a/2', 'a.b', 'ab', 'b', 'b/1', 'c'];
const TIMES = [-1, 0, 1, 2, 2.5, 3];
const PREFIXES = ['', 'a', 'a/', 'b/', 'x'];

const recordArb = fc
  .record({
    taskId: fc.constantFrom(...TASK_IDS),
    dueAt: fc.constantFrom(...TIMES),
    status: fc.constantFrom(...persistedStatusSchema.options),
    held: fc.constantFrom(null, null, 'held'),
    ephemeral: fc.boolean(),
    attempt: fc.nat(3),
  })
  .map(({ ephemeral, ...fields }) => storedRecord(fields.taskId, { ...fields, request: { ephemeral } }));

type Step = { kind: 'write'; put: TaskRecord[]; delete: string[] } | { kind: 'open' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('write' as const), put: fc.array(recordArb, { maxLength: 5 }), delete: fc.array(fc.constantFrom(...TASK_IDS), { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'open' as const }) },
);

const byTaskId = (a: TaskRecord, b: TaskRecord) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);
const byDue = (a: TaskRecord, b: TaskRecord) => a.dueAt - b.dueAt || byTaskId(a, b);

async function agrees(store: StorePort, model: Map<string, TaskRecord>, pageSize: number): Promise<void> {
  const all = [...model.values()].sort(byTaskId);
  const runnable = all.filter((r) => r.held === null).sort(byDue);
  expect(await listAll(store, pageSize)).toEqual(all);
  for (const until of [Number.NEGATIVE_INFINITY, 0, 2, Number.POSITIVE_INFINITY]) {
    expect(ids(await dueAll(store, until, pageSize))).toEqual(ids(runnable.filter((r) => r.dueAt <= until)));
  }
  for (const after of [Number.NEGATIVE_INFINITY, ...TIMES]) {
    expect(await store.nextDueAt(after)).toBe(runnable.find((r) => r.dueAt > after)?.dueAt ?? null);
  }
  for (const prefix of PREFIXES) {
    for (const status of [undefined, ...persistedStatusSchema.options]) {
      const expected = all.filter((r) => r.taskId.startsWith(prefix) && (status === undefined || r.status === status));
      expect(ids(await store.list({ prefix, status, limit: 100 }))).toEqual(ids(expected));
      expect(ids(await store.list({ prefix, status, after: 'a/1', limit: pageSize }))).toEqual(ids(expected.filter((r) => r.taskId > 'a/1').slice(0, pageSize)));
    }
  }
  expect((await store.held()).records.sort(byTaskId)).toEqual(all.filter((r) => r.held !== null));
  for (const taskId of TASK_IDS) expect((await store.get(taskId)).records).toEqual(model.has(taskId) ? [model.get(taskId)] : []);
}

export function modelContract(factory: StoreFactory): void {
  it('every read agrees with a plain model after random batches and opens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 4 }), async (steps, pageSize) => {
        const harness = await factory();
        try {
          await harness.store.open();
          const model = new Map<string, TaskRecord>();
          for (const step of steps) {
            if (step.kind === 'open') {
              await harness.store.open();
              for (const [taskId, record] of model) if (record.request.ephemeral) model.delete(taskId);
            } else {
              await harness.store.write({ put: step.put, delete: step.delete });
              for (const taskId of step.delete) model.delete(taskId);
              for (const record of step.put) model.set(record.taskId, record);
            }
            await agrees(harness.store, model, pageSize);
          }
        } finally {
          await harness.store.close?.();
          await harness.cleanup?.();
        }
      }),
      { numRuns: 40 },
    );
  });
}
