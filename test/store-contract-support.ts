import { afterEach } from 'vitest';
import type { z } from 'zod';
import type { DueQuery, StoreBatch, StorePort, StoreRead } from '../src/core/ports.js';
import { taskRecordSchema, type PersistedStatus, type TaskRecord, type taskRequestSchema } from '../src/core/schemas.js';

/** Where a bad row sits in the store's indexes, so the contract knows which reads meet it. */
export interface BadRowPlace {
  dueAt: number;
  status: PersistedStatus;
  held: string | null;
}

/** One store under test, with what the contract needs to know about it. */
export interface StoreHarness {
  store: StorePort;
  /**
   * A new instance on the same storage, for durable stores (the contract closes the old one
   * first and opens the new one). Leave out for stores that keep nothing across instances.
   */
  reopen?: () => StorePort | Promise<StorePort>;
  /**
   * Stores, behind the store's back, a row under `key` that fails record validation but sits in
   * the indexes at `place`. Leave out for stores that cannot hold a bad row.
   */
  putBadRow?: (key: string, place: BadRowPlace) => void | Promise<void>;
  /** Removes what the harness created (files, databases); called after each test. */
  cleanup?: () => void | Promise<void>;
}

/** Makes a fresh, empty store for each test. */
export type StoreFactory = () => StoreHarness | Promise<StoreHarness>;

type RecordFields = Partial<Omit<TaskRecord, 'request'>> & { request?: Partial<z.input<typeof taskRequestSchema>> };

/** A valid record (defaults applied by the schema, as the orchestrator writes them). */
export function storedRecord(taskId: string, fields: RecordFields = {}): TaskRecord {
  const { request, ...rest } = fields;
  return taskRecordSchema.parse({
    version: 2,
    taskId,
    input: null,
    attempt: 0,
    interrupted: 0,
    runCount: 0,
    status: 'pending',
    dueAt: 1_000,
    held: null,
    updatedAt: 1,
    ...rest,
    request: { taskId, ...request },
  });
}

export const batch = (put: TaskRecord[], del: string[] = []): StoreBatch => ({ put, delete: del });

export const ids = (read: StoreRead | TaskRecord[]): string[] => (Array.isArray(read) ? read : read.records).map((r) => r.taskId);

export function byId(records: readonly TaskRecord[]): TaskRecord[] {
  return [...records].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}

/** Every record in TaskId order, read through `list` in pages. */
export async function listAll(store: StorePort, pageSize = 500): Promise<TaskRecord[]> {
  const all: TaskRecord[] = [];
  for (let after: string | undefined; ; ) {
    const { records } = await store.list({ after, limit: pageSize });
    // A store whose cursor is not strict would page forever: fail instead.
    if (after !== undefined && records[0] !== undefined && !(records[0].taskId > after)) throw new Error('list() returned a record not after its cursor');
    all.push(...records);
    const last = records.at(-1);
    if (records.length < pageSize || last === undefined) return all;
    after = last.taskId;
  }
}

/** Every due record (by `until`), read through `due` in pages of `pageSize`. */
export async function dueAll(store: StorePort, until: number, pageSize: number): Promise<TaskRecord[]> {
  const all: TaskRecord[] = [];
  let after: DueQuery['after'] = null;
  for (;;) {
    const { records } = await store.due({ after, until, limit: pageSize });
    const first = records[0];
    if (after && first && !(first.dueAt > after.dueAt || (first.dueAt === after.dueAt && first.taskId > after.taskId))) {
      throw new Error('due() returned a record not after its cursor'); // a non-strict cursor would page forever
    }
    all.push(...records);
    const last = records.at(-1);
    if (records.length < pageSize || last === undefined) return all;
    after = { dueAt: last.dueAt, taskId: last.taskId };
  }
}

/** Opens fresh harnesses for the tests of one describe block and tears them down after each. */
export function harnesses(factory: StoreFactory) {
  const opened: StoreHarness[] = [];
  const stores: StorePort[] = [];

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close?.();
    for (const harness of opened.splice(0)) await harness.cleanup?.();
  });

  return {
    /** A new, opened, empty store. */
    async fresh(): Promise<StoreHarness> {
      const harness = await factory();
      opened.push(harness);
      stores.push(harness.store);
      await harness.store.open();
      return harness;
    },
    /** Closes `current` and opens a new instance on the same storage. */
    async reopened(harness: StoreHarness, current: StorePort): Promise<StorePort> {
      await current.close?.();
      const next = await harness.reopen!();
      stores.push(next);
      await next.open();
      return next;
    },
  };
}
