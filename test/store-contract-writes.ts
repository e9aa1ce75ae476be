import { expect, it } from 'vitest';
import { ValidationError } from '../src/core/errors.js';
import type { TaskRecord } from '../src/core/schemas.js';
import { batch, byId, harnesses, ids, listAll, storedRecord, type StoreFactory } from './store-contract-support.js';

/** A copy of `record` whose serialization throws (a BigInt): a store that serializes fails mid-batch. */
function unserializable(taskId: string): TaskRecord {
  return { ...storedRecord(taskId), attempt: 10n as unknown as number };
}

/** A copy of `record` with a status no index knows: a store that indexes by status cannot place it. */
function unplaceable(taskId: string): TaskRecord {
  return { ...storedRecord(taskId), status: 'asleep' as TaskRecord['status'] };
}

export function writesContract(factory: StoreFactory): void {
  const { fresh, reopened } = harnesses(factory);

  it('a new store holds nothing', async () => {
    const { store } = await fresh();
    expect(await store.get('job/a')).toEqual({ records: [], quarantined: [] });
    expect(await store.due({ after: null, until: Number.POSITIVE_INFINITY, limit: 10 })).toEqual({ records: [], quarantined: [] });
    expect(await store.nextDueAt(Number.NEGATIVE_INFINITY)).toBeNull();
    expect(await store.list({ limit: 10 })).toEqual({ records: [], quarantined: [] });
    expect(await store.held()).toEqual({ records: [], quarantined: [] });
  });

  it('get returns what was written, and nothing for an unknown TaskId', async () => {
    const { store } = await fresh();
    const a = storedRecord('job/a', { attempt: 2, status: 'backoff', dueAt: 5_000 });
    const b = storedRecord('job/b', { status: 'running', dueAt: 10 });
    await store.write(batch([a, b]));
    expect(await store.get('job/a')).toEqual({ records: [a], quarantined: [] });
    expect((await store.get('job/b')).records).toEqual([b]);
    expect((await store.get('job/c')).records).toEqual([]);
    expect((await store.get('job')).records).toEqual([]);
  });

  it('keeps every field of a full record, across instances for durable stores', async () => {
    const harness = await fresh();
    const full = storedRecord('sync.photos/2026-01', {
      request: {
        kind: 'periodic',
        intervalMs: 3_600_000,
        initialDelayMs: 10,
        constraints: { network: 'unmetered', charging: true, batteryNotLow: true, idle: true, foreground: false },
        backoff: { policy: 'linear', initialDelayMs: 50, maxDelayMs: 500, maxAttempts: 7, jitter: 0.25 },
        ephemeral: false,
      },
      input: '{"json":{"folder":"camera","at":"2026-01-01T00:00:00.000Z"},"meta":{"values":{"at":["Date"]},"v":1}}',
      attempt: 3,
      interrupted: 1,
      runCount: 9,
      status: 'constrained',
      dueAt: 1_767_225_600_000.5,
      held: 'task sync.photos is not registered',
      updatedAt: 1_767_225_500_123,
    });
    await harness.store.write(batch([full]));
    expect((await harness.store.get(full.taskId)).records).toEqual([full]);
    if (harness.reopen) {
      const again = await reopened(harness, harness.store);
      expect((await again.get(full.taskId)).records).toEqual([full]);
    }
  });

  it('keeps input text exactly as given, and tells no input from empty text', async () => {
    const harness = await fresh();
    const inputs = ['', ' ', '{"json":"ünïcødé ✓ 😀 \\"quoted\\"\\n"}', 'not json at all', 'x'.repeat(100_000), '{"json":null}'];
    const records = inputs.map((input, i) => storedRecord(`job/${i}`, { input }));
    await harness.store.write(batch([...records, storedRecord('job/none', { input: null })]));
    let store = harness.store;
    if (harness.reopen) store = await reopened(harness, store);
    for (const [i, input] of inputs.entries()) expect((await store.get(`job/${i}`)).records[0]?.input).toBe(input);
    expect((await store.get('job/none')).records[0]?.input).toBeNull();
  });

  it('deletes records, and deleting an unknown TaskId is a no-op', async () => {
    const { store } = await fresh();
    await store.write(batch([storedRecord('job/a'), storedRecord('job/b'), storedRecord('job/c')]));
    await store.write(batch([], ['job/b', 'job/never-stored']));
    expect(ids(await listAll(store))).toEqual(['job/a', 'job/c']);
    expect((await store.get('job/b')).records).toEqual([]);
  });

  it('applies a batch deletes first, then puts in order', async () => {
    const { store } = await fresh();
    await store.write(batch([storedRecord('job/a'), storedRecord('job/b')]));
    await store.write(
      batch([storedRecord('job/a', { attempt: 1 }), storedRecord('job/c', { attempt: 1 }), storedRecord('job/c', { attempt: 2 })], ['job/a', 'job/b']),
    );
    expect((await listAll(store)).map((r) => [r.taskId, r.attempt])).toEqual([
      ['job/a', 1],
      ['job/c', 2],
    ]);
  });

  it('the last write of a TaskId wins, and a deleted TaskId can come back', async () => {
    const { store } = await fresh();
    await store.write(batch([storedRecord('job/a', { attempt: 1, updatedAt: 1 })]));
    await store.write(batch([storedRecord('job/a', { attempt: 2, status: 'running', updatedAt: 2 })]));
    await store.write(batch([storedRecord('job/a', { attempt: 3, status: 'backoff', updatedAt: 3 })]));
    expect(await listAll(store)).toEqual([storedRecord('job/a', { attempt: 3, status: 'backoff', updatedAt: 3 })]);
    await store.write(batch([], ['job/a']));
    await store.write(batch([storedRecord('job/a', { attempt: 4 })]));
    expect((await listAll(store)).map((r) => r.attempt)).toEqual([4]);
  });

  it('an empty batch changes nothing', async () => {
    const { store } = await fresh();
    await store.write(batch([storedRecord('job/a')]));
    await store.write(batch([]));
    expect(await listAll(store)).toEqual([storedRecord('job/a')]);
  });

  it('writes thousands of records in one batch and pages through them', async () => {
    const { store } = await fresh();
    const many = Array.from({ length: 3_000 }, (_, i) => storedRecord(`job/${i}`, { attempt: i % 5, dueAt: i % 17 }));
    await store.write(batch(many));
    expect(await listAll(store, 1_000)).toEqual(byId(many));
    await store.write(batch([], many.slice(0, 2_999).map((r) => r.taskId)));
    expect(ids(await listAll(store))).toEqual(['job/2999']);
  });

  it('refuses a batch with a record it cannot index, and changes nothing', async () => {
    const { store } = await fresh();
    await store.write(batch([storedRecord('job/keep', { dueAt: 5 }), storedRecord('job/drop', { dueAt: 6 })]));
    const before = await listAll(store);
    const error = await store
      .write(batch([storedRecord('job/first'), storedRecord('job/keep', { attempt: 9 }), unplaceable('job/poison')], ['job/drop']))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('put.2.status');
    expect(await listAll(store)).toEqual(before);
    expect(ids(await store.due({ after: null, until: 10, limit: 10 }))).toEqual(['job/keep', 'job/drop']);
  });

  // A store that serializes fails part-way through this batch; one that keeps values as given accepts it whole.
  it('applies a batch with a record it cannot serialize whole or not at all', async () => {
    const { store } = await fresh();
    await store.write(batch([storedRecord('job/keep', { dueAt: 5 }), storedRecord('job/drop', { dueAt: 6 })]));
    const before = await listAll(store);
    const attempt = batch(
      [storedRecord('job/first'), storedRecord('job/keep', { attempt: 9, dueAt: 1 }), unserializable('job/poison'), storedRecord('job/last')],
      ['job/drop'],
    );
    const failed = await store.write(attempt).then(
      () => false,
      () => true,
    );
    const after = (await listAll(store)).filter((r) => r.taskId !== 'job/poison');
    if (failed) {
      expect(after).toEqual(before);
      expect(ids(await store.due({ after: null, until: 10, limit: 10 }))).toEqual(['job/keep', 'job/drop']);
    } else {
      expect(after.map((r) => [r.taskId, r.attempt])).toEqual([
        ['job/first', 0],
        ['job/keep', 9],
        ['job/last', 0],
      ]);
    }
  });

  it('a failed batch does not stop later batches', async () => {
    const { store } = await fresh();
    await store.write(batch([unserializable('job/poison')])).catch(() => {});
    await store.write(batch([unplaceable('job/poison2')])).catch(() => {});
    await store.write(batch([storedRecord('job/after')], ['job/poison', 'job/poison2']));
    expect(ids(await listAll(store))).toEqual(['job/after']);
  });

  it('writes that do not overlap in time are applied in order', async () => {
    const { store } = await fresh();
    for (let i = 1; i <= 50; i++) {
      await store.write(batch([storedRecord(`job/${i % 3}`, { attempt: i, dueAt: 100 - i })], i % 7 === 0 ? ['job/2'] : []));
    }
    expect((await listAll(store)).map((r) => [r.taskId, r.attempt])).toEqual([
      ['job/0', 48],
      ['job/1', 49],
      ['job/2', 50],
    ]);
    expect(ids(await store.due({ after: null, until: 100, limit: 10 }))).toEqual(['job/2', 'job/1', 'job/0']);
  });
}
