import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, sqliteErrorCode, type SqliteDatabase } from '../adapters/stores/sqlite-driver.js';
import { listSql, READ_SQL, rowParams, UPSERT_SQL } from '../adapters/stores/sqlite-rows.js';
import { ErrandError, StoreOpenError, ValidationError } from '../src/core/errors.js';
import { SQLITE_SCHEMA_VERSION, sqliteStore, type SqliteStore, type SqliteStoreOptions } from '../src/node/index.js';
import { batch, storedRecord, storeContract, type BadRowPlace } from './store-contract.js';
import { dueAll, listAll } from './store-contract-support.js';
import { validationErrorOf } from './support.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'errand-sqlite-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A raw connection to the same file, for looking behind the store's back. */
function raw<T>(path: string, use: (db: SqliteDatabase) => T): T {
  const db = openSqlite(path);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** A row whose record text is cut short, sitting in the indexes at `place`. */
function putBadRow(path: string, key: string, { dueAt, status, held }: BadRowPlace): void {
  raw(path, (db) =>
    db
      .prepare('INSERT INTO errand_tasks (key, data, input, due_at, status, held, ephemeral, updated_at) VALUES (?, ?, NULL, ?, ?, ?, 0, 0)')
      .run(key, '{"version": 2, "taskId": ', dueAt, status, held),
  );
}

storeContract('sqliteStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'errand-contract-'));
  const path = join(dir, 'tasks.db');
  return {
    store: sqliteStore({ path }),
    reopen: () => sqliteStore({ path }),
    putBadRow: (key, place) => putBadRow(path, key, place),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

const storedKeys = (path: string): string[] =>
  raw(path, (db) =>
    db
      .prepare<{ key: string }>('SELECT key FROM errand_tasks ORDER BY key')
      .all()
      .map((row) => row.key),
  );

async function opened(options: SqliteStoreOptions): Promise<SqliteStore> {
  const store = sqliteStore(options);
  await store.open();
  return store;
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => null,
    (e: unknown) => e,
  );
}

describe('sqliteStore: the file', () => {
  it('touches nothing before open(); open creates the folder, uses WAL and records schema version 2', async () => {
    const path = join(tempDir(), 'nested', 'deeper', 'tasks.db');
    const store = sqliteStore({ path });
    expect(existsSync(join(path, '..'))).toBe(false);
    await expect(store.write(batch([storedRecord('job/a')]))).rejects.toThrow(/is not open: call open\(\) first/);
    await expect(store.get('job/a')).rejects.toThrow(ErrandError);
    await store.open();
    await store.write(batch([storedRecord('job/a')]));
    raw(path, (db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare<{ value: string }>("SELECT value FROM errand_meta WHERE key = 'schema_version'").get()?.value).toBe('2');
      const indexes = db.prepare<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();
      expect(indexes.map((i) => i.name)).toEqual(['errand_tasks_due', 'errand_tasks_ephemeral', 'errand_tasks_held', 'errand_tasks_status']);
    });
    expect(SQLITE_SCHEMA_VERSION).toBe(2);
    await store.close();
  });

  it('keeps the record as JSON without its input, the input text in its own column, and indexed fields as columns', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = await opened({ path });
    const input = '{"json":{"at":"1970-01-01T00:00:00.005Z"},"meta":{"values":{"at":["Date"]},"v":1}}';
    await store.write(
      batch([
        storedRecord('job/a', { input, dueAt: 7, status: 'backoff' }),
        storedRecord('job/b', { held: 'not registered', request: { ephemeral: true } }),
      ]),
    );
    await store.close();
    const rows = raw(path, (db) => db.prepare<Record<string, unknown>>('SELECT * FROM errand_tasks ORDER BY key').all());
    expect(rows.map(({ data: _data, ...columns }) => columns)).toEqual([
      { key: 'job/a', input, due_at: 7, status: 'backoff', held: null, ephemeral: 0, updated_at: 1 },
      { key: 'job/b', input: null, due_at: 1_000, status: 'pending', held: 'not registered', ephemeral: 1, updated_at: 1 },
    ]);
    const doc = JSON.parse(String(rows[0]?.data)) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('input');
    const { input: _input, ...rest } = storedRecord('job/a', { input, dueAt: 7, status: 'backoff' });
    expect(doc).toEqual(rest);
  });

  it('answers every read with a range read of one index, never a scan or a sort', () => {
    const path = join(tempDir(), 'tasks.db');
    return opened({ path }).then(async (store) => {
      await store.write(batch(Array.from({ length: 200 }, (_, i) => storedRecord(`job/${i}`, { dueAt: i, held: i % 10 ? null : 'x' }))));
      await store.close();
      const plan = (sql: string, ...params: unknown[]) =>
        raw(path, (db) =>
          db
            .prepare<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
            .all(...(params as never[]))
            .map((row) => row.detail)
            .join('; '),
        );
      expect(plan(READ_SQL.dueFirst, 5, 10)).toMatch(/^SEARCH errand_tasks USING INDEX errand_tasks_due \(due_at<\?\)$/);
      expect(plan(READ_SQL.dueAfter, 5, 'job/5', 10, 10)).toMatch(/^SEARCH errand_tasks USING INDEX errand_tasks_due /);
      expect(plan(READ_SQL.nextDue, 5, 1e9)).toMatch(/^SEARCH errand_tasks USING INDEX errand_tasks_due /);
      expect(plan(READ_SQL.held)).toBe('SCAN errand_tasks USING INDEX errand_tasks_held');
      expect(plan(READ_SQL.eraseEphemeral)).toBe('SCAN errand_tasks USING INDEX errand_tasks_ephemeral');
      expect(plan(READ_SQL.get, 'job/1')).toMatch(/^SEARCH errand_tasks USING INDEX sqlite_autoindex_errand_tasks_1 \(key=\?\)$/);
      for (const query of [{ limit: 5 }, { prefix: 'job/1', limit: 5 }, { after: 'job/3', prefix: 'job/', limit: 5 }]) {
        const { sql, params } = listSql(query);
        expect(plan(sql, ...params)).toMatch(/^SEARCH errand_tasks USING INDEX sqlite_autoindex_errand_tasks_1 \(key>/);
      }
      const byStatus = listSql({ status: 'running', prefix: 'job/', limit: 5 });
      expect(plan(byStatus.sql, ...byStatus.params)).toMatch(/^SEARCH errand_tasks USING INDEX errand_tasks_status \(status=\? AND key>\? AND key<\?\)$/);
    });
  });

  it('a resolved write is in the file: another connection reads it', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = await opened({ path });
    await store.write(batch(Array.from({ length: 200 }, (_, i) => storedRecord(`job/${i}`))));
    expect(storedKeys(path)).toHaveLength(200);
    await store.write(batch([], ['job/0']));
    expect(storedKeys(path)).toHaveLength(199);
    await store.close();
  });

  it('keeps records written under synchronous=normal when reopened as full', async () => {
    const path = join(tempDir(), 'tasks.db');
    const normal = await opened({ path, synchronous: 'normal' });
    await normal.write(batch([storedRecord('job/a')]));
    await normal.close();
    const full = await opened({ path });
    expect((await full.get('job/a')).records).toEqual([storedRecord('job/a')]);
    await full.close();
  });

  it('with busyTimeoutMs 0, a write against another connection’s lock fails at once, and succeeds once it is free', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = await opened({ path, busyTimeoutMs: 0 });
    const other = openSqlite(path);
    other.exec('BEGIN IMMEDIATE');
    const error = await failure(() => store.write(batch([storedRecord('job/a')])));
    expect(sqliteErrorCode(error)).toBe('SQLITE_BUSY');
    other.exec('COMMIT');
    other.close();
    await store.write(batch([storedRecord('job/a')]));
    expect(storedKeys(path)).toEqual(['job/a']);
    await store.close();
  });

  it('fails after close() instead of reopening behind the caller', async () => {
    const store = await opened({ path: join(tempDir(), 'tasks.db') });
    await store.close();
    await expect(store.write(batch([storedRecord('job/a')]))).rejects.toThrow(/closed/);
    await expect(store.due({ after: null, until: 1, limit: 1 })).rejects.toThrow(/closed/);
    await expect(store.open()).rejects.toThrow(/closed/);
  });

  it('writes a record it cannot serialize nowhere: the batch fails and the file is unchanged', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = await opened({ path });
    await store.write(batch([storedRecord('job/keep')]));
    const poisoned = { ...storedRecord('job/poison'), attempt: 1n as unknown as number };
    await expect(store.write(batch([storedRecord('job/first'), poisoned], ['job/keep']))).rejects.toThrow(/BigInt/);
    expect(storedKeys(path)).toEqual(['job/keep']);
    // UPSERT_SQL and rowParams are what the store runs: the same row through them is fine.
    raw(path, (db) => db.prepare(UPSERT_SQL).run(...rowParams(storedRecord('job/first'))));
    expect(storedKeys(path)).toEqual(['job/first', 'job/keep']);
    await store.close();
  });
});

