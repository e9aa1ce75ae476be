import { describe, expect, it } from 'vitest';
import { memoryStore } from '../adapters/stores/memory-store.js';
import { ValidationError } from '../src/core/errors.js';
import type { TaskRecord } from '../src/core/schemas.js';
import { batch, storedRecord, storeContract } from './store-contract.js';

storeContract('memoryStore', () => ({ store: memoryStore() }));

describe('memoryStore', () => {
  it('starts with the records it is given, indexed, and shows what it keeps in TaskId order', async () => {
    const store = memoryStore([storedRecord('job/b', { dueAt: 1 }), storedRecord('job/a', { dueAt: 2 }), storedRecord('job/h', { held: 'x' })]);
    expect(store.records().map((r) => r.taskId)).toEqual(['job/a', 'job/b', 'job/h']);
    expect((await store.due({ after: null, until: 10, limit: 10 })).records.map((r) => r.taskId)).toEqual(['job/b', 'job/a']);
    expect((await store.held()).records.map((r) => r.taskId)).toEqual(['job/h']);
    await store.write(batch([storedRecord('job/c')], ['job/a']));
    expect(store.records().map((r) => r.taskId)).toEqual(['job/b', 'job/c', 'job/h']);
  });

  it('needs no open(): it is usable at once, and open() only erases ephemeral work', async () => {
    const store = memoryStore([storedRecord('job/e', { request: { ephemeral: true } })]);
    await store.write(batch([storedRecord('job/a')]));
    expect(store.records().map((r) => r.taskId)).toEqual(['job/a', 'job/e']);
    await store.open();
    expect(store.records().map((r) => r.taskId)).toEqual(['job/a']);
  });

  it('keeps records as the values it was given (no copies)', async () => {
    const record = storedRecord('job/a');
    const store = memoryStore();
    await store.write(batch([record]));
    expect((await store.get('job/a')).records[0]).toBe(record);
    expect((await store.due({ after: null, until: Number.POSITIVE_INFINITY, limit: 1 })).records[0]).toBe(record);
    expect((await store.list({ status: 'pending', limit: 1 })).records[0]).toBe(record);
  });

  it('never quarantines anything', async () => {
    const store = memoryStore([storedRecord('job/a')]);
    expect((await store.list({ limit: 10 })).quarantined).toEqual([]);
    expect((await store.due({ after: null, until: Number.POSITIVE_INFINITY, limit: 10 })).quarantined).toEqual([]);
  });

  it('refuses a record its indexes cannot place, naming the field, before changing anything', async () => {
    const store = memoryStore([storedRecord('job/a')]);
    const bad = (fields: Partial<Record<keyof TaskRecord, unknown>>) => ({ ...storedRecord('job/x'), ...fields }) as TaskRecord;
    for (const [fields, field] of [
      [{ dueAt: Number.NaN }, 'put.1.dueAt'],
      [{ dueAt: '5' }, 'put.1.dueAt'],
      [{ status: 'done' }, 'put.1.status'],
      [{ held: undefined }, 'put.1.held'],
      [{ taskId: 5 }, 'put.1.taskId'],
      [{ request: null }, 'put.1.request'],
    ] as const) {
      const error = await store.write(batch([storedRecord('job/b'), bad(fields)], ['job/a'])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
    await expect(memoryStore().write(batch([], [7 as unknown as string]))).rejects.toThrow(ValidationError);
    expect(store.records().map((r) => r.taskId)).toEqual(['job/a']);
  });

  it('pages through a large store in order', async () => {
    const n = 50_000;
    const store = memoryStore(Array.from({ length: n }, (_, i) => storedRecord(`job/${i}`, { dueAt: n - i })));
    const first = await store.due({ after: null, until: Number.POSITIVE_INFINITY, limit: 3 });
    expect(first.records.map((r) => r.taskId)).toEqual([`job/${n - 1}`, `job/${n - 2}`, `job/${n - 3}`]);
    expect(await store.nextDueAt(n - 1)).toBe(n);
    expect((await store.list({ after: 'job/49998', limit: 5 })).records.map((r) => r.taskId)).toEqual(['job/49999', 'job/5', 'job/50', 'job/500', 'job/5000']);
  });
});
