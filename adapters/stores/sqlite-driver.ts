import { createRequire } from 'node:module';
import { ErrandError } from '../../src/core/errors.js';
import type { SqliteDatabase } from './sqlite-port.js';

/** better-sqlite3 behind the driver port (sqlite-port.ts). It is a CommonJS native addon, loaded with `require`. */
export { isDamagedFileError, sqliteErrorCode } from './sqlite-port.js';
export type { SqliteDatabase, SqliteRunResult, SqliteStatement, SqliteTransaction, SqliteValue } from './sqlite-port.js';

export interface SqliteOpenOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** Milliseconds to wait for another connection's lock. */
  timeout?: number;
}

type DatabaseConstructor = new (path: string, options?: SqliteOpenOptions) => SqliteDatabase;

let constructorCache: DatabaseConstructor | null = null;

/** Opens a better-sqlite3 connection (loading the addon on first use). */
export function openSqlite(path: string, options: SqliteOpenOptions = {}): SqliteDatabase {
  if (!constructorCache) {
    const require = createRequire(import.meta.url);
    try {
      constructorCache = require('better-sqlite3') as DatabaseConstructor;
    } catch (error) {
      // An optional peer dependency: browser apps never install a native addon they cannot use.
      throw new ErrandError(`sqliteStore needs better-sqlite3 (npm install better-sqlite3): ${String(error)}`);
    }
  }
  return new constructorCache(path, options);
}
