import { createRequire } from 'node:module';
import type { SQLiteBindParams, SQLiteBindValue, SQLiteRunResult, SQLiteVariadicBindParams } from 'expo-sqlite';
import type { ExpoSqliteDatabase } from '../../src/react-native/index.js';

/** The better-sqlite3 calls the fake makes (untyped package: only what is used here). */
interface BetterStatement {
  readonly reader: boolean;
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface BetterDatabase {
  readonly inTransaction: boolean;
  prepare(source: string): BetterStatement;
  exec(source: string): void;
  close(): void;
}
const BetterSqlite = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => BetterDatabase;

const ERROR_CODES: Record<string, number> = { SQLITE_NOTADB: 26, SQLITE_CORRUPT: 11 };

/**
 * expo-sqlite's SQLiteDatabase as `openDatabaseSync` returns it, typed by expo-sqlite's declarations
 * (each overload spelled as expo-sqlite declares it: a drifted signature fails tsc), running the SQL
 * on better-sqlite3 so it really runs. Errors come as expo-sqlite's do: code
 * `ERR_INTERNAL_SQLITE_ERROR`, SQLite's own code only in the message ("Error code 26: file is not a database").
 */
export class ExpoOnBetterSqlite implements ExpoSqliteDatabase {
  readonly db: BetterDatabase;
  closed = false;

  constructor(readonly databasePath: string) {
    this.db = new BetterSqlite(databasePath);
  }

  execSync(source: string): void {
    this.call('execSync', () => this.db.exec(source));
  }

  runSync(source: string, params: SQLiteBindParams): SQLiteRunResult;
  runSync(source: string, ...params: SQLiteVariadicBindParams): SQLiteRunResult;
  runSync(source: string, ...params: unknown[]): SQLiteRunResult {
    return this.call('runSync', () => {
      const result = this.db.prepare(source).run(...this.bind(params));
      return { changes: result.changes, lastInsertRowId: Number(result.lastInsertRowid) };
    });
  }

  getFirstSync<T>(source: string, params: SQLiteBindParams): T | null;
  getFirstSync<T>(source: string, ...params: SQLiteVariadicBindParams): T | null;
  getFirstSync<T>(source: string, ...params: unknown[]): T | null {
    return this.call('getFirstSync', () => {
      const statement = this.db.prepare(source);
      if (!statement.reader) return void statement.run(...this.bind(params)), null;
      return (statement.get(...this.bind(params)) as T | undefined) ?? null;
    });
  }

  getAllSync<T>(source: string, params: SQLiteBindParams): T[];
  getAllSync<T>(source: string, ...params: SQLiteVariadicBindParams): T[];
  getAllSync<T>(source: string, ...params: unknown[]): T[] {
    return this.call('getAllSync', () => {
      const statement = this.db.prepare(source);
      if (!statement.reader) return void statement.run(...this.bind(params)), [];
      return statement.all(...this.bind(params)) as T[];
    });
  }

  isInTransactionSync(): boolean {
    return this.db.inTransaction;
  }

  closeSync(): void {
    this.closed = true;
    this.db.close();
  }

  /** expo-sqlite's two call shapes (an array, or the values spread), and its booleans as 1 and 0. */
  private bind(params: unknown[]): unknown[] {
    const first = params[0];
    if (params.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Uint8Array)) {
      if (!Array.isArray(first)) throw new Error('named parameters: not used by errand');
      params = first;
    }
    return (params as SQLiteBindValue[]).map((value) => (typeof value === 'boolean' ? Number(value) : value));
  }

  private call<T>(method: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      // As expo-modules-core's CodedError from expo-sqlite's SQLiteErrorException: its own code, SQLite's only in the text.
      const { code, message } = error as { code?: string; message: string };
      const coded = new Error(`Calling the '${method}' function has failed\n→ Caused by: Error code ${ERROR_CODES[code ?? ''] ?? '?'}: ${message}`);
      throw Object.assign(coded, { code: 'ERR_INTERNAL_SQLITE_ERROR' });
    }
  }
}

