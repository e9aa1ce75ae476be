import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDatabase } from '../adapters/stores/sqlite-driver.js';
import { encodeRecord } from '../adapters/stores/sqlite-store.js';
import { SQLITE_SCHEMA_VERSION, sqliteStore, StoreOpenError, type SqliteStore } from '../src/node/index.js';
import { createOrchestrator, type Orchestrator, type WorkContext } from '../src/index.js';
import { testClock, type TestClock } from '../src/testing/index.js';
import { storeContract, storedRecord } from './store-contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'errand-sqlite-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

storeContract('sqliteStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'errand-contract-'));
  const path = join(dir, 'tasks.db');
  return {
    store: sqliteStore({ path }),
    reopen: () => sqliteStore({ path }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

/** A raw connection to the same file, for looking behind the store's back. */
function raw(path: string): SqliteDatabase {
  return openSqlite(path);
}

function storedKeys(path: string): string[] {
  const db = raw(path);
  try {
    return db
      .prepare<{ key: string }>('SELECT key FROM errand_tasks ORDER BY key')
      .all()
      .map((row) => row.key);
  } finally {
    db.close();
  }
}

function storedStatus(path: string, key: string): { status: string; attempt: number } | undefined {
  const db = raw(path);
  try {
    const row = db.prepare<{ data: string }>('SELECT data FROM errand_tasks WHERE key = ?').get(key);
    if (!row) return undefined;
    const parsed = JSON.parse(row.data) as { record: { status: string; attempt: number } };
    return { status: parsed.record.status, attempt: parsed.record.attempt };
  } finally {
    db.close();
  }
}

interface Logged {
  level: string;
  message: string;
}

function orchestratorOn(store: SqliteStore, clock: TestClock, logged: Logged[] = []): Orchestrator {
  return createOrchestrator({
    store,
    clock,
    logger: {
      warn: (message) => void logged.push({ level: 'warn', message }),
      error: (message) => void logged.push({ level: 'error', message }),
    },
  });
}

describe('sqliteStore: the file', () => {
  it('creates its folder, uses WAL and records its schema version', async () => {
    const path = join(tempDir(), 'nested', 'deeper', 'tasks.db');
    const store = sqliteStore({ path });
    await store.write({ put: [storedRecord('job/a')], delete: [] });
    const db = raw(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const version = db.prepare<{ value: string }>("SELECT value FROM errand_meta WHERE key = 'schema_version'").get();
    expect(version?.value).toBe(String(SQLITE_SCHEMA_VERSION));
    db.close();
    await store.close();
  });

  it('stores errand records as JSON with the input as superjson, not XState snapshots', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = sqliteStore({ path });
    await store.write({
      put: [storedRecord('job/a', {}, { at: new Date(5) }), storedRecord('job/b', {}, { plain: [1, 'two'] }), storedRecord('job/c')],
      delete: [],
    });
    await store.close();
    const db = raw(path);
    const rows = db.prepare<{ key: string; data: string }>('SELECT key, data FROM errand_tasks ORDER BY key').all();
    db.close();
    const docs = rows.map((row) => JSON.parse(row.data) as { record: Record<string, unknown>; input?: unknown });
    expect(docs[0]?.record).toMatchObject({ version: 1, taskId: 'job/a', status: 'pending', request: { taskId: 'job/a' } });
    expect(docs[0]?.record.request).not.toHaveProperty('input');
    expect(docs[0]?.input).toEqual({ json: { at: new Date(5).toISOString() }, meta: { values: { at: ['Date'] }, v: 1 } });
    expect(docs[1]?.input).toEqual({ json: { plain: [1, 'two'] } });
    expect(docs[2]).not.toHaveProperty('input');
  });

  it('fails load() with a StoreOpenError naming the path when the file is not a database', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'these are my shopping notes, not a database\n'.repeat(100));
    const store = sqliteStore({ path });
    const error = await store.load().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).message).toContain(path);
    expect((error as StoreOpenError).message).toMatch(/not a SQLite database/);
    expect((error as StoreOpenError).path).toBe(path);
  });

  it('fails start() with the same clear error', async () => {
    const path = join(tempDir(), 'tasks.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const orchestrator = createOrchestrator({ store: sqliteStore({ path }), clock: testClock() });
    orchestrator.register('job', () => 1);
    const error = await orchestrator.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toBe(`cannot open errand store at ${path}: the file is not a SQLite database (file is not a database)`);
  });

  it('refuses a file written by a newer schema version', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = sqliteStore({ path });
    await store.load();
    await store.close();
    const db = raw(path);
    db.prepare("UPDATE errand_meta SET value = ? WHERE key = 'schema_version'").run(String(SQLITE_SCHEMA_VERSION + 1));
    db.close();
    await expect(sqliteStore({ path }).load()).rejects.toThrow(/newer errand/);
  });

  it('fails after close() instead of reopening behind the caller', async () => {
    const store = sqliteStore({ path: join(tempDir(), 'tasks.db') });
    await store.load();
    await store.close();
    await expect(store.write({ put: [storedRecord('job/a')], delete: [] })).rejects.toThrow(/closed/);
  });

  it('keeps records after a synchronous=normal store reopens as full', async () => {
    const path = join(tempDir(), 'tasks.db');
    const normal = sqliteStore({ path, synchronous: 'normal' });
    await normal.write({ put: [storedRecord('job/a')], delete: [] });
    await normal.close();
    const full = sqliteStore({ path });
    expect((await full.load()).records.map((r) => r.taskId)).toEqual(['job/a']);
    await full.close();
  });
});

