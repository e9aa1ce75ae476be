import { afterEach, describe, expect, it } from 'vitest';
import type { StoreBatch, StorePort } from '../src/core/ports.js';
import { taskRecordSchema, type TaskRecord } from '../src/core/schemas.js';

/** One store under test, with what the contract needs to know about it. */
export interface StoreHarness {
  store: StorePort;
  /**
   * A new instance on the same storage, for durable stores (the contract closes the old one
   * first). Leave out for stores that keep nothing across instances.
   */
  reopen?: () => StorePort | Promise<StorePort>;
  /** Removes what the harness created (files, databases); called after each test. */
  cleanup?: () => void | Promise<void>;
}

/** Makes a fresh, empty store for each test. */
export type StoreFactory = () => StoreHarness | Promise<StoreHarness>;

/** A valid record (defaults applied by the schema, as the orchestrator writes them). */
export function storedRecord(taskId: string, fields: Partial<Omit<TaskRecord, 'request'>> = {}, input?: unknown): TaskRecord {
  return taskRecordSchema.parse({
    version: 1,
    taskId,
    request: { taskId, input },
    attempt: 0,
    nextRunAt: 1_000,
    status: 'pending',
    updatedAt: 1,
    ...fields,
  });
}

function byId(records: readonly TaskRecord[]): TaskRecord[] {
  return [...records].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}

const batch = (put: TaskRecord[], del: string[] = []): StoreBatch => ({ put, delete: del });

