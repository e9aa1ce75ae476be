// The page of test/indexeddb-upgrade.test.ts: indexedDbStore's schema migrations on a database laid
// out as errand v1 wrote it, and upgrades between tabs. The node side opens this page in one tab per
// role; each function returns what it saw as plain data.
import { deleteDB, openDB, unwrap, type IDBPDatabase } from 'idb';
import { INDEXEDDB_MIGRATIONS, type Migration } from '../../adapters/stores/indexeddb-migrations.js';
import { TASKS } from '../../adapters/stores/indexeddb-schema.js';
import { indexedDbStore, migratingIndexedDbStore, type IndexedDbStore } from '../../adapters/stores/indexeddb-store.js';
import type { TaskRecord } from '../../src/core/schemas.js';
import { storedRecord } from '../store-contract-support.js';
import type { Seen } from './indexeddb-faults.page.js';

async function seen(run: () => Promise<unknown>): Promise<Seen | null> {
  try {
    await run();
    return null;
  } catch (error) {
    const e = error as Error & { path?: string };
    return { name: e.name, message: e.message, detail: e.path ?? null };
  }
}

/** What the v1 fixture holds: a runnable record with input, a later one, and a held one. */
export const fixtureRecords = (): TaskRecord[] => [
  storedRecord('job/a', { dueAt: 1_000, input: JSON.stringify({ json: { photo: 42 } }) }),
  storedRecord('job/b', { dueAt: 5_000, attempt: 2, updatedAt: 7 }),
  storedRecord('job/held', { dueAt: 3_000, held: 'not registered' }),
];

/**
 * A database as errand's schema version 1 lays it out, written here by hand with the bare IndexedDB
 * API rather than by the current migrations, so the fixture stays what v1 wrote even after they change.
 * It holds the fixture records and one quarantined row.
 */
async function v1Database(name: string): Promise<void> {
  const db = await new Promise<IDBDatabase>((done, fail) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => {
      const tasks = request.result.createObjectStore('tasks', { keyPath: 'key' });
      tasks.createIndex('due', ['due', 'key']);
      tasks.createIndex('status', ['status', 'key']);
      tasks.createIndex('held', 'heldKey');
      tasks.createIndex('ephemeral', 'ephemeralKey');
      request.result.createObjectStore('quarantine', { autoIncrement: true });
    };
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error);
  });
  const tx = db.transaction(['tasks', 'quarantine'], 'readwrite');
  for (const record of fixtureRecords()) {
    // v1's row: the record, plus the index copies a row of its kind carries.
    const row: Record<string, unknown> = { key: record.taskId, record, status: record.status };
    if (record.held === null) row['due'] = record.dueAt;
    else row['heldKey'] = record.taskId;
    tx.objectStore('tasks').put(row);
  }
  tx.objectStore('quarantine').add({ key: 'job/bad', data: { key: 'job/bad', record: { version: 99 } }, reason: 'invalid record', quarantinedAt: 1 });
  await new Promise<void>((done, fail) => {
    tx.oncomplete = () => done();
    tx.onabort = () => fail(tx.error);
  });
  db.close();
}

/**
 * A test-only v2 step, as a real one might be: a schema change (an index v1 lacks, made on the bare
 * store since the typed schema knows only v1's) and a walk over every row, writing each back.
 * `failAfter` rows, it corrupts the row it is on and throws, to show the upgrade is all or nothing.
 */
function v2Step(log: number[], failAfter?: number): Migration {
  return async (_db, tx) => {
    log.push(2);
    unwrap(tx.objectStore(TASKS)).createIndex('updatedAt', 'record.updatedAt');
    let rows = 0;
    for (let cursor = await tx.objectStore(TASKS).openCursor(); cursor; cursor = await cursor.continue()) {
      if (rows === failAfter) {
        // Out of step with its record: a read would quarantine it, were it kept.
        await cursor.update({ ...cursor.value, status: 'running' });
        throw new Error('the v2 step fails on purpose');
      }
      await cursor.update(cursor.value);
      rows++;
    }
  };
}

/** errand's own migrations with the v1 step logged, then the test-only v2 step. */
function toV2(log: number[], failAfter?: number): Migration[] {
  const [createV1] = INDEXEDDB_MIGRATIONS;
  const v1: Migration = (db, tx) => {
    log.push(1);
    return createV1(db);
  };
  return [v1, v2Step(log, failAfter)];
}

interface Layout {
  version: number;
  stores: string[];
  taskIndexes: string[];
  quarantined: number;
}

async function layoutOf(name: string): Promise<Layout> {
  // Untyped: this reads whatever layout the database has.
  const db = await openDB(name);
  try {
    const tx = db.transaction(['tasks', 'quarantine']);
    const quarantined = await tx.objectStore('quarantine').count();
    return { version: db.version, stores: [...db.objectStoreNames], taskIndexes: [...tx.objectStore('tasks').indexNames], quarantined };
  } finally {
    db.close();
  }
}

