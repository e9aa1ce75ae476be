import { createRequire } from 'node:module';
import { ErrandError } from '../../src/core/errors.js';

/**
 * The slice of better-sqlite3 errand uses, typed here so neither errand nor its users need
 * `@types/better-sqlite3`. better-sqlite3 is a CommonJS native addon, loaded with `require`.
 */
export type SqliteValue = string | number | bigint | Buffer | null;

export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement<TRow = unknown> {
  run(...params: SqliteValue[]): SqliteRunResult;
  get(...params: SqliteValue[]): TRow | undefined;
  all(...params: SqliteValue[]): TRow[];
}

export interface SqliteTransaction<TArgs extends unknown[], TResult> {
  (...args: TArgs): TResult;
  /** BEGIN IMMEDIATE: takes the write lock up front. */
  immediate(...args: TArgs): TResult;
}

export interface SqliteDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  pragma(source: string, options: { simple: true }): unknown;
  pragma(source: string): unknown;
  exec(source: string): SqliteDatabase;
  prepare<TRow = unknown>(source: string): SqliteStatement<TRow>;
  transaction<TArgs extends unknown[], TResult>(fn: (...args: TArgs) => TResult): SqliteTransaction<TArgs, TResult>;
  close(): SqliteDatabase;
}

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

/** SQLite's error code (`SQLITE_NOTADB`, ...) when `error` came from better-sqlite3. */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** True when SQLite says the file is damaged or is not a database at all. */
export function isDamagedFileError(error: unknown): boolean {
  const code = sqliteErrorCode(error);
  return code !== undefined && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}