describe('sqliteStore: options', () => {
  const refused = (options: unknown): ValidationError => validationErrorOf(() => sqliteStore(options as SqliteStoreOptions));
  const path = join(tmpdir(), 'errand-never-created', 'tasks.db');

  it('accepts synchronous "full" or "normal" only', () => {
    for (const synchronous of ['FULL', 'Normal', 'off', 'extra', '', 1, null]) {
      expect(refused({ path, synchronous }).field).toBe('synchronous');
    }
    expect(() => sqliteStore({ path, synchronous: 'normal' })).not.toThrow();
  });

  it('needs a non-empty path', () => {
    for (const bad of ['', undefined, 7, null]) expect(refused({ path: bad }).field).toBe('path');
    expect(() => sqliteStore({ path: ':memory:' })).not.toThrow();
  });

  it('takes a whole busyTimeoutMs from 0 to a minute', () => {
    for (const busyTimeoutMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 60_001, 2 ** 31, '100']) {
      expect(refused({ path, busyTimeoutMs }).field).toBe('busyTimeoutMs');
    }
    expect(() => sqliteStore({ path, busyTimeoutMs: 0 })).not.toThrow();
    expect(() => sqliteStore({ path, busyTimeoutMs: 60_000 })).not.toThrow();
  });

  it('refuses options it does not know (a misspelt one would silently do nothing)', () => {
    expect(refused({ path, synchronus: 'normal' }).message).toMatch(/synchronus/);
    expect(refused(null).field).toBe('(root)');
    expect(existsSync(join(path, '..'))).toBe(false);
  });
});

