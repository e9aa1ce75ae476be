// expo-sqlite's synchronous API behind sqliteStore's driver port, so the same SQL runs on phones.
import type { SQLiteBindValue, SQLiteDatabase } from 'expo-sqlite';
import { ValidationError } from '../../src/core/errors.js';
import { sqliteErrorCode, type SqliteDatabase, type SqliteRunResult, type SqliteStatement, type SqliteTransaction, type SqliteValue } from './sqlite-port.js';

/** The methods of expo-sqlite's `SQLiteDatabase` (from `openDatabaseSync`) the driver calls. */
export type ExpoSqliteDatabase = Pick<
  SQLiteDatabase,
  'databasePath' | 'execSync' | 'runSync' | 'getFirstSync' | 'getAllSync' | 'isInTransactionSync' | 'closeSync'
>;

/** SQLite's result codes errand acts on, by the text SQLite gives them (expo-sqlite's errors carry the text only). */
const CODES: ReadonlyArray<[RegExp, string]> = [
  [/file is not a database|\berror code:? ?26\b/i, 'SQLITE_NOTADB'],
  [/database disk image is malformed|\berror code:? ?11\b/i, 'SQLITE_CORRUPT'],
];

/**
 * expo-sqlite throws `ERR_INTERNAL_SQLITE_ERROR` for every SQLite failure, with "Error code N: message".
 * A damaged file becomes an error with better-sqlite3's `code` (the original as its `cause`), so the
 * store tells it as it does on Node; every other error passes through as it came.
 */
function withCode(error: unknown): unknown {
  if (!(error instanceof Error) || sqliteErrorCode(error)?.startsWith('SQLITE_')) return error;
  const found = CODES.find(([pattern]) => pattern.test(error.message));
  return found ? Object.assign(new Error(error.message, { cause: error }), { code: found[1] }) : error;
}

function call<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw withCode(error);
  }
}

/** expo-sqlite binds no bigint; errand binds none either, but a safe one is taken as a number. */
function bindable(params: readonly SqliteValue[]): SQLiteBindValue[] {
  return params.map((value) => {
    if (typeof value !== 'bigint') return value;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ValidationError('params', 'a bigint beyond Number.MAX_SAFE_INTEGER cannot be bound through expo-sqlite');
    }
    return Number(value);
  });
}

/**
 * Wraps an expo-sqlite database (`openDatabaseSync(name)`) as the driver sqliteStore's SQL runs on.
 * Statements run through `runSync`/`getFirstSync`/`getAllSync` (expo-sqlite prepares and finalizes
 * each), transactions are BEGIN/COMMIT (SAVEPOINTs when nested, as better-sqlite3 does).
 * Closing the driver closes the database.
 */
export function expoSqliteDriver(db: ExpoSqliteDatabase): SqliteDatabase {
  let open = true;
  let savepoints = 0;

  const prepare = <TRow = unknown>(source: string): SqliteStatement<TRow> => ({
    run: (...params): SqliteRunResult => {
      const result = call(() => db.runSync(source, bindable(params)));
      return { changes: result.changes, lastInsertRowid: result.lastInsertRowId };
    },
    get: (...params) => call(() => db.getFirstSync<TRow>(source, bindable(params))) ?? undefined,
    all: (...params) => call(() => db.getAllSync<TRow>(source, bindable(params))),
  });

  const exec = (source: string): void => call(() => db.execSync(source));

  const transaction = <TArgs extends unknown[], TResult>(fn: (...args: TArgs) => TResult): SqliteTransaction<TArgs, TResult> => {
    const runIn =
      (begin: string) =>
      (...args: TArgs): TResult => {
        if (call(() => db.isInTransactionSync())) {
          const name = `errand_sp_${++savepoints}`;
          exec(`SAVEPOINT ${name}`);
          try {
            const result = fn(...args);
            exec(`RELEASE ${name}`);
            return result;
          } catch (error) {
            exec(`ROLLBACK TO ${name}`);
            exec(`RELEASE ${name}`);
            throw error;
          } finally {
            savepoints--;
          }
        }
        exec(begin);
        try {
          const result = fn(...args);
          exec('COMMIT');
          return result;
        } catch (error) {
          // SQLite may have rolled back already (a full disk, say): then there is nothing to undo.
          if (call(() => db.isInTransactionSync())) exec('ROLLBACK');
          throw error;
        }
      };
    return Object.assign(runIn('BEGIN'), { immediate: runIn('BEGIN IMMEDIATE') });
  };

  const driver: SqliteDatabase = {
    get open() {
      return open;
    },
    get inTransaction() {
      return open && call(() => db.isInTransactionSync());
    },
    pragma(source: string, options?: { simple: true }): unknown {
      const rows = call(() => db.getAllSync<Record<string, unknown>>(`PRAGMA ${source}`));
      if (!options?.simple) return rows;
      const first = rows[0];
      return first === undefined ? undefined : Object.values(first)[0];
    },
    exec(source: string) {
      exec(source);
      return driver;
    },
    prepare,
    transaction,
    close() {
      if (open) {
        open = false;
        call(() => db.closeSync());
      }
      return driver;
    },
  };
  return driver;
}
