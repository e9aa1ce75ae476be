import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { QUARANTINE, TASKS, type ErrandDb } from './indexeddb-schema.js';

/** The `versionchange` transaction an upgrade runs in: every step of one upgrade shares it. */
export type UpgradeTransaction = IDBPTransaction<ErrandDb, StoreNames<ErrandDb>[], 'versionchange'>;

/**
 * One schema step: brings the database from version `i` to `i + 1`, where `i` is its place in the
 * list. It may return a promise when it walks rows (a cursor over `tx`); it must await only IndexedDB
 * requests of `tx`, since the transaction commits as soon as no request is pending. A step that throws
 * or rejects aborts the whole upgrade: the database stays at the version it had, records and all.
 */
export type Migration = (db: IDBPDatabase<ErrandDb>, tx: UpgradeTransaction) => void | Promise<void>;

/** v0 → v1: the task rows, keyed by TaskId, their four indexes, and the quarantine. */
function createV1(db: IDBPDatabase<ErrandDb>): void {
  const tasks = db.createObjectStore(TASKS, { keyPath: 'key' });
  tasks.createIndex('due', ['due', 'key']);
  tasks.createIndex('status', ['status', 'key']);
  tasks.createIndex('held', 'heldKey');
  tasks.createIndex('ephemeral', 'ephemeralKey');
  db.createObjectStore(QUARANTINE, { autoIncrement: true });
}

/**
 * errand's migrations, oldest first. A v2 layout is one function appended here: the schema version
 * follows the list's length, and a v1 database then runs that step alone.
 */
export const INDEXEDDB_MIGRATIONS = [createV1] as const satisfies readonly Migration[];

/**
 * The layout this version of errand writes: the IndexedDB database version itself, so a database
 * written by a newer errand fails to open (VersionError) instead of being misread.
 */
export const INDEXEDDB_SCHEMA_VERSION = INDEXEDDB_MIGRATIONS.length;

/**
 * Runs `migrations[oldVersion]` onwards, in order, in `tx`. Synchronous steps run back to back within
 * `onupgradeneeded`; after an asynchronous one the rest wait for it, so no step sees a half-made layout.
 */
export function runMigrations(migrations: readonly Migration[], db: IDBPDatabase<ErrandDb>, tx: UpgradeTransaction, oldVersion: number): void | Promise<void> {
  for (let version = oldVersion; version < migrations.length; version++) {
    const step = migrations[version];
    if (!step) continue;
    const result = step(db, tx);
    if (result instanceof Promise) {
      const next = version + 1;
      return result.then(() => runMigrations(migrations, db, tx, next));
    }
  }
}
