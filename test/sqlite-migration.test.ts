import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'superjson';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDatabase } from '../adapters/stores/sqlite-driver.js';
import { StoreOpenError } from '../src/core/errors.js';
import { taskRequestSchema, type TaskRecord } from '../src/core/schemas.js';
import { sqliteStore, type SqliteStore } from '../src/node/index.js';
import { storedRecord } from './store-contract.js';

/*
 * Schema version 1 files, written here exactly as errand wrote them before the store-first core
 * (adapters/stores/sqlite-store.ts at bb8cf2b): the same DDL, the same meta row, the same row text.
 */
const V1_DDL = `
  CREATE TABLE IF NOT EXISTS errand_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
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
  INSERT OR REPLACE INTO errand_meta (key, value) VALUES ('schema_version', '1');
`;

interface V1Record {
  version: 1;
  taskId: string;
  request: Record<string, unknown>;
  attempt: number;
  nextRunAt: number | null;
  status: string;
  updatedAt: number;
}

function v1Record(taskId: string, fields: Partial<V1Record> = {}): V1Record {
  return {
    version: 1,
    taskId,
    attempt: 0,
    nextRunAt: 1_000,
    status: 'pending',
    updatedAt: 1,
    ...fields,
    request: taskRequestSchema.parse({ taskId, ...fields.request }),
  };
}

/**
 * v1's encodeRecord: the record without request.input, then the input as a superjson payload (v1
 * wrote plain JSON inputs as `{"json":...}` by hand, byte for byte what superjson writes).
 */
function v1Data(record: V1Record, input?: unknown): string {
  const head = JSON.stringify(record);
  return input === undefined ? `{"record":${head}}` : `{"record":${head},"input":${stringify(input)}}`;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function v1File(rows: { key: string; data: string | Buffer }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'errand-v1-'));
  dirs.push(dir);
  const path = join(dir, 'tasks.db');
  const db = openSqlite(path);
  db.pragma('journal_mode = WAL');
  db.exec(V1_DDL);
  const insert = db.prepare('INSERT INTO errand_tasks (key, data, updated_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const row of rows) insert.run(row.key, row.data, 0);
  })();
  db.close();
  return path;
}

