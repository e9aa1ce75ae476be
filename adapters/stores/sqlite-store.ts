import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { StoreOpenError, ValidationError } from '../../src/core/errors.js';
import { openSqlite } from './sqlite-driver.js';
import { MAX_BUSY_TIMEOUT_MS } from './sqlite-limits.js';
import { sqliteStoreOver, type SqliteStore } from './sqlite-store-core.js';

export type { SqliteQuarantineEntry, SqliteStore } from './sqlite-store-core.js';
export { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

export { MAX_BUSY_TIMEOUT_MS } from './sqlite-limits.js';

const optionsSchema = z
  .object({
    /** The database file; its folder is created if missing. `':memory:'` keeps nothing. */
    path: z.string().min(1, 'must be a file path (or ":memory:")'),
    /**
     * How hard each commit pushes to disk (see SYNCHRONOUS below).
     * 'full' (default): a resolved `schedule()` survives power loss and OS crashes.
     * 'normal': it survives the process being killed, but an OS crash may roll back the last commits.
     */
    synchronous: z.enum(['full', 'normal']).default('full'),
    /** How long a write waits for another connection's lock before failing. Default 5,000 ms. */
    busyTimeoutMs: z.number().int().min(0).max(MAX_BUSY_TIMEOUT_MS).default(5_000),
  })
  .strict();

export type SqliteStoreOptions = z.input<typeof optionsSchema>;

/*
 * SYNCHRONOUS: errand defaults to WAL with synchronous=FULL. `schedule()` promises that the
 * request is durable when it resolves; under NORMAL a WAL commit is only handed to the OS, so a
 * power cut or kernel crash can roll back work the caller was told is safe. FULL costs one fsync
 * per commit, and the orchestrator groups the writes of a tick into one batch, so concurrent
 * schedules share that fsync; only strictly sequential awaits pay it per call. Apps that only need
 * to survive their own process dying can opt into 'normal'.
 */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Keeps scheduled work in a SQLite file (better-sqlite3, WAL), for Node. Records are errand's own
 * versioned task records as JSON, their input as the text the core encoded; each is validated
 * when read and a bad one is moved to `errand_quarantine`. Nothing touches the file before
 * `open()`: a file that is not a database, or is damaged, fails with a StoreOpenError naming the
 * path, from `open()` or from whichever later call meets the damage.
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const { path, synchronous, busyTimeoutMs } = parsed.data;
  return sqliteStoreOver({
    path,
    synchronous,
    openDatabase() {
      if (path !== ':memory:') {
        try {
          mkdirSync(dirname(path), { recursive: true });
        } catch (error) {
          throw new StoreOpenError(path, `cannot create its folder (${messageOf(error)})`, error);
        }
      }
      return openSqlite(path, { timeout: busyTimeoutMs });
    },
  });
}