describe('sqliteStore: quarantine', () => {
  const BAD_KEYS = ['job/bad-attempt', 'job/bad-input', 'job/bad-json', 'job/bad-version', 'job/not-text', 'job/wrong-key'];

  function corrupt(path: string): void {
    const db = raw(path);
    const insert = db.prepare('INSERT INTO errand_tasks (key, data, updated_at) VALUES (?, ?, 0)');
    insert.run('job/bad-json', '{"record": {"version": 1, "taskId": ');
    insert.run('job/bad-attempt', encodeRecord({ ...storedRecord('job/bad-attempt'), attempt: -1 }));
    insert.run('job/bad-version', encodeRecord({ ...storedRecord('job/bad-version'), version: 2 as 1 }));
    insert.run('job/wrong-key', encodeRecord(storedRecord('job/other')));
    insert.run('job/bad-input', '{"record":' + JSON.stringify(storedRecord('job/bad-input')) + ',"input":{"json":1,"meta":{"values":["nope"]}}}');
    insert.run('job/not-text', Buffer.from([0xff, 0x00, 0x01]));
    db.close();
  }

  it('moves bad rows aside, reports them, and loads the rest', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = sqliteStore({ path });
    await store.write({ put: [storedRecord('job/good', {}, { n: 1n })], delete: [] });
    await store.close();
    corrupt(path);

    const again = sqliteStore({ path });
    const { records, quarantined } = await again.load();
    expect(records.map((r) => r.taskId)).toEqual(['job/good']);
    expect(quarantined.map((q) => q.key).sort()).toEqual(BAD_KEYS);
    const reasons = new Map(quarantined.map((q) => [q.key, q.reason]));
    expect(reasons.get('job/bad-json')).toMatch(/^unreadable: /);
    expect(reasons.get('job/bad-attempt')).toMatch(/^invalid record: attempt: /);
    expect(reasons.get('job/bad-version')).toMatch(/^invalid record: version: /);
    expect(reasons.get('job/wrong-key')).toMatch(/does not match its key/);
    expect(reasons.get('job/bad-input')).toMatch(/^unreadable input: /);
    expect(reasons.get('job/not-text')).toBe('unreadable: stored value is a blob, not text');

    // Moved, not deleted: the raw text is kept in the quarantine table.
    const kept = await again.quarantine();
    expect(kept.map((q) => q.key).sort()).toEqual(BAD_KEYS);
    expect(kept.find((q) => q.key === 'job/bad-json')?.data).toBe('{"record": {"version": 1, "taskId": ');
    expect(kept.find((q) => q.key === 'job/not-text')?.data).toEqual(Buffer.from([0xff, 0x00, 0x01]));
    expect(storedKeys(path)).toEqual(['job/good']);

    // Reported once: the next load finds only good records.
    expect(await again.load()).toMatchObject({ quarantined: [] });
    await again.close();
  });

  it('reports quarantined rows through diagnostics() and the logger while the rest run', async () => {
    const path = join(tempDir(), 'tasks.db');
    const first = sqliteStore({ path });
    await first.write({
      put: [storedRecord('job/one', { nextRunAt: 0 }, { n: 1 }), storedRecord('job/two', { nextRunAt: 0 }, { n: 2 })],
      delete: [],
    });
    await first.close();
    corrupt(path);

    const logged: Logged[] = [];
    const clock = testClock();
    const ran: unknown[] = [];
    const orchestrator = orchestratorOn(sqliteStore({ path }), clock, logged);
    orchestrator.register('job', ({ input }) => void ran.push(input));
    await orchestrator.start();
    await clock.advance(0);

    expect(ran).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]));
    expect(ran).toHaveLength(2);
    const { quarantined } = orchestrator.diagnostics();
    expect(quarantined.map((q) => q.key).sort()).toEqual(BAD_KEYS);
    const warnings = logged.filter((l) => l.level === 'warn').map((l) => l.message);
    for (const key of BAD_KEYS) {
      expect(warnings.some((w) => w.includes(key) && w.includes('quarantined'))).toBe(true);
    }
    await orchestrator.shutdown();
    expect(storedKeys(path)).toEqual([]);
  });
});

