/**
 * The driver port sqliteStore's SQL runs on: the slice of better-sqlite3 errand uses (a synchronous
 * API), typed here so neither errand nor its users need `@types/better-sqlite3`. Node-free, so a
 * phone's driver (expo-sqlite, errand/react-native) can stand in for better-sqlite3.
 */
export type SqliteValue = string | number | bigint | Uint8Array | null;

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

/** SQLite's error code (`SQLITE_NOTADB`, ...) when the driver put one on `error`. */
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
