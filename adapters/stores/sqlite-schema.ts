import { StoreOpenError } from '../../src/core/errors.js';
import type { SqliteDatabase } from './sqlite-port.js';
import { META, QUARANTINE_V2, TASKS_V2 } from './sqlite-ddl.js';
import { migrateFromV1 } from './sqlite-v1.js';

/** The layout this version of errand writes; stored in `errand_meta` under `schema_version`. */
export const SQLITE_SCHEMA_VERSION = 2;

function tableExists(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * The schema version the file records: 0 for a file errand has never written to. A value that is
 * not a whole number, or errand's tables without any version, is a file errand cannot trust.
 */
function readVersion(db: SqliteDatabase, path: string): number {
  const row = tableExists(db, 'errand_meta')
    ? db.prepare<{ value: unknown }>("SELECT value FROM errand_meta WHERE key = 'schema_version'").get()
    : undefined;
  if (row === undefined) {
    if (tableExists(db, 'errand_tasks')) throw new StoreOpenError(path, 'it has errand tables but no schema version');
    return 0;
  }
  if (typeof row.value !== 'string' || !/^[0-9]{1,9}$/.test(row.value)) {
    const shown = typeof row.value === 'string' ? JSON.stringify(row.value) : `of type ${typeof row.value}`;
    throw new StoreOpenError(path, `unreadable schema version ${shown}`);
  }
  const version = Number(row.value);
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new StoreOpenError(
      path,
      `it was written by a newer errand (schema version ${version}; this one reads up to ${SQLITE_SCHEMA_VERSION})`,
    );
  }
  return version;
}

/**
 * Brings the file to SQLITE_SCHEMA_VERSION: creates the tables on a new file, migrates an older
 * layout, refuses a newer one. Reads only the catalogue and one meta row when the file is current,
 * so opening a big file stays fast. A migration is one transaction: all of it or none of it.
 */
export function prepareSchema(db: SqliteDatabase, path: string): void {
  if (readVersion(db, path) === SQLITE_SCHEMA_VERSION) return;
  db.transaction(() => {
    // Again under the write lock: another process may have migrated the file meanwhile.
    const version = readVersion(db, path);
    if (version === SQLITE_SCHEMA_VERSION) return;
    db.exec(META);
    if (version === 0) {
      db.exec(TASKS_V2);
      db.exec(QUARANTINE_V2);
    } else {
      migrateFromV1(db);
    }
    db.prepare("INSERT OR REPLACE INTO errand_meta (key, value) VALUES ('schema_version', ?)").run(String(SQLITE_SCHEMA_VERSION));
  }).immediate();
}