describe('sqliteStore: restart semantics across two orchestrators', () => {
  it('erases ephemeral records at start before anything dispatches', async () => {
    const path = join(tempDir(), 'tasks.db');
    const clockA = testClock();
    const a = orchestratorOn(sqliteStore({ path }), clockA);
    a.register('job', () => 'a');
    await a.start();
    await a.schedule({ taskId: 'job/ephemeral', initialDelayMs: 1_000, ephemeral: true });
    await a.schedule({ taskId: 'job/durable', initialDelayMs: 1_000 });
    await a.shutdown(); // stored work stays, as if the process had died
    expect(storedKeys(path)).toEqual(['job/durable', 'job/ephemeral']);

    const clockB = testClock(clockA.now() + 60_000);
    const seenInStore: string[][] = [];
    const ran: string[] = [];
    const b = orchestratorOn(sqliteStore({ path }), clockB);
    b.register('job', ({ taskId }) => {
      seenInStore.push(storedKeys(path));
      ran.push(taskId);
    });
    const starting = b.start();
    expect(ran).toEqual([]);
    await starting;
    expect(storedKeys(path)).toEqual(['job/durable']);
    await clockB.advance(0);
    expect(ran).toEqual(['job/durable']);
    expect(seenInStore).toEqual([['job/durable']]);
    expect(b.getTask('job/ephemeral')).toBeUndefined();
    await b.shutdown();
    expect(storedKeys(path)).toEqual([]);
  });

  it('runs a record saved while running again, and its attempt counts', async () => {
    const path = join(tempDir(), 'tasks.db');
    const clockA = testClock();
    const attemptsA: number[] = [];
    const a = orchestratorOn(sqliteStore({ path }), clockA);
    a.register('job', ({ attempt, signal }: WorkContext) => {
      attemptsA.push(attempt);
      // Never finishes on its own: the process "dies" while it runs.
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    await a.start();
    await a.schedule({ taskId: 'job/r', input: { at: new Date(42) }, backoff: { maxAttempts: 3, initialDelayMs: 10 } });
    await clockA.advance(0);
    expect(a.getTask('job/r')?.status).toBe('running');
    expect(storedStatus(path, 'job/r')).toEqual({ status: 'running', attempt: 1 });
    await a.shutdown();
    expect(attemptsA).toEqual([1]);
    expect(storedStatus(path, 'job/r')).toEqual({ status: 'running', attempt: 1 });

    const clockB = testClock(clockA.now() + 5_000);
    const runsB: { attempt: number; input: unknown }[] = [];
    const b = orchestratorOn(sqliteStore({ path }), clockB);
    b.register('job', ({ attempt, input }) => {
      runsB.push({ attempt, input });
      return 'ok';
    });
    await b.start();
    await clockB.advance(0);
    expect(runsB).toEqual([{ attempt: 2, input: { at: new Date(42) } }]);
    expect(b.getTask('job/r')).toMatchObject({ status: 'done', attempt: 2, outcome: { ok: true, value: 'ok' } });
    await b.shutdown();
    expect(storedKeys(path)).toEqual([]);
  });

  it('a running record that used its last attempt still runs once more (at-least-once)', async () => {
    const path = join(tempDir(), 'tasks.db');
    const store = sqliteStore({ path });
    await store.write({
      put: [storedRecord('job/last', { status: 'running', attempt: 3, nextRunAt: null })],
      delete: [],
    });
    await store.close();
    const clock = testClock();
    const attempts: number[] = [];
    const b = orchestratorOn(sqliteStore({ path }), clock);
    b.register('job', ({ attempt }) => void attempts.push(attempt));
    await b.start();
    await clock.advance(0);
    expect(attempts).toEqual([4]);
    await b.shutdown();
  });

  it('keeps a backoff record waiting for its stored due time', async () => {
    const path = join(tempDir(), 'tasks.db');
    const clockA = testClock();
    const a = orchestratorOn(sqliteStore({ path }), clockA);
    a.register('job', () => {
      throw new Error('flaky');
    });
    await a.start();
    await a.schedule({ taskId: 'job/b', backoff: { initialDelayMs: 10_000, maxAttempts: 5 } });
    await clockA.advance(0);
    expect(a.getTask('job/b')).toMatchObject({ status: 'backoff', attempt: 1 });
    const dueAt = a.getTask('job/b')!.nextRunAt!;
    await a.shutdown();

    const clockB = testClock(clockA.now() + 2_000);
    const attempts: number[] = [];
    const b = orchestratorOn(sqliteStore({ path }), clockB);
    b.register('job', ({ attempt }) => void attempts.push(attempt));
    await b.start();
    expect(b.getTask('job/b')?.nextRunAt).toBe(dueAt);
    await clockB.advance(dueAt - clockB.now() - 1);
    expect(attempts).toEqual([]);
    await clockB.advance(1);
    expect(attempts).toEqual([2]);
    await b.shutdown();
  });

  it('a periodic task long overdue runs once on restart, then follows its interval', async () => {
    const path = join(tempDir(), 'tasks.db');
    const interval = 60_000;
    const clockA = testClock();
    let runsA = 0;
    const a = orchestratorOn(sqliteStore({ path }), clockA);
    a.register('job', () => void runsA++);
    await a.start();
    await a.schedule({ taskId: 'job/tick', kind: 'periodic', intervalMs: interval, input: new Map([['k', 1n]]) });
    await clockA.advance(0);
    expect(runsA).toBe(1);
    expect(a.getTask('job/tick')?.status).toBe('pending');
    await a.shutdown();

    // Ten hours later: 600 periods were missed.
    const clockB = testClock(clockA.now() + 10 * 60 * 60 * 1000);
    const runsB: number[] = [];
    const inputs: unknown[] = [];
    const b = orchestratorOn(sqliteStore({ path }), clockB);
    b.register('job', ({ input }) => {
      runsB.push(clockB.now());
      inputs.push(input);
    });
    const restartedAt = clockB.now();
    await b.start();
    await clockB.advance(0);
    expect(runsB).toEqual([restartedAt]);
    await clockB.advance(interval - 1);
    expect(runsB).toHaveLength(1);
    await clockB.advance(1);
    expect(runsB).toEqual([restartedAt, restartedAt + interval]);
    await clockB.advance(interval);
    expect(runsB).toEqual([restartedAt, restartedAt + interval, restartedAt + 2 * interval]);
    expect(inputs[0]).toEqual(new Map([['k', 1n]]));
    await b.shutdown();
    expect(storedKeys(path)).toEqual(['job/tick']);
  });

  it('schedule() resolves only once the record is in the file', async () => {
    const path = join(tempDir(), 'tasks.db');
    const clock = testClock();
    const a = orchestratorOn(sqliteStore({ path }), clock);
    a.register('job', () => 1);
    await a.start();
    const scheduled = Array.from({ length: 200 }, (_, i) => a.schedule({ taskId: `job/${i}`, initialDelayMs: 1_000 }));
    expect(storedKeys(path)).toEqual([]);
    await Promise.all(scheduled);
    expect(storedKeys(path)).toHaveLength(200);
    await a.shutdown();
  });
});
