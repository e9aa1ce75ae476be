import type { IDBPDatabase } from 'idb';
import { z } from 'zod';
import { ErrandError, StoreOpenError, ValidationError } from '../../src/core/errors.js';
import type { DueQuery, KeptQuarantineEntry, ListQuery, QuarantinedRecord, QuarantiningStore, StoreBatch, StoreOpenOptions, StorePort, StoreRead } from '../../src/core/ports.js';
import type { TaskRecord } from '../../src/core/schemas.js';
import { connect } from './indexeddb-connect.js';
import { writeError } from './indexeddb-errors.js';
import { dueRange, laterRange, listRange } from './indexeddb-ranges.js';
import { decodeRow, toRow } from './indexeddb-rows.js';
import { INDEXEDDB_MIGRATIONS, runMigrations, type Migration } from './indexeddb-migrations.js';
import { QUARANTINE, TASKS, type ErrandDb } from './indexeddb-schema.js';
import { checkBatch, checkDueQuery, checkInstant, checkListQuery, checkTaskId } from './store-queries.js';

export { INDEXEDDB_SCHEMA_VERSION } from './indexeddb-migrations.js';

const optionsSchema = z
  .object({
    /** The IndexedDB database name (one per app, or per orchestrator). */
    name: z.string().min(1, 'must be a database name'),
    /**
     * 'strict' (default): a write resolves once the browser has flushed it to disk, so a resolved
     * `schedule()` survives an OS crash or power loss. 'relaxed': it resolves once the browser has
     * it, so it survives the page and the browser process but an OS crash may lose the last writes;
     * about 4x faster per transaction in Chromium.
     */
    durability: z.enum(['strict', 'relaxed']).default('strict'),
  })
  .strict();

export type IndexedDbStoreOptions = z.input<typeof optionsSchema>;

/** A row set aside by a read, as kept in the `quarantine` object store. */
export type IndexedDbQuarantineEntry = KeptQuarantineEntry;

/** Its quarantine is the database's `quarantine` object store. */
export interface IndexedDbStore extends QuarantiningStore<IndexedDbQuarantineEntry> {
  readonly name: string;
}

type Db = IDBPDatabase<ErrandDb>;

interface BadRow {
  key: IDBValidKey;
  reason: string;
}