/**
 * The behaviour every StorePort must have. Call it from a test file with a factory:
 * `storeContract('sqliteStore', () => ({ store: sqliteStore({ path }), reopen: ... }))`.
 */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`${name}: StorePort contract`, () => {
    const opened: StoreHarness[] = [];
    const stores: StorePort[] = [];

    async function fresh(): Promise<StoreHarness> {
      const harness = await factory();
      opened.push(harness);
      stores.push(harness.store);
      return harness;
    }

    async function reopened(harness: StoreHarness, current: StorePort): Promise<StorePort> {
      await current.close?.();
      const next = await harness.reopen!();
      stores.push(next);
      return next;
    }

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close?.();
      for (const harness of opened.splice(0)) await harness.cleanup?.();
    });

    it('loads nothing from a new store', async () => {
      const { store } = await fresh();
      expect(await store.load()).toEqual({ records: [], quarantined: [] });
    });

    it('loads what was written', async () => {
      const { store } = await fresh();
      const a = storedRecord('job/a', { attempt: 2, status: 'backoff', nextRunAt: 5_000 });
      const b = storedRecord('job/b', { status: 'running', nextRunAt: null });
      await store.write(batch([a, b]));
      const { records, quarantined } = await store.load();
      expect(byId(records)).toEqual([a, b]);
      expect(quarantined).toEqual([]);
    });

    it('keeps every field of a full record', async () => {
      const { store } = await fresh();
      const full = taskRecordSchema.parse({
        version: 1,
        taskId: 'sync.photos/2026-01',
        request: {
          taskId: 'sync.photos/2026-01',
          kind: 'periodic',
          intervalMs: 3_600_000,
          initialDelayMs: 10,
          input: { folder: 'camera' },
          constraints: { network: 'unmetered', charging: true, batteryNotLow: true, idle: true, foreground: false },
          backoff: { policy: 'linear', initialDelayMs: 50, maxDelayMs: 500, maxAttempts: 7, jitter: 0.25 },
          ephemeral: false,
        },
        attempt: 3,
        nextRunAt: 1_767_225_600_000,
        status: 'constrained',
        updatedAt: 1_767_225_500_123,
      });
      await store.write(batch([full]));
      expect((await store.load()).records).toEqual([full]);
    });

    it('load does not consume: loading twice gives the same records', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/a'), storedRecord('job/b')]));
      const first = byId((await store.load()).records);
      expect(byId((await store.load()).records)).toEqual(first);
    });

    it('deletes records, and deleting an unknown key is a no-op', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/a'), storedRecord('job/b'), storedRecord('job/c')]));
      await store.write(batch([], ['job/b', 'job/never-stored']));
      expect(byId((await store.load()).records).map((r) => r.taskId)).toEqual(['job/a', 'job/c']);
    });

    it('applies puts and deletes of one batch together', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/a'), storedRecord('job/b')]));
      await store.write(batch([storedRecord('job/c'), storedRecord('job/a', { attempt: 1 })], ['job/b']));
      const records = byId((await store.load()).records);
      expect(records.map((r) => [r.taskId, r.attempt])).toEqual([
        ['job/a', 1],
        ['job/c', 0],
      ]);
    });

    it('the last write of a key wins', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/a', { attempt: 1, updatedAt: 1 })]));
      await store.write(batch([storedRecord('job/a', { attempt: 2, status: 'running', updatedAt: 2 })]));
      await store.write(batch([storedRecord('job/a', { attempt: 3, status: 'backoff', updatedAt: 3 })]));
      expect((await store.load()).records).toEqual([storedRecord('job/a', { attempt: 3, status: 'backoff', updatedAt: 3 })]);
    });

    it('a key deleted and then written again is back', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/a', { attempt: 1 })]));
      await store.write(batch([], ['job/a']));
      await store.write(batch([storedRecord('job/a', { attempt: 4 })]));
      expect((await store.load()).records.map((r) => r.attempt)).toEqual([4]);
    });

    it('an empty batch changes nothing', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/a')]));
      await store.write(batch([]));
      expect((await store.load()).records).toEqual([storedRecord('job/a')]);
    });

    it('round-trips Dates, Maps, Sets, BigInt, undefined and special numbers in inputs', async () => {
      const { store, reopen } = await fresh();
      const input = {
        when: new Date(Date.UTC(2026, 4, 1, 12, 30)),
        counts: new Map<string, number>([
          ['a', 1],
          ['b', 2],
        ]),
        keyed: new Map<number, Date>([[7, new Date(0)]]),
        tags: new Set(['x', 'y']),
        big: 2n ** 70n,
        missing: undefined,
        nested: { deeper: [undefined, new Date(1), 3n] },
        nan: Number.NaN,
        inf: Number.POSITIVE_INFINITY,
        negZero: -0,
        pattern: /^job\/\d+$/gi,
      };
      let current = store;
      await current.write(batch([storedRecord('job/typed', {}, input)]));
      if (reopen) current = await reopened({ store, reopen }, current);
      const [loaded] = (await current.load()).records;
      const got = loaded?.request.input as typeof input;
      expect(got.when).toBeInstanceOf(Date);
      expect(got.when.getTime()).toBe(input.when.getTime());
      expect(got.counts).toBeInstanceOf(Map);
      expect([...got.counts]).toEqual([...input.counts]);
      expect(got.keyed.get(7)).toBeInstanceOf(Date);
      expect(got.tags).toBeInstanceOf(Set);
      expect([...got.tags]).toEqual(['x', 'y']);
      expect(typeof got.big).toBe('bigint');
      expect(got.big).toBe(2n ** 70n);
      expect(Object.hasOwn(got, 'missing')).toBe(true);
      expect(got.missing).toBeUndefined();
      expect(got.nested.deeper).toEqual([undefined, new Date(1), 3n]);
      expect(got.nested.deeper.length).toBe(3);
      expect(got.nan).toBeNaN();
      expect(got.inf).toBe(Number.POSITIVE_INFINITY);
      expect(Object.is(got.negZero, -0)).toBe(true);
      expect(got.pattern).toBeInstanceOf(RegExp);
      expect(got.pattern.source).toBe(input.pattern.source);
      expect(got.pattern.flags).toBe(input.pattern.flags);
    });

    it('keeps a record without input as one without input', async () => {
      const { store, reopen } = await fresh();
      let current = store;
      await current.write(batch([storedRecord('job/plain')]));
      if (reopen) current = await reopened({ store, reopen }, current);
      const [loaded] = (await current.load()).records;
      expect(loaded?.request.input).toBeUndefined();
      expect(loaded).toEqual(storedRecord('job/plain'));
    });

    it('writes thousands of records in one batch', async () => {
      const { store } = await fresh();
      const many = Array.from({ length: 3_000 }, (_, i) => storedRecord(`job/${i}`, { attempt: i % 5 }, { i }));
      await store.write(batch(many));
      const { records } = await store.load();
      expect(records).toHaveLength(3_000);
      expect(byId(records)).toEqual(byId(many));
      await store.write(batch([], many.slice(0, 2_999).map((r) => r.taskId)));
      expect((await store.load()).records.map((r) => r.taskId)).toEqual(['job/2999']);
    });

    it('applies a batch whole or not at all', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/keep'), storedRecord('job/drop')]));
      const before = byId((await store.load()).records);
      // A store that serializes reads this getter and fails part-way through the batch;
      // one that keeps objects as they are accepts the whole batch.
      const poisoned = storedRecord('job/poison', {}, {});
      Object.defineProperty(poisoned.request.input, 'boom', {
        enumerable: true,
        get() {
          throw new Error('cannot serialize');
        },
      });
      const attempt = batch(
        [storedRecord('job/first'), storedRecord('job/keep', { attempt: 9 }), poisoned, storedRecord('job/last')],
        ['job/drop'],
      );
      const failed = await store.write(attempt).then(
        () => false,
        () => true,
      );
      const after = byId((await store.load()).records);
      if (failed) {
        expect(after).toEqual(before);
      } else {
        expect(after.map((r) => [r.taskId, r.attempt])).toEqual([
          ['job/first', 0],
          ['job/keep', 9],
          ['job/last', 0],
          ['job/poison', 0],
        ]);
      }
    });

    it('a failed batch does not stop later batches', async () => {
      const { store } = await fresh();
      const poisoned = storedRecord('job/poison', {}, {});
      Object.defineProperty(poisoned.request.input, 'boom', {
        enumerable: true,
        get() {
          throw new Error('cannot serialize');
        },
      });
      await store.write(batch([poisoned])).catch(() => {});
      await store.write(batch([storedRecord('job/after')], ['job/poison']));
      expect((await store.load()).records.map((r) => r.taskId)).toEqual(['job/after']);
    });

    it('writes that do not overlap in time are applied in order', async () => {
      const { store } = await fresh();
      for (let i = 1; i <= 50; i++) {
        await store.write(batch([storedRecord(`job/${i % 3}`, { attempt: i })], i % 7 === 0 ? ['job/2'] : []));
      }
      const records = byId((await store.load()).records);
      expect(records.map((r) => [r.taskId, r.attempt])).toEqual([
        ['job/0', 48],
        ['job/1', 49],
        ['job/2', 50],
      ]);
    });

    it('reopening keeps the records (durable stores only)', async (ctx) => {
      const harness = await fresh();
      if (!harness.reopen) {
        ctx.skip();
        return;
      }
      const kept = [storedRecord('job/a', { attempt: 1 }), storedRecord('job/b', { status: 'running', nextRunAt: null })];
      await harness.store.write(batch([...kept, storedRecord('job/gone')]));
      await harness.store.write(batch([], ['job/gone']));
      const again = await reopened(harness, harness.store);
      expect(byId((await again.load()).records)).toEqual(kept);
      await again.write(batch([storedRecord('job/c')], ['job/a']));
      const third = await reopened(harness, again);
      expect(byId((await third.load()).records).map((r) => r.taskId)).toEqual(['job/b', 'job/c']);
    });

    it('close() may be called more than once', async () => {
      const { store } = await fresh();
      await store.write(batch([storedRecord('job/a')]));
      await store.close?.();
      await expect(store.close?.() ?? Promise.resolve()).resolves.toBeUndefined();
    });
  });
}
