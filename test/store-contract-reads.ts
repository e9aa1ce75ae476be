import { expect, it } from 'vitest';
import { ValidationError } from '../src/core/errors.js';
import type { DueQuery, ListQuery, StorePort } from '../src/core/ports.js';
import { batch, dueAll, harnesses, ids, storedRecord, type StoreFactory } from './store-contract-support.js';

const ALL = Number.POSITIVE_INFINITY;

/** Records written in scrambled order: three share dueAt 20, one of them held, statuses mixed. */
const spread = () => [
  storedRecord('job/m', { dueAt: 20, status: 'running' }),
  storedRecord('job/z', { dueAt: 10 }),
  storedRecord('job/a', { dueAt: 20, status: 'constrained' }),
  storedRecord('job/k', { dueAt: 20, held: 'not registered' }),
  storedRecord('job/b', { dueAt: 30, status: 'backoff' }),
  storedRecord('job/c', { dueAt: 20 }),
  storedRecord('job/early', { dueAt: -5 }),
];
const DUE_ORDER = ['job/early', 'job/z', 'job/a', 'job/c', 'job/m', 'job/b'];

async function rejection(read: () => Promise<unknown>): Promise<ValidationError> {
  const error = await read().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

export function readsContract(factory: StoreFactory): void {
  const { fresh } = harnesses(factory);

  async function withSpread(): Promise<StorePort> {
    const { store } = await fresh();
    await store.write(batch(spread()));
    return store;
  }

  it('due lists runnable records of every status by dueAt, ties by TaskId, held ones never', async () => {
    const store = await withSpread();
    const { records, quarantined } = await store.due({ after: null, until: ALL, limit: 100 });
    expect(ids(records)).toEqual(DUE_ORDER);
    expect(quarantined).toEqual([]);
    expect(records[4]).toEqual(storedRecord('job/m', { dueAt: 20, status: 'running' }));
  });

  it('due stops at until, inclusive', async () => {
    const store = await withSpread();
    expect(ids(await store.due({ after: null, until: 20, limit: 100 }))).toEqual(DUE_ORDER.slice(0, 5));
    expect(ids(await store.due({ after: null, until: 19.5, limit: 100 }))).toEqual(['job/early', 'job/z']);
    expect(ids(await store.due({ after: null, until: -6, limit: 100 }))).toEqual([]);
  });

  it('due pages with a strict cursor: every page size visits each record once, in order', async () => {
    const store = await withSpread();
    for (const size of [1, 2, 3, 5, 6, 7]) expect(ids(await dueAll(store, ALL, size))).toEqual(DUE_ORDER);
    expect(ids(await store.due({ after: null, until: ALL, limit: 2 }))).toEqual(DUE_ORDER.slice(0, 2));
  });

  it('due resumes after a cursor between records, inside a tie, or at a record since deleted', async () => {
    const store = await withSpread();
    const after = (dueAt: number, taskId: string, limit = 100, until = ALL) => store.due({ after: { dueAt, taskId }, until, limit });
    expect(ids(await after(20, 'job/a'))).toEqual(['job/c', 'job/m', 'job/b']);
    expect(ids(await after(20, 'job/b'))).toEqual(['job/c', 'job/m', 'job/b']);
    expect(ids(await after(20, ''))).toEqual(['job/a', 'job/c', 'job/m', 'job/b']);
    expect(ids(await after(20, 'job/m'))).toEqual(['job/b']);
    expect(ids(await after(15, 'zzz', 1))).toEqual(['job/a']);
    expect(ids(await after(20, 'job/c', 100, 20))).toEqual(['job/m']);
    expect(ids(await after(30, 'job/b'))).toEqual([]);
    await store.write(batch([], ['job/c']));
    expect(ids(await after(20, 'job/c'))).toEqual(['job/m', 'job/b']);
  });

  it('a rewritten record moves in due order, and a held one leaves it until released', async () => {
    const store = await withSpread();
    await store.write(batch([storedRecord('job/early', { dueAt: 25 }), storedRecord('job/z', { dueAt: 10, held: 'input no longer valid' })]));
    expect(ids(await store.due({ after: null, until: ALL, limit: 100 }))).toEqual(['job/a', 'job/c', 'job/m', 'job/early', 'job/b']);
    await store.write(batch([storedRecord('job/z', { dueAt: 10 }), storedRecord('job/k', { dueAt: 20 })]));
    expect(ids(await store.due({ after: null, until: ALL, limit: 100 }))).toEqual(['job/z', 'job/a', 'job/c', 'job/k', 'job/m', 'job/early', 'job/b']);
  });

  it('nextDueAt is the earliest runnable dueAt strictly after the given time', async () => {
    const store = await withSpread();
    expect(await store.nextDueAt(Number.NEGATIVE_INFINITY)).toBe(-5);
    expect(await store.nextDueAt(-5)).toBe(10);
    expect(await store.nextDueAt(10)).toBe(20);
    expect(await store.nextDueAt(19.9)).toBe(20);
    expect(await store.nextDueAt(20)).toBe(30);
    expect(await store.nextDueAt(30)).toBeNull();
    // Held records are never due: job/k alone at 25 is skipped.
    await store.write(batch([storedRecord('job/k', { dueAt: 25, held: 'not registered' })]));
    expect(await store.nextDueAt(20)).toBe(30);
    await store.write(batch([], ['job/b']));
    expect(await store.nextDueAt(20)).toBeNull();
  });

  it('nextDueAt passes a crowd of ties in one step', async () => {
    const { store } = await fresh();
    await store.write(batch(Array.from({ length: 2_000 }, (_, i) => storedRecord(`job/${i}`, { dueAt: i < 1_999 ? 50 : 51 }))));
    expect(await store.nextDueAt(49)).toBe(50);
    expect(await store.nextDueAt(50)).toBe(51);
  });

  it('list goes in TaskId order (JavaScript string order) with paging by after', async () => {
    const { store } = await fresh();
    const taskIds = ['b', 'B', 'a', 'A/x', 'a.b', 'a/b', 'a-b', 'a_b', 'a0', 'a/b/c', 'ab', '9', '10'];
    await store.write(batch(taskIds.map((id) => storedRecord(id))));
    const sorted = [...taskIds].sort();
    expect(ids(await store.list({ limit: 100 }))).toEqual(sorted);
    expect(ids(await store.list({ limit: 3 }))).toEqual(sorted.slice(0, 3));
    expect(ids(await store.list({ after: sorted[2], limit: 3 }))).toEqual(sorted.slice(3, 6));
    expect(ids(await store.list({ after: 'a/b', limit: 100 }))).toEqual(sorted.slice(sorted.indexOf('a/b') + 1));
    expect(ids(await store.list({ after: 'a/bb', limit: 100 }))).toEqual(sorted.filter((id) => id > 'a/bb'));
    expect(ids(await store.list({ after: 'zzz', limit: 100 }))).toEqual([]);
  });

  it('list filters by prefix, status and after together', async () => {
    const { store } = await fresh();
    await store.write(
      batch([
        storedRecord('mail/1', { status: 'running' }),
        storedRecord('mail/2'),
        storedRecord('mail/3', { status: 'running', held: 'not registered' }),
        storedRecord('mail/30', { status: 'running' }),
        storedRecord('mail', { status: 'running' }),
        storedRecord('mailbox/1', { status: 'running' }),
        storedRecord('mai/1', { status: 'running' }),
        storedRecord('sync/1', { status: 'running' }),
      ]),
    );
    const list = (query: ListQuery) => store.list(query).then(ids);
    expect(await list({ prefix: 'mail/', limit: 100 })).toEqual(['mail/1', 'mail/2', 'mail/3', 'mail/30']);
    expect(await list({ prefix: 'mail', limit: 100 })).toEqual(['mail', 'mail/1', 'mail/2', 'mail/3', 'mail/30', 'mailbox/1']);
    expect(await list({ prefix: 'mail/3', limit: 100 })).toEqual(['mail/3', 'mail/30']);
    expect(await list({ prefix: 'mail/', status: 'running', limit: 100 })).toEqual(['mail/1', 'mail/3', 'mail/30']);
    expect(await list({ prefix: 'mail/', status: 'running', after: 'mail/1', limit: 1 })).toEqual(['mail/3']);
    expect(await list({ prefix: 'mail/', after: 'mai', limit: 100 })).toEqual(['mail/1', 'mail/2', 'mail/3', 'mail/30']);
    expect(await list({ prefix: 'mail/', after: 'mail/30', limit: 100 })).toEqual([]);
    expect(await list({ prefix: 'mail/', after: 'n', limit: 100 })).toEqual([]);
    expect(await list({ prefix: 'nothing', limit: 100 })).toEqual([]);
    expect(await list({ status: 'backoff', limit: 100 })).toEqual([]);
    expect(await list({ status: 'pending', limit: 100 })).toEqual(['mail/2']);
    expect(await list({ status: 'running', limit: 2 })).toEqual(['mai/1', 'mail']);
    await store.write(batch([storedRecord('mail/2', { status: 'backoff' })]));
    expect(await list({ status: 'pending', limit: 100 })).toEqual([]);
    expect(await list({ status: 'backoff', limit: 100 })).toEqual(['mail/2']);
  });

  it('held lists every held record and only those, whatever their status', async () => {
    const store = await withSpread();
    await store.write(batch([storedRecord('job/r', { status: 'running', held: 'input no longer valid' }), storedRecord('job/b', { status: 'backoff', held: 'gone' })]));
    const { records, quarantined } = await store.held();
    expect(ids(records).sort()).toEqual(['job/b', 'job/k', 'job/r']);
    expect(records.find((r) => r.taskId === 'job/r')?.held).toBe('input no longer valid');
    expect(quarantined).toEqual([]);
    await store.write(batch([storedRecord('job/k', { dueAt: 20 })], ['job/r']));
    expect(ids(await store.held())).toEqual(['job/b']);
  });

  it('a limit of 0 reads nothing', async () => {
    const store = await withSpread();
    expect(await store.due({ after: null, until: ALL, limit: 0 })).toEqual({ records: [], quarantined: [] });
    expect(await store.list({ limit: 0 })).toEqual({ records: [], quarantined: [] });
  });

  it('refuses malformed queries with a ValidationError naming the field', async () => {
    const store = await withSpread();
    const due = (query: Partial<DueQuery>) => rejection(() => store.due({ after: null, until: ALL, limit: 10, ...query }));
    expect((await due({ limit: -1 })).field).toBe('limit');
    expect((await due({ limit: 1.5 })).field).toBe('limit');
    expect((await due({ limit: Number.NaN })).field).toBe('limit');
    expect((await due({ until: Number.NaN })).field).toBe('until');
    expect((await due({ after: { dueAt: Number.NaN, taskId: 'job/a' } })).field).toBe('after.dueAt');
    expect((await due({ after: { dueAt: 1 } as DueQuery['after'] })).field).toBe('after.taskId');
    expect((await rejection(() => store.nextDueAt(Number.NaN))).field).toBe('after');
    const list = (query: Partial<ListQuery>) => rejection(() => store.list({ limit: 10, ...query }));
    expect((await list({ limit: -2 })).field).toBe('limit');
    expect((await list({ status: 'done' as ListQuery['status'] })).field).toBe('status');
    expect((await list({ prefix: 'mail*' })).field).toBe('prefix');
    expect((await list({ after: 7 as unknown as string })).field).toBe('after');
    expect((await rejection(() => store.get(7 as unknown as string))).field).toBe('taskId');
  });
}