describe('sqliteStore: a file it cannot trust', () => {
  async function openError(path: string): Promise<StoreOpenError> {
    const error = await failure(() => sqliteStore({ path }).open());
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).path).toBe(path);
    expect((error as StoreOpenError).message).toContain(path);
    return error as StoreOpenError;
  }

  it('is not a database: open() fails with a StoreOpenError naming the path', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'these are my shopping notes, not a database\n'.repeat(100));
    expect((await openError(path)).message).toMatch(/not a SQLite database/);
    const zeros = join(tempDir(), 'tasks.db');
    writeFileSync(zeros, Buffer.alloc(8192, 0x5a));
    const error = await openError(zeros);
    expect(error.message).toBe(`cannot open errand store at ${zeros}: the file is not a SQLite database (file is not a database)`);
    expect(sqliteErrorCode(error.cause)).toBe('SQLITE_NOTADB');
  });

  it('was written by a newer errand', async () => {
    const path = join(tempDir(), 'tasks.db');
    await (await opened({ path })).close();
    raw(path, (db) => db.prepare("UPDATE errand_meta SET value = ? WHERE key = 'schema_version'").run(String(SQLITE_SCHEMA_VERSION + 1)));
    expect((await openError(path)).message).toMatch(/newer errand \(schema version 3; this one reads up to 2\)/);
  });

  it('has an empty or non-numeric schema version (not read as a new file)', async () => {
    for (const value of ['', 'two', ' 2', '2.0', '-1', '1e0']) {
      const path = join(tempDir(), 'tasks.db');
      const store = await opened({ path });
      await store.write(batch([storedRecord('job/a')]));
      await store.close();
      raw(path, (db) => db.prepare("UPDATE errand_meta SET value = ? WHERE key = 'schema_version'").run(value));
      expect((await openError(path)).message).toMatch(/unreadable schema version/);
      expect(storedKeys(path)).toEqual(['job/a']);
    }
  });

  it('has errand tables but no schema version', async () => {
    const path = join(tempDir(), 'tasks.db');
    await (await opened({ path })).close();
    raw(path, (db) => db.exec('DROP TABLE errand_meta'));
    expect((await openError(path)).message).toMatch(/errand tables but no schema version/);
  });

  it('is damaged in the middle: the call that meets the damage fails with a StoreOpenError, never a raw SqliteError', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = await opened({ path });
    const input = JSON.stringify({ json: { text: 'x'.repeat(200) } });
    const records = Array.from({ length: 5_000 }, (_, i) => storedRecord(`job/${i}`, { dueAt: i % 97, input, status: i % 3 ? 'pending' : 'running' }));
    await store.write(batch(records));
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);

    // Scribble over the page header of every third page in the middle half of the file.
    const pageSize = raw(path, (db) => Number(db.pragma('page_size', { simple: true })));
    const pages = statSync(path).size / pageSize;
    expect(pages).toBeGreaterThan(200);
    const bytes = readFileSync(path);
    for (let page = Math.floor(pages / 4); page < Math.floor((3 * pages) / 4); page += 3) bytes.fill(0xa5, page * pageSize, page * pageSize + 12);
    writeFileSync(path, bytes);

    const damaged = sqliteStore({ path });
    const calls: (() => Promise<unknown>)[] = [
      () => damaged.open(),
      () => listAll(damaged),
      () => dueAll(damaged, Number.POSITIVE_INFINITY, 500),
      () => damaged.list({ status: 'running', limit: 10_000 }),
      () => damaged.held(),
      () => damaged.write(batch(records.map((r) => ({ ...r, attempt: 1 })))),
    ];
    let error: unknown = null;
    for (const call of calls) {
      error = await failure(call);
      if (error) break;
    }
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).path).toBe(path);
    expect((error as StoreOpenError).message).toMatch(new RegExp(`^cannot open errand store at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file is damaged`));
    expect(sqliteErrorCode((error as StoreOpenError).cause)).toMatch(/^SQLITE_CORRUPT/);
    await damaged.close();
  });
});

