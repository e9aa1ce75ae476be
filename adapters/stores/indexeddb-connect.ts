import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { StoreOpenError } from '../../src/core/errors.js';
import { openError } from './indexeddb-errors.js';

/** `onupgradeneeded` for a schema: from `oldVersion` to the version asked for, inside `tx`. */
export type Upgrade<Schema extends DBSchema> = (
  db: IDBPDatabase<Schema>,
  oldVersion: number,
  tx: IDBPTransaction<Schema, StoreNames<Schema>[], 'versionchange'>,
) => void | Promise<void>;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Opens database `name` at `version`, running `upgrade` in `onupgradeneeded`. An upgrade that throws
 * or rejects aborts its transaction, so the database keeps its old version and every record, and the
 * open fails with a StoreOpenError whose cause is that failure. An upgrade blocked by another tab that
 * keeps an older version open fails at once with a StoreOpenError (waiting would hang `start()` for as
 * long as that tab lives). Once open, the connection yields to another tab asking for a newer version:
 * it closes and `onLost` says why, so the store refuses later calls instead of holding that tab's upgrade up.
 */
export function connect<Schema extends DBSchema>(name: string, version: number, upgrade: Upgrade<Schema>, onLost: (reason: string) => void): Promise<IDBPDatabase<Schema>> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) {
    return Promise.reject(new StoreOpenError(name, 'IndexedDB is not available here (not a browser, or storage disabled)'));
  }
  return new Promise((resolve, reject) => {
    let blocked = false;
    let failed: { from: number; error: unknown } | null = null;
    let opening: Promise<IDBPDatabase<Schema>>;
    const fail = (from: number, tx: { abort(): void }) => (error: unknown) => {
      failed = { from, error };
      // Already aborted (a failed request does that): the open reports the abort either way.
      try {
        tx.abort();
      } catch {}
    };
    try {
      opening = openDB<Schema>(name, version, {
        upgrade: (db, oldVersion, _newVersion, tx) => {
          // An aborted upgrade fails the open, which reports it; `done` must not also reject unheard.
          tx.done.catch(() => {});
          try {
            const running = upgrade(db, oldVersion, tx);
            if (running instanceof Promise) running.catch(fail(oldVersion, tx));
          } catch (error) {
            // Caught here rather than left to the event: an uncaught throw would also reach window.onerror.
            fail(oldVersion, tx)(error);
          }
        },
        blocked: (current) => {
          blocked = true;
          reject(new StoreOpenError(name, `upgrading it from schema version ${current} to ${version} is blocked by another tab that still has it open; close the app's other tabs and reload`));
        },
        blocking: () => {
          onLost('another tab opened it with a newer schema; reload this page');
          void opening.then((db) => db.close());
        },
        terminated: () => onLost('the browser closed the connection (storage cleared, or a disk error)'),
      });
    } catch (error) {
      // indexedDB.open throws at once where storage is forbidden (an opaque origin, for one).
      reject(openError(name, error, version));
      return;
    }
    opening.then(
      // A blocked open may still succeed once the other tab closes: nobody is waiting for it then.
      (db) => (blocked ? db.close() : resolve(db)),
      (error: unknown) => {
        const upgradeFailure: { from: number; error: unknown } | null = failed;
        if (upgradeFailure === null) return reject(openError(name, error, version));
        reject(new StoreOpenError(name, `upgrading it from schema version ${upgradeFailure.from} to ${version} failed, so it keeps version ${upgradeFailure.from} and its records: ${messageOf(upgradeFailure.error)}`, upgradeFailure.error));
      },
    );
  });
}
