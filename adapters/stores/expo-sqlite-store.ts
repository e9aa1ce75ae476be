import { z } from 'zod';
import { ValidationError } from '../../src/core/errors.js';
import { methodsOption } from '../../src/core/option-checks.js';
import { expoSqliteDriver, type ExpoSqliteDatabase } from './expo-sqlite-driver.js';
import { sqliteStoreOver, type SqliteStore } from './sqlite-store-core.js';
import { MAX_BUSY_TIMEOUT_MS } from './sqlite-limits.js';

export interface ExpoSqliteStoreOptions {
  /** An expo-sqlite database, `openDatabaseSync('errand.db')`; the store runs nothing on it before `open()` and closes it on `close()`. */
  database: ExpoSqliteDatabase;
  /** As sqliteStore's: 'full' (default) makes each commit survive power loss; 'normal' only the app being killed. */
  synchronous?: 'full' | 'normal';
  /** How long a write waits for another connection's lock before failing. Default 5,000 ms. */
  busyTimeoutMs?: number;
}

const optionsSchema = z.strictObject({
  database: methodsOption<ExpoSqliteDatabase>('an expo-sqlite database from openDatabaseSync', [
    'execSync',
    'runSync',
    'getFirstSync',
    'getAllSync',
    'isInTransactionSync',
    'closeSync',
  ]),
  synchronous: z.enum(['full', 'normal']).default('full'),
  busyTimeoutMs: z.number().int().min(0).max(MAX_BUSY_TIMEOUT_MS).default(5_000),
});

/**
 * sqliteStore on a phone: the same tables, SQL, validation and quarantine, run through
 * expo-sqlite's synchronous API (`expoSqliteDriver`). WAL and synchronous=FULL by default, as on Node.
 */
export function expoSqliteStore(options: ExpoSqliteStoreOptions): SqliteStore {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const { database, synchronous, busyTimeoutMs } = parsed.data;
  const path = typeof database.databasePath === 'string' && database.databasePath !== '' ? database.databasePath : '(expo-sqlite database)';
  return sqliteStoreOver({
    path,
    synchronous,
    openDatabase: () => expoSqliteDriver(database),
    // better-sqlite3 takes its busy timeout when opening; through expo-sqlite it is a pragma.
    pragmas: [`busy_timeout = ${busyTimeoutMs}`],
  });
}