function raw<T>(path: string, use: (db: SqliteDatabase) => T): T {
  const db = openSqlite(path);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

const columns = (path: string, table: string) =>
  raw(path, (db) => db.prepare<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all().map((c) => c.name));
const version = (path: string) => raw(path, (db) => db.prepare<{ value: string }>("SELECT value FROM errand_meta WHERE key = 'schema_version'").get()?.value);

const typedInput = { at: new Date(42), counts: new Map([['a', 1n]]), tags: new Set(['x']), big: 2n ** 70n, missing: undefined };

const GOOD = [
  { record: v1Record('job/plain', { nextRunAt: 5_000, updatedAt: 10 }), input: { plain: [1, 'two'] } },
  { record: v1Record('job/typed', { status: 'backoff', attempt: 2, nextRunAt: 9_000, updatedAt: 20 }), input: typedInput },
  { record: v1Record('job/none', { status: 'constrained', nextRunAt: null, updatedAt: 777 }) },
  { record: v1Record('job/running', { status: 'running', attempt: 1, nextRunAt: null, updatedAt: 888 }), input: 'text' },
  {
    record: v1Record('sync/photos', {
      nextRunAt: 3_000,
      updatedAt: 30,
      request: { kind: 'periodic', intervalMs: 60_000, constraints: { network: 'unmetered' }, backoff: { maxAttempts: 9 } },
    }),
    input: null,
  },
];
const EPHEMERAL = { record: v1Record('job/ephemeral', { request: { ephemeral: true } }), input: { n: 1 } };

const BAD_ROWS = [
  { key: 'job/bad-json', data: '{"record": {"version": 1, "taskId": ', reason: /^schema v1 row: unreadable: / },
  { key: 'job/bad-attempt', data: v1Data(v1Record('job/bad-attempt', { attempt: -1 })), reason: /^schema v1 row: invalid record: attempt: / },
  { key: 'job/wrong-key', data: v1Data(v1Record('job/other')), reason: /^schema v1 row: invalid record: taskId job\/other does not match its key$/ },
  { key: 'job/bad-input', data: `{"record":${JSON.stringify(v1Record('job/bad-input'))},"input":{"json":1,"meta":{"values":["nope"]}}}`, reason: /^schema v1 row: unreadable input: / },
  { key: 'job/not-payload', data: `{"record":${JSON.stringify(v1Record('job/not-payload'))},"input":5}`, reason: /^schema v1 row: unreadable: input is not a superjson payload$/ },
  { key: 'job/v2-in-v1', data: v1Data({ ...v1Record('job/v2-in-v1'), version: 2 as 1 }), reason: /^schema v1 row: invalid record: version: / },
  { key: 'job/blob', data: Buffer.from([0xff, 0x00]), reason: /^schema v1 row: unreadable: stored value is a blob, not text$/ },
];

const v1Rows = () => [
  ...[...GOOD, EPHEMERAL].map(({ record, input }) => ({ key: record.taskId, data: v1Data(record, input) })),
  ...BAD_ROWS.map(({ key, data }) => ({ key, data })),
];

/** The v2 record each good v1 row must become. */
function expected({ record, input }: { record: V1Record; input?: unknown }): TaskRecord {
  return storedRecord(record.taskId, {
    request: record.request,
    input: input === undefined ? null : stringify(input),
    attempt: record.attempt,
    status: record.status as TaskRecord['status'],
    dueAt: record.nextRunAt ?? record.updatedAt,
    updatedAt: record.updatedAt,
  });
}

async function opened(path: string): Promise<SqliteStore> {
  const store = sqliteStore({ path });
  await store.open();
  return store;
}

describe('sqliteStore: migration from schema version 1', () => {
  it('turns every good v1 row into a v2 record, quarantines the bad ones, and the work reads back', async () => {
    const path = v1File(v1Rows());
    const store = await opened(path);
    expect(version(path)).toBe('2');
    expect(columns(path, 'errand_tasks')).toEqual(['key', 'data', 'input', 'due_at', 'status', 'held', 'ephemeral', 'updated_at']);
    expect(raw(path, (db) => db.prepare("SELECT name FROM sqlite_master WHERE name = 'errand_tasks_v1'").all())).toEqual([]);

    for (const good of GOOD) expect((await store.get(good.record.taskId)).records).toEqual([expected(good)]);
    const typed = (await store.get('job/typed')).records[0];
    const decoded = parse<typeof typedInput>(typed!.input!);
    expect(decoded.at).toEqual(new Date(42));
    expect(decoded.counts).toEqual(new Map([['a', 1n]]));
    expect(decoded.tags).toEqual(new Set(['x']));
    expect(decoded.big).toBe(2n ** 70n);
    expect(Object.hasOwn(decoded, 'missing')).toBe(true);
    expect(parse((await store.get('sync/photos')).records[0]!.input!)).toBeNull();

    // Due order from nextRunAt, or updatedAt where v1 kept none; open erased the ephemeral row.
    const due = await store.due({ after: null, until: Number.POSITIVE_INFINITY, limit: 100 });
    expect(due).toEqual({ records: ['job/none', 'job/running', 'sync/photos', 'job/plain', 'job/typed'].map((id) => expected(GOOD.find((g) => g.record.taskId === id)!)), quarantined: [] });
    expect((await store.get('job/ephemeral')).records).toEqual([]);
    expect((await store.list({ status: 'running', limit: 10 })).records.map((r) => r.taskId)).toEqual(['job/running']);

    const quarantined = await store.quarantine();
    expect(quarantined.map((q) => q.key)).toEqual(BAD_ROWS.map((b) => b.key));
    for (const bad of BAD_ROWS) {
      const entry = quarantined.find((q) => q.key === bad.key);
      expect(entry?.reason).toMatch(bad.reason);
      expect(entry?.data).toEqual(bad.data);
      expect(entry?.input).toBeNull();
    }
    await store.close();

    // Migrated once: a second open finds version 2 and changes nothing.
    const again = await opened(path);
    expect((await again.list({ limit: 100 })).records).toEqual(GOOD.map(expected).sort((a, b) => (a.taskId < b.taskId ? -1 : 1)));
    expect(await again.quarantine()).toHaveLength(BAD_ROWS.length);
    await again.close();
  });

  it('migrates a file of many pages of rows', async () => {
    const n = 2_500;
    const path = v1File(Array.from({ length: n }, (_, i) => ({ key: `job/${i}`, data: v1Data(v1Record(`job/${i}`, { nextRunAt: n - i }), { i }) })));
    const store = await opened(path);
    const { records } = await store.due({ after: null, until: Number.POSITIVE_INFINITY, limit: n + 1 });
    expect(records).toHaveLength(n);
    expect(records[0]).toMatchObject({ taskId: `job/${n - 1}`, dueAt: 1, input: `{"json":{"i":${n - 1}}}` });
    expect(await store.quarantine()).toEqual([]);
    await store.close();
  });

  it('is one transaction: a migration that fails part-way leaves the v1 file exactly as it was', async () => {
    const path = v1File(v1Rows());
    // Fails the first quarantine insert, after the good rows before it were already converted.
    raw(path, (db) => db.exec("CREATE TRIGGER no_quarantine BEFORE INSERT ON errand_quarantine BEGIN SELECT RAISE(ABORT, 'quarantine refused'); END"));
    const before = raw(path, (db) => db.prepare('SELECT key, data FROM errand_tasks ORDER BY key').all());
    const error = await sqliteStore({ path })
      .open()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).message).toMatch(/quarantine refused/);
    expect(version(path)).toBe('1');
    expect(columns(path, 'errand_tasks')).toEqual(['key', 'data', 'updated_at']);
    expect(columns(path, 'errand_quarantine')).not.toContain('input');
    expect(raw(path, (db) => db.prepare('SELECT key, data FROM errand_tasks ORDER BY key').all())).toEqual(before);

    raw(path, (db) => db.exec('DROP TRIGGER no_quarantine'));
    const store = await opened(path);
    expect((await store.list({ limit: 100 })).records).toHaveLength(GOOD.length);
    await store.close();
  });
});