describe('sqliteStore: quarantine', () => {
  const BAD = {
    'job/bad-attempt': { reason: /^invalid record: attempt: / },
    'job/bad-json': { reason: /^unreadable: / },
    'job/bad-version': { reason: /^invalid record: version: / },
    'job/blob-data': { reason: /^unreadable: stored value is a blob, not text$/ },
    'job/blob-input': { reason: /^unreadable: stored input is a blob, not text$/ },
    'job/columns': { reason: /^invalid row: its indexed columns disagree with its record$/ },
    'job/wrong-key': { reason: /does not match its key/ },
  } as const;

  function corrupt(path: string): void {
    raw(path, (db) => {
      const insert = db.prepare(UPSERT_SQL);
      const put = (key: string, params: unknown[]) => insert.run(key, ...(params.slice(1) as never[]));
      put('job/bad-json', [null, '{"version": 2, "taskId": ', null, 1, 'pending', null, 0, 0]);
      put('job/bad-attempt', rowParams({ ...storedRecord('job/bad-attempt'), attempt: -1 }));
      put('job/bad-version', rowParams({ ...storedRecord('job/bad-version'), version: 1 as 2 }));
      put('job/wrong-key', rowParams(storedRecord('job/other')));
      const blobData = rowParams(storedRecord('job/blob-data'));
      blobData[1] = Buffer.from([0xff, 0x00, 0x01]);
      put('job/blob-data', blobData);
      const blobInput = rowParams(storedRecord('job/blob-input'));
      blobInput[2] = Buffer.from('{"json":1}');
      put('job/blob-input', blobInput);
      const columns = rowParams(storedRecord('job/columns', { dueAt: 5 }));
      columns[3] = 6;
      put('job/columns', columns);
    });
  }

  it('moves bad rows aside as they were found, reports each once, and reads the rest', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = await opened({ path });
    const good = storedRecord('job/good', { input: '{"json":{"n":"1"},"meta":{"values":{"n":["bigint"]},"v":1}}' });
    await store.write(batch([good]));
    corrupt(path);

    const { records, quarantined } = await store.list({ limit: 100 });
    expect(records).toEqual([good]);
    expect(quarantined.map((q) => q.key)).toEqual(Object.keys(BAD));
    for (const q of quarantined) expect(q.reason).toMatch(BAD[q.key as keyof typeof BAD].reason);

    const kept = await store.quarantine();
    expect(kept.map((q) => q.key)).toEqual(Object.keys(BAD));
    expect(kept.find((q) => q.key === 'job/bad-json')?.data).toBe('{"version": 2, "taskId": ');
    expect(kept.find((q) => q.key === 'job/blob-data')?.data).toEqual(Buffer.from([0xff, 0x00, 0x01]));
    expect(kept.find((q) => q.key === 'job/blob-input')?.input).toEqual(Buffer.from('{"json":1}'));
    expect(kept.every((q) => typeof q.quarantinedAt === 'number')).toBe(true);
    expect(storedKeys(path)).toEqual(['job/good']);
    expect(await store.list({ limit: 100 })).toEqual({ records: [good], quarantined: [] });
    await store.close();

    // The quarantine outlives the instance.
    const again = await opened({ path });
    expect((await again.quarantine()).map((q) => q.key)).toEqual(Object.keys(BAD));
    await again.close();
  });
});
