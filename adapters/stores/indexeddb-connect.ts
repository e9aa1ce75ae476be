import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { StoreOpenError } from '../../src/core/errors.js';
import { openError } from './indexeddb-errors.js';

/**
 * Opens database `name` at `version`, running `upgrade` in `onupgradeneeded`. An upgrade blocked by
 * another tab that keeps an older version open fails at once with a StoreOpenError (waiting would hang
 * `start()` for as long as that tab lives). Once open, the connection yields to another tab asking for
 * a newer version: it closes and `onLost` says why, so the store refuses later calls instead of
 * holding that tab's upgrade up.
 */
export function connect<Schema extends DBSchema>(
  name: string,
  version: number,
  upgrade: (db: IDBPDatabase<Schema>, oldVersion: number) => void,
  onLost: (reason: string) => void,
): Promise<IDBPDatabase<Schema>> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) {
    return Promise.reject(new StoreOpenError(name, 'IndexedDB is not available here (not a browser, or storage disabled)'));
  }
  return new Promise((resolve, reject) => {
    let blocked = false;
    let opening: Promise<IDBPDatabase<Schema>>;
    try {
      opening = openDB<Schema>(name, version, {
        upgrade: (db, oldVersion) => upgrade(db, oldVersion),
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
      reject(openError(name, error));
      return;
    }
    opening.then(
      // A blocked open may still succeed once the other tab closes: nobody is waiting for it then.
      (db) => (blocked ? db.close() : resolve(db)),
      (error: unknown) => reject(openError(name, error)),
    );
  });
}
