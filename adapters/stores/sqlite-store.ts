import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, stringify, type SuperJSONResult } from 'superjson';
import { ErrandError, StoreOpenError } from '../../src/core/errors.js';
import type { QuarantinedRecord, StoreBatch, StoreLoad, StorePort } from '../../src/core/ports.js';
import { taskRecordSchema, type TaskRecord } from '../../src/core/schemas.js';
import { openSqlite, sqliteErrorCode, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';

/** The layout this version of errand writes; stored in `errand_meta` under `schema_version`. */
export const SQLITE_SCHEMA_VERSION = 1;

export interface SqliteStoreOptions {
  /** The database file; its folder is created if missing. `':memory:'` keeps nothing. */
  path: string;
  /**
   * How hard each commit pushes to disk (see the note on `SYNCHRONOUS` below).
   * 'full' (default): a resolved `schedule()` survives power loss and OS crashes.
   * 'normal': it survives the process being killed, but an OS crash may roll back the last commits.
   */
  synchronous?: 'full' | 'normal';
  /** How long a write waits for another connection's lock before failing. Default 5,000 ms. */
  busyTimeoutMs?: number;
}

/** A record set aside by `load()`, as kept in the `errand_quarantine` table. */
export interface SqliteQuarantineEntry extends QuarantinedRecord {
  /** The stored value exactly as it was found. */
  data: unknown;
  /** When it was set aside (epoch ms). */
  quarantinedAt: number;
}

export interface SqliteStore extends StorePort {
  readonly path: string;
  /** Every record ever quarantined in this file, oldest first (the table is never emptied by errand). */
  quarantine(): Promise<SqliteQuarantineEntry[]>;
  close(): Promise<void>;
}

/*
 * SYNCHRONOUS: errand defaults to WAL with synchronous=FULL. `schedule()` promises that the
 * request is durable when it resolves; under NORMAL a WAL commit is only handed to the OS, so a
 * power cut or kernel crash can roll back work the caller was told is safe. FULL costs one fsync
 * per commit, and the persister already groups every write of a tick into one transaction, so
 * concurrent schedules share that fsync (thousands of records per commit); only strictly
 * sequential awaits pay it per call. Apps that only need to survive their own process dying can
 * opt into 'normal'.
 */

const SCHEMA_V1 = `
  CREATE TABLE IF NOT EXISTS errand_tasks (
    key TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS errand_quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    data,
    reason TEXT NOT NULL,
    quarantined_at INTEGER NOT NULL
  );
`;

interface Statements {
  db: SqliteDatabase;
  all: SqliteStatement<{ key: string; data: unknown }>;
  upsert: SqliteStatement;
  remove: SqliteStatement;
  quarantine: SqliteStatement;
  listQuarantine: SqliteStatement<{ key: string; data: unknown; reason: string; quarantined_at: number }>;
  applyBatch: (batch: StoreBatch) => void;
  setAside: (items: { key: string; data: unknown; reason: string }[]) => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * True when JSON.stringify keeps `value` exactly, so superjson would add no annotations: then
 * `{"json": JSON.stringify(value)}` is byte for byte what superjson writes, at a tenth of the cost.
 * Anything else (Date, Map, Set, BigInt, undefined, -0, NaN, classes, cycles) goes through superjson.
 */
function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > 64) return false; // deep or cyclic: superjson's job
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key of Object.keys(value)) {
        if (key === '__proto__' || !isPlainJson((value as Json)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * One row's text: `{"record": <the record without request.input, as JSON>, "input": <superjson payload>}`.
 * Every field of a record but the input is plain JSON by its schema, so only the input pays for superjson
 * (about 4x cheaper than running superjson over the whole record); "input" is left out when undefined.
 */
export function encodeRecord(record: TaskRecord): string {
  const { input, ...request } = record.request;
  const head = JSON.stringify({ ...record, request });
  if (input === undefined) return `{"record":${head}}`;
  const payload = isPlainJson(input) ? `{"json":${JSON.stringify(input)}}` : stringify(input);
  return `{"record":${head},"input":${payload}}`;
}

/** The stored text back to a record (not yet validated), or why it cannot be read. */
export function decodeRecord(data: string): { value: unknown } | { reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(data);
  } catch (error) {
    return { reason: `unreadable: ${messageOf(error)}` };
  }
  if (!isObject(doc) || !isObject(doc.record)) return { reason: 'unreadable: not an errand record' };
  const record = doc.record;
  if (!('input' in doc) || !isObject(record.request)) return { value: record };
  if (!isObject(doc.input) || !('json' in doc.input)) return { reason: 'unreadable: input is not a superjson payload' };
  let input: unknown;
  try {
    input = deserialize(doc.input as unknown as SuperJSONResult);
  } catch (error) {
    return { reason: `unreadable input: ${messageOf(error)}` };
  }
  return { value: { ...record, request: { ...record.request, input } } };
}

/** Why a stored value is not a valid record, or the record. */
function decode(key: string, data: unknown): { record: TaskRecord } | { reason: string } {
  if (typeof data !== 'string') {
    const what = data === null ? 'null' : Buffer.isBuffer(data) ? 'a blob' : typeof data;
    return { reason: `unreadable: stored value is ${what}, not text` };
  }
  const decoded = decodeRecord(data);
  if ('reason' in decoded) return decoded;
  const parsed = taskRecordSchema.safeParse(decoded.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    return { reason: `invalid record: ${path || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  if (parsed.data.taskId !== key) return { reason: `invalid record: taskId ${parsed.data.taskId} does not match its key` };
  return { record: parsed.data };
}

function open(path: string, synchronous: 'full' | 'normal', busyTimeoutMs: number): Statements {
  if (path !== ':memory:' && path !== '') {
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
    throw new StoreOpenError(path, messageOf(error), error);
  }
  try {
    // The first statement reads the header: a file that is not a database fails here.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    migrate(db, path);
  } catch (error) {
    db.close();
    if (error instanceof StoreOpenError) throw error;
    const code = sqliteErrorCode(error);
    const reason =
      code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
        ? `the file is not a SQLite database (${messageOf(error)})`
        : messageOf(error);
    throw new StoreOpenError(path, reason, error);
  }

  const upsert = db.prepare(
    'INSERT INTO errand_tasks (key, data, updated_at) VALUES (?, ?, ?) ' +
      'ON CONFLICT(key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at',
  );
  const remove = db.prepare('DELETE FROM errand_tasks WHERE key = ?');
  const quarantine = db.prepare('INSERT INTO errand_quarantine (key, data, reason, quarantined_at) VALUES (?, ?, ?, ?)');
  const applyBatch = db.transaction((batch: StoreBatch) => {
    for (const key of batch.delete) remove.run(key);
    for (const record of batch.put) upsert.run(record.taskId, encodeRecord(record), record.updatedAt);
  });
  const setAside = db.transaction((items: { key: string; data: unknown; reason: string }[]) => {
    const now = Date.now();
    for (const item of items) {
      quarantine.run(item.key, storable(item.data), item.reason, now);
      remove.run(item.key);
    }
  });
  return {
    db,
    all: db.prepare('SELECT key, data FROM errand_tasks ORDER BY rowid'),
    upsert,
    remove,
    quarantine,
    listQuarantine: db.prepare('SELECT key, data, reason, quarantined_at FROM errand_quarantine ORDER BY id'),
    applyBatch: (batch) => applyBatch.immediate(batch),
    setAside: (items) => setAside.immediate(items),
  };
}

function storable(data: unknown): string | number | bigint | Buffer | null {
  if (data === null || typeof data === 'string' || typeof data === 'number' || typeof data === 'bigint') return data;
  if (Buffer.isBuffer(data)) return data;
  return String(data);
}

/** Creates the tables on a new file; refuses a file written by a newer errand. */
function migrate(db: SqliteDatabase, path: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS errand_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)');
  const row = db.prepare<{ value: string }>("SELECT value FROM errand_meta WHERE key = 'schema_version'").get();
  const version = row ? Number(row.value) : 0;
  if (!Number.isInteger(version) || version < 0) {
    throw new StoreOpenError(path, `unreadable schema version ${JSON.stringify(row?.value)}`);
  }
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new StoreOpenError(
      path,
      `it was written by a newer errand (schema version ${version}; this one reads up to ${SQLITE_SCHEMA_VERSION})`,
    );
  }
  if (version === SQLITE_SCHEMA_VERSION) return;
  // Version 0 (a new file) to 1; later versions add their steps here, each in its own transaction.
  db.transaction(() => {
    db.exec(SCHEMA_V1);
    db.prepare("INSERT OR REPLACE INTO errand_meta (key, value) VALUES ('schema_version', ?)").run(String(SQLITE_SCHEMA_VERSION));
  }).immediate();
}

/**
 * Keeps scheduled work in a SQLite file (better-sqlite3, WAL), for Node. Records are errand's own
 * versioned task records, serialized with superjson so Dates, Maps, Sets, BigInt and undefined in
 * inputs survive; each is validated on load and a bad one is moved to `errand_quarantine`.
 * The file is opened on first use: a file that is not a database fails `load()` (so `start()`)
 * with a StoreOpenError naming the path.
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { path } = options;
  const synchronous = options.synchronous ?? 'full';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  let statements: Statements | null = null;
  let closed = false;

  const db = (): Statements => {
    if (closed) throw new ErrandError(`sqlite store at ${path} is closed`);
    statements ??= open(path, synchronous, busyTimeoutMs);
    return statements;
  };

  return {
    path,

    async load(): Promise<StoreLoad> {
      const s = db();
      const records: TaskRecord[] = [];
      const bad: { key: string; data: unknown; reason: string }[] = [];
      for (const row of s.all.all()) {
        const decoded = decode(row.key, row.data);
        if ('record' in decoded) records.push(decoded.record);
        else bad.push({ key: row.key, data: row.data, reason: decoded.reason });
      }
      if (bad.length > 0) s.setAside(bad);
      return { records, quarantined: bad.map(({ key, reason }) => ({ key, reason })) };
    },

    async write(batch: StoreBatch): Promise<void> {
      if (batch.put.length === 0 && batch.delete.length === 0) return;
      db().applyBatch(batch);
    },

    async quarantine(): Promise<SqliteQuarantineEntry[]> {
      return db()
        .listQuarantine.all()
        .map((row) => ({ key: row.key, reason: row.reason, data: row.data, quarantinedAt: row.quarantined_at }));
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      statements?.db.close();
      statements = null;
    },
  };
}
