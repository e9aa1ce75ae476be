// sqliteStore's behaviour over any driver behind the port (better-sqlite3 on Node, expo-sqlite on phones). Node-free.
import { ErrandError, StoreOpenError } from '../../src/core/errors.js';
import type { DueQuery, KeptQuarantineEntry, ListQuery, QuarantiningStore, StoreBatch, StoreOpenOptions, StoreRead } from '../../src/core/ports.js';
import type { TaskRecord } from '../../src/core/schemas.js';
import { isDamagedFileError, sqliteErrorCode, type SqliteDatabase, type SqliteStatement, type SqliteTransaction } from './sqlite-port.js';
import { decodeRow, listSql, QUARANTINE_SQL, READ_SQL, rowParams, storable, UPSERT_SQL, type TaskRow } from './sqlite-rows.js';
import { prepareSchema } from './sqlite-schema.js';
import { checkBatch, checkDueQuery, checkInstant, checkListQuery, checkTaskId } from './store-queries.js';

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

/** How a store reaches its database: the driver-specific part of opening it. */
export interface SqliteStoreSetup {
  /** Where the database is, for messages (a file path, or the name the driver opened). */
  path: string;
  synchronous: 'full' | 'normal';
  /** Opens the connection; called once, by the first `open()`. Throwing a StoreOpenError or ErrandError reports it as is. */
  openDatabase(): SqliteDatabase;
  /** Further pragmas run after journal_mode and synchronous (a driver without a busy timeout option sets busy_timeout). */
  pragmas?: readonly string[];
}

function connect(setup: SqliteStoreSetup): Connection {
  const { path } = setup;
  let db: SqliteDatabase;
  try {
    db = setup.openDatabase();
  } catch (error) {
    if (error instanceof ErrandError) throw error;
    throw new StoreOpenError(path, messageOf(error), error);
  }
  try {
    // The first statement reads the header: a file that is not a database fails here. No
    // integrity_check: it reads every page, and opening a big file must stay fast; a damaged page
    // is reported by the call that meets it.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${setup.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    for (const pragma of setup.pragmas ?? []) db.pragma(pragma);
    prepareSchema(db, path);
    return new Connection(db);
  } catch (error) {
    db.close();
    const reported = asOpenError(path, error);
    throw reported instanceof StoreOpenError ? reported : new StoreOpenError(path, messageOf(error), error);
  }
}

/** A SqliteStore over the database `setup` opens (see sqliteStore for what it does). */
export function sqliteStoreOver(setup: SqliteStoreSetup): SqliteStore {
  const { path } = setup;
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
      connection ??= connect(setup);
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