/** Settles every request of a transaction, so none rejects unhandled, and fails with the first failure. */
async function settle(requests: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(requests);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * Keeps scheduled work in IndexedDB, for browsers (and service workers). One readwrite transaction
 * per `write(batch)`, with the durability asked for; every read is one range read of one index.
 * Records are validated when read and a bad one is moved to the `quarantine` object store. Nothing
 * touches IndexedDB before `open()`.
 */
export function indexedDbStore(options: IndexedDbStoreOptions): IndexedDbStore {
  return migratingIndexedDbStore(options, INDEXEDDB_MIGRATIONS);
}

/**
 * indexedDbStore on its own list of migrations (its schema version is the list's length). Internal:
 * not exported from errand/browser; tests use it to upgrade a database to a layout errand does not have yet.
 */
export function migratingIndexedDbStore(options: IndexedDbStoreOptions, migrations: readonly Migration[]): IndexedDbStore {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const { name, durability } = parsed.data;
  let opening: Promise<Db> | null = null;
  let db: Db | null = null;
  let closed = false;
  let lost: string | null = null;

  const use = (): Db => {
    if (closed) throw new ErrandError(`indexedDB store ${name} is closed`);
    if (lost !== null) throw new StoreOpenError(name, lost);
    if (!db) throw new ErrandError(`indexedDB store ${name} is not open: call open() first`);
    return db;
  };

  /** Applies deletes then puts in one readwrite transaction; any failure aborts all of it. */
  async function apply(current: Db, keys: readonly string[], records: readonly TaskRecord[]): Promise<void> {
    const tx = current.transaction(TASKS, 'readwrite', { durability });
    const store = tx.store;
    const requests: Promise<unknown>[] = [];
    try {
      for (const key of keys) requests.push(store.delete(key));
      for (const record of records) requests.push(store.put(toRow(record)));
    } catch (error) {
      // Thrown at once (a value that cannot be cloned): the requests already made would commit without this.
      tx.abort();
      await settle([...requests, tx.done]).catch(() => {});
      throw error;
    }
    requests.push(tx.done);
    await settle(requests);
  }

  /** Decodes rows; moves the bad ones to the quarantine (one transaction) and reports them. */
  async function read(current: Db, rows: readonly unknown[]): Promise<StoreRead> {
    const records: TaskRecord[] = [];
    const bad: BadRow[] = [];
    for (const row of rows) {
      const decoded = decodeRow(row);
      if ('record' in decoded) records.push(decoded.record);
      // The key path guarantees a key; by hand it may be another kind of key than a TaskId.
      else bad.push({ key: (row as { key: IDBValidKey }).key, reason: decoded.reason });
    }
    if (bad.length === 0) return { records, quarantined: [] };
    return { records, quarantined: await setAside(current, bad) };
  }

  /** Moves bad rows aside; a row rewritten (or deleted) since it was read is left to the next read. */
  async function setAside(current: Db, bad: readonly BadRow[]): Promise<QuarantinedRecord[]> {
    const tx = current.transaction([TASKS, QUARANTINE], 'readwrite', { durability });
    const tasks = tx.objectStore(TASKS);
    const quarantine = tx.objectStore(QUARANTINE);
    const moved: QuarantinedRecord[] = [];
    const now = Date.now();
    try {
      for (const { key: rawKey, reason } of bad) {
        // The typed store takes TaskIds; a hand-written row may be keyed otherwise.
        const key = rawKey as string;
        const row: unknown = await tasks.get(key);
        if (row === undefined || 'record' in decodeRow(row)) continue;
        await quarantine.add({ key: String(rawKey), data: row, reason, quarantinedAt: now });
        await tasks.delete(key);
        moved.push({ key: String(rawKey), reason });
      }
      await tx.done;
    } catch (error) {
      // A failed request has aborted the transaction already; its `done` must not reject unheard.
      tx.done.catch(() => {});
      throw writeError(name, error);
    }
    return moved;
  }

  const readOnly = (current: Db) => current.transaction(TASKS, 'readonly').store;

  return {
    name,

    async open(options?: StoreOpenOptions): Promise<void> {
      if (closed) throw new ErrandError(`indexedDB store ${name} is closed`);
      opening ??= connect<ErrandDb>(
        name,
        migrations.length,
        (current, oldVersion, tx) => runMigrations(migrations, current, tx, oldVersion),
        (reason) => (lost = reason),
      );
      try {
        db = await opening;
      } catch (error) {
        opening = null;
        throw error;
      }
      const current = use();
      if (options?.keepEphemeral) return;
      try {
        const keys = await current.getAllKeysFromIndex(TASKS, 'ephemeral');
        if (keys.length > 0) await apply(current, keys, []);
      } catch (error) {
        throw writeError(name, error);
      }
    },

    async write(batch: StoreBatch): Promise<void> {
      checkBatch(batch);
      const current = use();
      if (batch.put.length === 0 && batch.delete.length === 0) return;
      try {
        await apply(current, batch.delete, batch.put);
      } catch (error) {
        throw writeError(name, error);
      }
    },

    async get(taskId: string): Promise<StoreRead> {
      checkTaskId(taskId);
      const current = use();
      const row: unknown = await readOnly(current).get(taskId);
      return read(current, row === undefined ? [] : [row]);
    },

    async due(query: DueQuery): Promise<StoreRead> {
      const { after, until, limit } = checkDueQuery(query);
      const current = use();
      const range = dueRange(after, until);
      // getAll's count 0 means "no limit".
      if (range === null || limit === 0) return { records: [], quarantined: [] };
      return read(current, await readOnly(current).index('due').getAll(range, limit));
    },

    async nextDueAt(after: number): Promise<number | null> {
      checkInstant('after', after);
      const current = use();
      const range = laterRange(after);
      if (range === null) return null;
      const cursor = await readOnly(current).index('due').openKeyCursor(range);
      return cursor ? cursor.key[0] : null;
    },

    async list(query: ListQuery): Promise<StoreRead> {
      checkListQuery(query);
      const current = use();
      const range = listRange(query);
      if (range === null || query.limit === 0) return { records: [], quarantined: [] };
      const store = readOnly(current);
      const rows = query.status === undefined ? await store.getAll(range, query.limit) : await store.index('status').getAll(range, query.limit);
      return read(current, rows);
    },

    async held(): Promise<StoreRead> {
      const current = use();
      return read(current, await readOnly(current).index('held').getAll());
    },

    async quarantine(): Promise<IndexedDbQuarantineEntry[]> {
      const rows = await use().getAll(QUARANTINE);
      return rows.map(({ key, reason, data, quarantinedAt }) => ({ key, reason, data, quarantinedAt }));
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const pending = opening;
      opening = null;
      db = null;
      if (pending) await pending.then((d) => d.close(), () => {});
    },
  };
}
