import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/stores/memory-store.js';
import { batch, storedRecord, storeContract } from '../store-contract.js';
import { faultyStore } from './faulty-store.js';

// With no fault armed it is the store it wraps.
storeContract('faultyStore(memoryStore) with no faults', () => ({ store: faultyStore(memoryStore()) }));

const ids = (records: { taskId: string }[]) => records.map((r) => r.taskId);
const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  // Two macrotask turns: longer than any chain of microtasks a settled write could need.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

function setup() {
  const inner = memoryStore([storedRecord('job/old')]);
  return { inner, store: faultyStore(inner) };
}

describe('faultyStore', () => {
  it('rejectWrites: the next write rejects with the given error and changes nothing; the one after goes through', async () => {
    const { inner, store } = setup();
    const boom = new Error('disk full');
    store.rejectWrites(boom);
    await expect(store.write(batch([storedRecord('job/a')], ['job/old']))).rejects.toBe(boom);
    expect(ids(inner.records())).toEqual(['job/old']);
    await store.write(batch([storedRecord('job/b')]));
    expect(ids(inner.records())).toEqual(['job/b', 'job/old']);
    expect(store.writes).toHaveLength(2);
  });

  it("rejectWrites 'every': every write rejects until heal()", async () => {
    const { inner, store } = setup();
    store.rejectWrites(new Error('read-only'), 'every');
    for (let i = 0; i < 3; i++) await expect(store.write(batch([storedRecord(`job/${i}`)]))).rejects.toThrow('read-only');
    store.heal();
    await store.write(batch([storedRecord('job/ok')]));
    expect(ids(inner.records())).toEqual(['job/ok', 'job/old']);
  });

  it('hangWrites: the next write never settles until released, then applies', async () => {
    const { inner, store } = setup();
    const hang = store.hangWrites();
    const writing = store.write(batch([storedRecord('job/a')]));
    await hang.whenWaiting(1);
    expect(await settled(writing)).toBe('pending');
    expect(hang.waiting).toBe(1);
    expect(ids(inner.records())).toEqual(['job/old']);
    // Only the next write hangs: a later one goes straight through.
    await store.write(batch([storedRecord('job/b')]));
    expect(ids(inner.records())).toEqual(['job/b', 'job/old']);
    await hang.release();
    await expect(writing).resolves.toBeUndefined();
    expect(ids(inner.records())).toEqual(['job/a', 'job/b', 'job/old']);
  });

  it("hangWrites 'every': writes queue in order; fail() rejects them unapplied and later writes pass", async () => {
    const { inner, store } = setup();
    const hang = store.hangWrites('every');
    const first = store.write(batch([storedRecord('job/a')]));
    const second = store.write(batch([], ['job/old']));
    await hang.whenWaiting(2);
    expect([await settled(first), await settled(second)]).toEqual(['pending', 'pending']);
    hang.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await expect(second).rejects.toThrow('connection lost');
    expect(ids(inner.records())).toEqual(['job/old']);
    await store.write(batch([storedRecord('job/c')]));
    expect(ids(inner.records())).toEqual(['job/c', 'job/old']);
  });

  it("hangWrites 'every': release() applies the queued writes in call order", async () => {
    const { inner, store } = setup();
    const hang = store.hangWrites('every');
    const writes = [store.write(batch([storedRecord('job/a', { attempt: 1 })])), store.write(batch([storedRecord('job/a', { attempt: 2 })]))];
    await hang.whenWaiting(2);
    await hang.release();
    await Promise.all(writes);
    expect(inner.records().map((r) => [r.taskId, r.attempt])).toEqual([
      ['job/a', 2],
      ['job/old', 0],
    ]);
  });

  it('tearWrites: applies only the first operations (deletes, then puts) and rejects', async () => {
    const { inner, store } = setup();
    const torn = new Error('power cut');
    store.tearWrites(2, torn);
    await expect(store.write(batch([storedRecord('job/a'), storedRecord('job/b')], ['job/old']))).rejects.toBe(torn);
    expect(ids(inner.records())).toEqual(['job/a']);
    store.tearWrites(0, torn);
    await expect(store.write(batch([storedRecord('job/c')]))).rejects.toBe(torn);
    expect(ids(inner.records())).toEqual(['job/a']);
  });

  it('rejectReads: the named reads reject, the others answer, until used up or healed', async () => {
    const { store } = setup();
    const down = new Error('store down');
    store.rejectReads(down, 'every', ['due', 'nextDueAt']);
    await expect(store.due({ after: null, until: 10_000, limit: 10 })).rejects.toBe(down);
    await expect(store.nextDueAt(0)).rejects.toBe(down);
    expect(ids((await store.get('job/old')).records)).toEqual(['job/old']);
    store.heal();
    expect(ids((await store.due({ after: null, until: 10_000, limit: 10 })).records)).toEqual(['job/old']);
    store.rejectReads(down);
    await expect(store.list({ limit: 10 })).rejects.toBe(down);
    expect(ids((await store.list({ limit: 10 })).records)).toEqual(['job/old']);
    await expect(store.held()).resolves.toEqual({ records: [], quarantined: [] });
  });

  it('faults apply in the order they were armed', async () => {
    const { store } = setup();
    store.rejectWrites(new Error('first'));
    store.rejectWrites(new Error('second'));
    await expect(store.write(batch([]))).rejects.toThrow('first');
    await expect(store.write(batch([]))).rejects.toThrow('second');
    await expect(store.write(batch([]))).resolves.toBeUndefined();
  });
});