/** Everything a store reads back: all records, and by each index. */
async function contents(store: IndexedDbStore) {
  const all = await store.list({ limit: 100 });
  const due = await store.due({ after: null, until: 10_000, limit: 100 });
  const held = await store.held();
  return {
    records: all.records,
    due: due.records.map((r) => r.taskId),
    held: held.records.map((r) => r.taskId),
    quarantinedNow: [...all.quarantined, ...due.quarantined, ...held.quarantined].length,
    quarantine: (await store.quarantine()).map((e) => e.key),
  };
}

let count = 0;
const fresh = (label: string) => `errand-upgrade-${label}-${Date.now().toString(36)}-${count++}`;

/** This tab's connections, kept between calls from the node side. */
let raw: IDBPDatabase | null = null;
let store: IndexedDbStore | null = null;

(globalThis as { errandUpgrade?: unknown }).errandUpgrade = {
  fresh,

  /** The v1 fixture opened with [v1, v2]: only the v2 step runs; then a second open runs none. */
  async migratesV1(): Promise<{ steps: number[]; stepsAgain: number[]; layout: Layout; read: Awaited<ReturnType<typeof contents>>; written: TaskRecord[] }> {
    const name = fresh('v1');
    await v1Database(name);
    const steps: number[] = [];
    const upgraded = migratingIndexedDbStore({ name }, toV2(steps));
    await upgraded.open();
    const read = await contents(upgraded);
    await upgraded.close();
    const stepsAgain: number[] = [];
    const again = migratingIndexedDbStore({ name }, toV2(stepsAgain));
    await again.open();
    await again.close();
    const layout = await layoutOf(name);
    await deleteDB(name);
    return { steps, stepsAgain, layout, read, written: fixtureRecords() };
  },

  /** A new database opened with [v1, v2]: both steps run, in order. */
  async migratesNew(): Promise<{ steps: number[]; layout: Layout }> {
    const name = fresh('new');
    const steps: number[] = [];
    const created = migratingIndexedDbStore({ name }, toV2(steps));
    await created.open();
    await created.close();
    const layout = await layoutOf(name);
    await deleteDB(name);
    return { steps, layout };
  },

  /** A v2 step that fails halfway: StoreOpenError, and the database is v1 as it was. */
  async failedStep(): Promise<{ error: Seen | null; layout: Layout; read: Awaited<ReturnType<typeof contents>>; written: TaskRecord[] }> {
    const name = fresh('failing');
    await v1Database(name);
    const error = await seen(() => migratingIndexedDbStore({ name }, toV2([], 1)).open());
    const layout = await layoutOf(name);
    const current = indexedDbStore({ name });
    await current.open();
    const read = await contents(current);
    await current.close();
    await deleteDB(name);
    return { error, layout, read, written: fixtureRecords() };
  },

  // One tab's side of the two-tab cases.

  /** Writes `taskIds` through errand's store at the current version, and closes it. */
  async seed(name: string, taskIds: string[]): Promise<void> {
    const seeding = indexedDbStore({ name });
    await seeding.open();
    await seeding.write({ put: taskIds.map((id) => storedRecord(id)), delete: [] });
    await seeding.close();
  },

  /** Opens the database at its current version through a bare connection that ignores `versionchange`. */
  async holdRaw(name: string): Promise<number> {
    raw = await openDB(name);
    return raw.version;
  },

  /** What the bare connection still reads. */
  async rawKeys(): Promise<string[]> {
    if (!raw) throw new Error('no raw connection');
    return (await raw.getAllKeys(TASKS)).map(String);
  },

  releaseRaw(): void {
    raw?.close();
    raw = null;
  },

  /** Opens errand's store at the current version (or at v2, with the test-only step) and keeps it. */
  async openStore(name: string, schema: 'current' | 'v2'): Promise<Seen | null> {
    store ??= schema === 'current' ? indexedDbStore({ name }) : migratingIndexedDbStore({ name }, toV2([]));
    return seen(() => store!.open());
  },

  /** The task ids the kept store lists, or the error it refuses with. */
  async storeIds(): Promise<{ ids: string[] | null; error: Seen | null }> {
    let ids: string[] | null = null;
    const error = await seen(async () => {
      ids = (await store!.list({ limit: 100 })).records.map((r) => r.taskId);
    });
    return { ids, error };
  },

  /** A write through the kept store: null, or the error it refuses with. */
  async storeWrite(taskId: string): Promise<Seen | null> {
    return seen(() => store!.write({ put: [storedRecord(taskId)], delete: [] }));
  },

  async closeStore(): Promise<void> {
    await store?.close();
    store = null;
  },

  /** A new errand store at the current version, as a reload of an old tab would make. */
  async openCurrentAgain(name: string): Promise<Seen | null> {
    const again = indexedDbStore({ name });
    const error = await seen(() => again.open());
    await again.close();
    return error;
  },

  async layout(name: string): Promise<Layout> {
    return layoutOf(name);
  },

  async drop(name: string): Promise<void> {
    await deleteDB(name);
  },
};
