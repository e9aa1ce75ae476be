import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, sqliteErrorCode } from '../adapters/stores/sqlite-driver.js';
import { StoreOpenError, ValidationError } from '../src/core/errors.js';
import { sqliteStore } from '../src/node/index.js';
import { expoSqliteDriver, expoSqliteStore, SQLITE_SCHEMA_VERSION, type ExpoSqliteDatabase } from '../src/react-native/index.js';
import { ExpoOnBetterSqlite } from './support/expo-sqlite-fake.js';
import { batch, storedRecord, storeContract, type BadRowPlace } from './store-contract.js';
import { listAll } from './store-contract-support.js';
import { failOnUnhandledRejections, validationErrorOf } from './support.js';

failOnUnhandledRejections();

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'errand-expo-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function putBadRow(path: string, key: string, { dueAt, status, held }: BadRowPlace): void {
  const db = openSqlite(path);
  try {
    db.prepare('INSERT INTO errand_tasks (key, data, input, due_at, status, held, ephemeral, updated_at) VALUES (?, ?, NULL, ?, ?, ?, 0, 0)').run(
      key,
      '{"version": 2, "taskId": ',
      dueAt,
      status,
      held,
    );
  } finally {
    db.close();
  }
}

storeContract('expoSqliteStore (expo-sqlite on better-sqlite3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'errand-expo-contract-'));
  const path = join(dir, 'errand.db');
  return {
    store: expoSqliteStore({ database: new ExpoOnBetterSqlite(path) }),
    reopen: () => expoSqliteStore({ database: new ExpoOnBetterSqlite(path) }),
    putBadRow: (key, place) => putBadRow(path, key, place),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('expoSqliteStore: on a phone, the same file as sqliteStore', () => {
  it('writes the tables sqliteStore reads, with WAL and synchronous=FULL, and closes the database on close()', async () => {
    const path = join(tempDir(), 'errand.db');
    const database = new ExpoOnBetterSqlite(path);
    const store = expoSqliteStore({ database });
    expect(store.path).toBe(path);
    await store.open();
    expect(database.getFirstSync<{ journal_mode: string }>('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(database.getFirstSync<{ synchronous: number }>('PRAGMA synchronous')).toEqual({ synchronous: 2 });
    expect(database.getFirstSync<{ timeout: number }>('PRAGMA busy_timeout')).toEqual({ timeout: 5_000 });
    await store.write(batch([storedRecord('sync/a'), storedRecord('sync/b')]));
    await store.close();
    expect(database.closed).toBe(true);

    const node = sqliteStore({ path });
    await node.open();
    expect((await node.list({ limit: 10 })).records.map((record) => record.taskId)).toEqual(['sync/a', 'sync/b']);
    expect(openSqlite(path).prepare<{ value: string }>("SELECT value FROM errand_meta WHERE key = 'schema_version'").get()).toEqual({
      value: String(SQLITE_SCHEMA_VERSION),
    });
    await node.close();
  });

  it("a file that is not a database fails open() with a StoreOpenError, told by expo-sqlite's message", async () => {
    const path = join(tempDir(), 'errand.db');
    writeFileSync(path, 'not a database, just some text that is long enough to have a header'.repeat(20));
    const store = expoSqliteStore({ database: new ExpoOnBetterSqlite(path) });
    const error = await store.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(String((error as Error).message)).toMatch(/not a SQLite database/);
  });

  it('damaged in the middle: the call that meets it fails with a StoreOpenError, though expo-sqlite codes every error alike', async () => {
    const path = join(tempDir(), 'errand.db');
    const store = expoSqliteStore({ database: new ExpoOnBetterSqlite(path) });
    await store.open();
    const input = JSON.stringify({ json: { text: 'x'.repeat(200) } });
    await store.write(batch(Array.from({ length: 3_000 }, (_, i) => storedRecord(`job/${i}`, { dueAt: i % 97, input }))));
    await store.close();
    const pageSize = 4096;
    const pages = statSync(path).size / pageSize;
    const bytes = readFileSync(path);
    for (let page = Math.floor(pages / 4); page < Math.floor((3 * pages) / 4); page += 3) bytes.fill(0xa5, page * pageSize, page * pageSize + 12);
    writeFileSync(path, bytes);

    const damaged = expoSqliteStore({ database: new ExpoOnBetterSqlite(path) });
    const error = await damaged
      .open()
      .then(() => listAll(damaged))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/: the file is damaged/);
    const cause = (error as StoreOpenError).cause;
    expect(sqliteErrorCode(cause)).toBe('SQLITE_CORRUPT');
    expect(sqliteErrorCode((cause as Error).cause)).toBe('ERR_INTERNAL_SQLITE_ERROR'); // expo-sqlite's error, kept
    await damaged.close();
  });

  it('refuses bad options by name', () => {
    expect(validationErrorOf(() => expoSqliteStore({ database: {} as ExpoSqliteDatabase })).field).toBe('database.execSync');
    const database = new ExpoOnBetterSqlite(':memory:');
    expect(validationErrorOf(() => expoSqliteStore({ database, busyTimeoutMs: -1 })).field).toBe('busyTimeoutMs');
    database.closeSync();
  });
});

describe('expoSqliteDriver', () => {
  it('a transaction inside a transaction is a savepoint: the inner one rolls back alone', () => {
    const driver = expoSqliteDriver(new ExpoOnBetterSqlite(':memory:'));
    driver.exec('CREATE TABLE t (v TEXT)');
    const insert = driver.prepare('INSERT INTO t (v) VALUES (?)');
    const inner = driver.transaction((value: string) => {
      insert.run(value);
      throw new Error('inner fails');
    });
    const outer = driver.transaction(() => {
      insert.run('outer');
      expect(() => inner('inner')).toThrow('inner fails');
      expect(driver.inTransaction).toBe(true);
    });
    outer.immediate();
    expect(driver.prepare<{ v: string }>('SELECT v FROM t').all()).toEqual([{ v: 'outer' }]);
    expect(driver.inTransaction).toBe(false);
    const failing = driver.transaction(() => {
      insert.run('gone');
      throw new Error('outer fails');
    });
    expect(() => failing.immediate()).toThrow('outer fails');
    expect(driver.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    driver.close();
    expect(driver.open).toBe(false);
  });

  it('runs, gets and binds like better-sqlite3: run results, undefined for no row, a safe bigint as a number', () => {
    const driver = expoSqliteDriver(new ExpoOnBetterSqlite(':memory:'));
    driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v)');
    expect(driver.prepare('INSERT INTO t (v) VALUES (?)').run(10n)).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(driver.prepare('SELECT v FROM t WHERE id = ?').get(1)).toEqual({ v: 10 });
    expect(driver.prepare('SELECT v FROM t WHERE id = ?').get(2)).toBeUndefined();
    expect(driver.pragma('user_version', { simple: true })).toBe(0);
    expect(() => driver.prepare('INSERT INTO t (v) VALUES (?)').run(2n ** 60n)).toThrow(ValidationError);
    driver.close();
  });
});
