import { expect, it, type TestContext } from 'vitest';
import type { StorePort, StoreRead } from '../src/core/ports.js';
import { batch, byId, harnesses, ids, listAll, storedRecord, type BadRowPlace, type StoreFactory, type StoreHarness } from './store-contract-support.js';

const ALL = Number.POSITIVE_INFINITY;

/** What every read shows of a store, for comparing before and after. */
async function everything(store: StorePort) {
  return {
    list: ids(await listAll(store)),
    due: ids(await store.due({ after: null, until: ALL, limit: 1_000 })),
    next: await store.nextDueAt(Number.NEGATIVE_INFINITY),
    held: ids(await store.held()).sort(),
    running: ids(await store.list({ status: 'running', limit: 1_000 })),
  };
}

/**
 * The reads that meet a bad row sitting at `place`. The paged ones read a page of one row: the bad
 * row sorts first and takes the page (a store that skipped it and read on would return the good one).
 */
const READS: { name: string; place: BadRowPlace; read: (store: StorePort, key: string) => Promise<StoreRead>; unpaged?: true }[] = [
  { name: 'get', place: { dueAt: 5, status: 'pending', held: null }, read: (store, key) => store.get(key) },
  { name: 'due', place: { dueAt: 5, status: 'pending', held: null }, read: (store) => store.due({ after: null, until: ALL, limit: 1 }) },
  { name: 'list', place: { dueAt: 5, status: 'pending', held: null }, read: (store) => store.list({ limit: 1 }) },
  { name: 'list by status', place: { dueAt: 5, status: 'backoff', held: null }, read: (store) => store.list({ status: 'backoff', limit: 1 }) },
  { name: 'list by prefix', place: { dueAt: 5, status: 'pending', held: null }, read: (store) => store.list({ prefix: 'job/', limit: 1 }) },
  { name: 'held', place: { dueAt: 5, status: 'pending', held: 'not registered' }, read: (store) => store.held(), unpaged: true },
];

export function lifecycleContract(factory: StoreFactory): void {
  const { fresh, reopened } = harnesses(factory);

  const ephemeral = (taskId: string, fields: Parameters<typeof storedRecord>[1] = {}) =>
    storedRecord(taskId, { ...fields, request: { ephemeral: true, ...fields.request } });

  async function withEphemeral(): Promise<StoreHarness> {
    const harness = await fresh();
    await harness.store.write(
      batch([
        storedRecord('job/durable', { dueAt: 30 }),
        ephemeral('job/eph-due', { dueAt: 10 }),
        ephemeral('job/eph-held', { dueAt: 5, held: 'not registered' }),
        ephemeral('job/eph-running', { dueAt: 1, status: 'running' }),
        // Rewritten as durable: no longer ephemeral.
        ephemeral('job/was-eph', { dueAt: 20 }),
        // Rewritten as ephemeral: now it is.
        storedRecord('job/now-eph', { dueAt: 2 }),
      ]),
    );
    await harness.store.write(batch([storedRecord('job/was-eph', { dueAt: 20 }), ephemeral('job/now-eph', { dueAt: 2 })]));
    return harness;
  }

  const AFTER_ERASE = { list: ['job/durable', 'job/was-eph'], due: ['job/was-eph', 'job/durable'], next: 20, held: [], running: [] };

  it('open erases every ephemeral record, from every read, and keeps the rest', async () => {
    const { store } = await withEphemeral();
    expect((await everything(store)).list).toHaveLength(6);
    await store.open();
    expect(await everything(store)).toEqual(AFTER_ERASE);
    expect((await store.get('job/eph-due')).records).toEqual([]);
    expect(await store.nextDueAt(0)).toBe(20);
  });

  it('open with keepEphemeral keeps the ephemeral records (they belong to a session still alive)', async () => {
    const { store } = await withEphemeral();
    const before = await everything(store);
    await store.open({ keepEphemeral: true });
    expect(await everything(store)).toEqual(before);
    expect(before.list).toHaveLength(6);
    expect(before.list).toContain('job/eph-due');
  });

  it('a new instance of a durable store finds the ephemeral records erased by its open', async (ctx) => {
    const harness = await withEphemeral();
    if (!harness.reopen) return ctx.skip('keeps nothing across instances');
    const again = await reopened(harness, harness.store);
    expect(await everything(again)).toEqual(AFTER_ERASE);
  });

  it('reopening keeps the records and their order (durable stores only)', async (ctx) => {
    const harness = await fresh();
    if (!harness.reopen) return ctx.skip('keeps nothing across instances');
    const kept = [
      storedRecord('job/a', { attempt: 1, dueAt: 50 }),
      storedRecord('job/b', { status: 'running', dueAt: 40 }),
      storedRecord('job/h', { held: 'not registered', dueAt: 1 }),
    ];
    await harness.store.write(batch([...kept, storedRecord('job/gone')]));
    await harness.store.write(batch([], ['job/gone']));
    const again = await reopened(harness, harness.store);
    expect(await listAll(again)).toEqual(byId(kept));
    expect(await everything(again)).toEqual({ list: ['job/a', 'job/b', 'job/h'], due: ['job/b', 'job/a'], next: 40, held: ['job/h'], running: ['job/b'] });
    await again.write(batch([storedRecord('job/c')], ['job/a']));
    const third = await reopened(harness, again);
    expect(ids(await listAll(third))).toEqual(['job/b', 'job/c', 'job/h']);
  });

  for (const { name, place, read, unpaged } of READS) {
    it(`${name} moves a row that fails validation into the quarantine, reports it once, and counts it in the limit`, async (ctx: TestContext) => {
      const harness = await fresh();
      if (!harness.putBadRow) {
        return ctx.skip('this store keeps the values it is given and has no stored form that can fail validation');
      }
      const { store } = harness;
      const good = storedRecord('job/z', { dueAt: 6, status: place.status, held: place.held });
      await store.write(batch([good]));
      await harness.putBadRow('job/bad', place);
      const first = await read(store, 'job/bad');
      expect(first.records).toEqual(unpaged ? [good] : []);
      expect(first.quarantined).toHaveLength(1);
      expect(first.quarantined[0]?.key).toBe('job/bad');
      expect(first.quarantined[0]?.reason).toEqual(expect.any(String));
      expect(first.quarantined[0]?.reason.length).toBeGreaterThan(0);
      const second = await read(store, 'job/z');
      expect(second).toEqual({ records: [good], quarantined: [] });
      expect(ids(await listAll(store))).toEqual(['job/z']);
      expect((await store.get('job/bad')).quarantined).toEqual([]);
    });
  }

  it('a bad row met by one read is gone for every other read', async (ctx) => {
    const harness = await fresh();
    if (!harness.putBadRow) return ctx.skip('this store has no stored form that can fail validation');
    await harness.store.write(batch([storedRecord('job/a', { dueAt: 9 })]));
    await harness.putBadRow('job/bad', { dueAt: 3, status: 'running', held: 'not registered' });
    expect((await harness.store.list({ limit: 10 })).quarantined.map((q) => q.key)).toEqual(['job/bad']);
    expect(await everything(harness.store)).toEqual({ list: ['job/a'], due: ['job/a'], next: 9, held: [], running: [] });
  });

  it('close() may be called more than once', async () => {
    const { store } = await fresh();
    await store.write(batch([storedRecord('job/a')]));
    await store.close?.();
    await expect(store.close?.() ?? Promise.resolve()).resolves.toBeUndefined();
  });
}
