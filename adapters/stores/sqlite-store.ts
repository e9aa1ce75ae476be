import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ErrandError, StoreOpenError, ValidationError } from '../../src/core/errors.js';
import type { DueQuery, KeptQuarantineEntry, ListQuery, QuarantinedRecord, QuarantiningStore, StoreBatch, StoreOpenOptions, StoreRead } from '../../src/core/ports.js';
import type { TaskRecord } from '../../src/core/schemas.js';
import {
  isDamagedFileError,
  openSqlite,
  sqliteErrorCode,
  type SqliteDatabase,
  type SqliteStatement,
  type SqliteTransaction,
} from './sqlite-driver.js';
import { decodeRow, listSql, QUARANTINE_SQL, READ_SQL, rowParams, storable, UPSERT_SQL, type TaskRow } from './sqlite-rows.js';
import { prepareSchema } from './sqlite-schema.js';
import { checkBatch, checkDueQuery, checkInstant, checkListQuery, checkTaskId } from './store-queries.js';

export { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

/**
 * Longest a write may wait for another connection's lock. better-sqlite3 waits synchronously, so
 * the whole process stalls for that long: beyond a minute it is a hang, not a wait.
 */
export const MAX_BUSY_TIMEOUT_MS = 60_000;

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

/** A row set aside by a read, as kept in the `errand_quarantine` table. */
export interface SqliteQuarantineEntry extends KeptQuarantineEntry {
  /** The stored record text exactly as it was found (`data`), and its input (null for rows set aside by the v1 migration). */
  input: unknown;
}

/** Its quarantine is the `errand_quarantine` table of the file. */
export interface SqliteStore extends QuarantiningStore<SqliteQuarantineEntry> {
  readonly path: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** SQLite's "damaged file" errors, met at open or by any later call, as the StoreOpenError they mean. */
function asOpenError(path: string, error: unknown): unknown {
  if (error instanceof StoreOpenError || !isDamagedFileError(error)) return error;
  const reason = sqliteErrorCode(error) === 'SQLITE_NOTADB' ? 'the file is not a SQLite database' : 'the file is damaged';
  return new StoreOpenError(path, `${reason} (${messageOf(error)})`, error);
}

interface BadRow {
  row: TaskRow;
  reason: string;
}

/** One open file and the statements errand runs on it. */
class Connection {
  private readonly listStatements = new Map<string, SqliteStatement<TaskRow>>();
  readonly get: SqliteStatement<TaskRow>;
  readonly dueFirst: SqliteStatement<TaskRow>;
  readonly dueAfter: SqliteStatement<TaskRow>;
  readonly nextDue: SqliteStatement<{ due_at: number }>;
  readonly held: SqliteStatement<TaskRow>;
  readonly quarantined: SqliteStatement<{ key: string; data: unknown; input: unknown; reason: string; quarantined_at: number }>;
  private readonly eraseEphemeralRows: SqliteStatement;
  private readonly applyTx: SqliteTransaction<[StoreBatch], void>;
  private readonly setAsideTx: SqliteTransaction<[BadRow[]], void>;

  constructor(readonly db: SqliteDatabase) {
    this.get = db.prepare(READ_SQL.get);
    this.dueFirst = db.prepare(READ_SQL.dueFirst);
    this.dueAfter = db.prepare(READ_SQL.dueAfter);
    this.nextDue = db.prepare(READ_SQL.nextDue);
    this.held = db.prepare(READ_SQL.held);
    this.quarantined = db.prepare('SELECT key, data, input, reason, quarantined_at FROM errand_quarantine ORDER BY id');
    this.eraseEphemeralRows = db.prepare(READ_SQL.eraseEphemeral);
    const upsert = db.prepare(UPSERT_SQL);
    const remove = db.prepare('DELETE FROM errand_tasks WHERE key = ?');
    const quarantine = db.prepare(QUARANTINE_SQL);
    this.applyTx = db.transaction((batch: StoreBatch) => {
      for (const key of batch.delete) remove.run(key);
      for (const record of batch.put) upsert.run(...rowParams(record));
    });
    this.setAsideTx = db.transaction((bad: BadRow[]) => {
      const now = Date.now();
      for (const { row, reason } of bad) {
        quarantine.run(row.key, storable(row.data), storable(row.input), reason, now);
        remove.run(row.key);
      }
    });
  }

  apply(batch: StoreBatch): void {
    if (batch.put.length > 0 || batch.delete.length > 0) this.applyTx.immediate(batch);
  }

  eraseEphemeral(): void {
    this.eraseEphemeralRows.run();
  }

  /** Decodes rows; moves the bad ones to the quarantine (one transaction) and reports them. */
  read(rows: TaskRow[]): StoreRead {
    const records: TaskRecord[] = [];
    const bad: BadRow[] = [];
    for (const row of rows) {
      const decoded = decodeRow(row);
      if ('record' in decoded) records.push(decoded.record);
      else bad.push({ row, reason: decoded.reason });
    }
    if (bad.length > 0) this.setAsideTx.immediate(bad);
    return { records, quarantined: bad.map(({ row, reason }) => ({ key: row.key, reason })) };
  }

  list(query: ListQuery): TaskRow[] {
    const { sql, params } = listSql(query);
    let statement = this.listStatements.get(sql);
    if (!statement) this.listStatements.set(sql, (statement = this.db.prepare<TaskRow>(sql)));
    return statement.all(...params);
  }
}

function connect(path: string, synchronous: 'full' | 'normal', busyTimeoutMs: number): Connection {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new StoreOpenError(path, `cannot create its folder (${messageOf(error)})`, error);
    }
  }
  let db: SqliteDatabase;
  try {
    db = openSqlite(path, { timeout: busyTimeoutMs });
  } catch (error) {
    if (error instanceof ErrandError) throw error;
    throw new StoreOpenError(path, messageOf(error), error);
  }
  try {
    // The first statement reads the header: a file that is not a database fails here. No
    // integrity_check: it reads every page, and opening a big file must stay fast; a damaged page
    // is reported by the call that meets it.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    prepareSchema(db, path);
    return new Connection(db);
  } catch (error) {
    db.close();
    const reported = asOpenError(path, error);
    throw reported instanceof StoreOpenError ? reported : new StoreOpenError(path, messageOf(error), error);
  }
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
  let connection: Connection | null = null;
  let closed = false;

  const use = <T>(run: (c: Connection) => T): T => {
    if (closed) throw new ErrandError(`sqlite store at ${path} is closed`);
    if (!connection) throw new ErrandError(`sqlite store at ${path} is not open: call open() first`);
    try {
      return run(connection);
    } catch (error) {
      throw asOpenError(path, error);
    }
  };

  return {
    path,

    async open(options?: StoreOpenOptions): Promise<void> {
      if (closed) throw new ErrandError(`sqlite store at ${path} is closed`);
      connection ??= connect(path, synchronous, busyTimeoutMs);
      if (!options?.keepEphemeral) use((c) => c.eraseEphemeral());
    },

    async write(batch: StoreBatch): Promise<void> {
      checkBatch(batch);
      use((c) => c.apply(batch));
    },

    async get(taskId: string): Promise<StoreRead> {
      checkTaskId(taskId);
      return use((c) => c.read(c.get.all(taskId)));
    },

    async due(query: DueQuery): Promise<StoreRead> {
      const { after, until, limit } = checkDueQuery(query);
      return use((c) => c.read(after === null ? c.dueFirst.all(until, limit) : c.dueAfter.all(after.dueAt, after.taskId, until, limit)));
    },

    async nextDueAt(after: number): Promise<number | null> {
      checkInstant('after', after);
      return use((c) => c.nextDue.get(after, Number.POSITIVE_INFINITY)?.due_at ?? null);
    },

    async list(query: ListQuery): Promise<StoreRead> {
      checkListQuery(query);
      return use((c) => c.read(c.list(query)));
    },

    async held(): Promise<StoreRead> {
      return use((c) => c.read(c.held.all()));
    },

    async quarantine(): Promise<SqliteQuarantineEntry[]> {
      return use((c) =>
        c.quarantined
          .all()
          .map((row) => ({ key: row.key, reason: row.reason, data: row.data, input: row.input, quarantinedAt: row.quarantined_at })),
      );
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      connection?.db.close();
      connection = null;
    },
  };
}
