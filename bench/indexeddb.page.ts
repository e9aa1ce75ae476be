// The page of bench/indexeddb.bench.ts, bundled by esbuild and run in headless Chromium: errand's
// schedule() on indexedDbStore against raw IndexedDB puts of the same rows, and start() over a filled database.
import { indexedDbStore, type IndexedDbStore } from '../src/browser/index.js';
import { toRow } from '../adapters/stores/indexeddb-rows.js';
import { TASKS } from '../adapters/stores/indexeddb-schema.js';
import type { StorePort } from '../src/core/ports.js';
import type { TaskRecord } from '../src/core/schemas.js';
import { createOrchestrator } from '../src/index.js';

export type Durability = 'strict' | 'relaxed';

/** Far enough ahead that nothing runs while the bench measures storing. */
const DELAY_MS = 3_600_000;
const inputOf = (i: number) => ({ n: i, at: new Date(1_767_225_600_000 + i), tags: ['bench'] });

let dbCount = 0;
const freshName = (label: string) => `errand-bench-${label}-${Date.now()}-${dbCount++}`;

function deleteDb(name: string): Promise<void> {
  return new Promise((done, fail) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => done();
    request.onerror = () => fail(request.error);
  });
}

/** The store, with every record it is asked to put kept aside (for the baseline) and its write() calls counted. */
function recording(store: IndexedDbStore): { store: StorePort; records: TaskRecord[]; writes: () => number } {
  const records: TaskRecord[] = [];
  let writes = 0;
  return {
    store: {
      ...store,
      write(batch) {
        writes++;
        records.push(...batch.put);
        return store.write(batch);
      },
    },
    records,
    writes: () => writes,
  };
}

/** Schedules `count` tasks due in an hour, `wave` concurrent calls at a time. */
async function scheduleWaves(orchestrator: ReturnType<typeof createOrchestrator>, count: number, wave: number, from = 0): Promise<void> {
  for (let w = from; w < from + count; w += wave) {
    const calls: Promise<unknown>[] = [];
    for (let i = w; i < Math.min(w + wave, from + count); i++) {
      calls.push(orchestrator.schedule({ taskId: `job/${i}`, initialDelayMs: DELAY_MS, input: inputOf(i) }));
    }
    await Promise.all(calls);
  }
}

export interface ErrandRound {
  perSecond: number;
  /** write() calls the persister made (transactions). */
  writes: number;
}

/** The records of the last errand round, for the next raw round to put. */
let lastRecords: TaskRecord[] = [];

async function errandRound(durability: Durability, count: number, wave: number): Promise<ErrandRound> {
  const name = freshName('errand');
  const rec = recording(indexedDbStore({ name, durability }));
  const orchestrator = createOrchestrator({ store: rec.store });
  orchestrator.register('job', () => undefined);
  await orchestrator.start();
  const started = performance.now();
  await scheduleWaves(orchestrator, count, wave);
  const perSecond = count / ((performance.now() - started) / 1000);
  await orchestrator.shutdown();
  await deleteDb(name);
  if (rec.records.length !== count) throw new Error(`errand wrote ${rec.records.length} records, expected ${count}`);
  lastRecords = rec.records;
  return { perSecond, writes: rec.writes() };
}

function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((done, fail) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error);
  });
}

/** The rows errand wrote last round, put with the bare IndexedDB API: one readwrite transaction per `wave` rows. */
async function rawRound(durability: Durability, wave: number): Promise<number> {
  const records = lastRecords;
  if (records.length === 0) throw new Error('run an errand round first');
  const name = freshName('raw');
  // Let indexedDbStore create the same object stores and indexes, then write behind its back.
  const setup = indexedDbStore({ name, durability });
  await setup.open();
  await setup.close();
  const db = await openRaw(name);
  const started = performance.now();
  for (let w = 0; w < records.length; w += wave) {
    const tx = db.transaction(TASKS, 'readwrite', { durability });
    const store = tx.objectStore(TASKS);
    for (let i = w; i < Math.min(w + wave, records.length); i++) store.put(toRow(records[i]!));
    await new Promise<void>((done, fail) => {
      tx.oncomplete = () => done();
      tx.onerror = () => fail(tx.error);
      tx.onabort = () => fail(tx.error);
    });
  }
  const perSecond = records.length / ((performance.now() - started) / 1000);
  db.close();
  await deleteDb(name);
  return perSecond;
}

/** Rows in the tasks object store of database `name`. */
async function countRows(name: string): Promise<number> {
  const db = await openRaw(name);
  try {
    const request = db.transaction(TASKS, 'readonly').objectStore(TASKS).count();
    return await new Promise<number>((done, fail) => {
      request.onsuccess = () => done(request.result);
      request.onerror = () => fail(request.error);
    });
  } finally {
    db.close();
  }
}

/** A database holding `count` dormant records, written by errand on indexedDbStore itself. */
async function fill(count: number, wave: number): Promise<string> {
  const name = freshName('startup');
  const orchestrator = createOrchestrator({ store: indexedDbStore({ name }) });
  orchestrator.register('job', () => undefined);
  await orchestrator.start();
  await scheduleWaves(orchestrator, count, wave);
  await orchestrator.shutdown();
  const rows = await countRows(name);
  if (rows !== count) throw new Error(`database ${name} holds ${rows} rows, expected ${count}`);
  return name;
}

/** ms from createOrchestrator(...) to start() resolving, on database `name`; the orchestrator is then shut down. */
async function startOnce(name: string): Promise<number> {
  const started = performance.now();
  const orchestrator = createOrchestrator({ store: indexedDbStore({ name }) });
  orchestrator.register('job', () => undefined);
  await orchestrator.start();
  const ms = performance.now() - started;
  await orchestrator.shutdown();
  return ms;
}

const databases = new Map<string, string>();

(globalThis as { errandIdbBench?: unknown }).errandIdbBench = {
  errandRound,
  rawRound,
  /** Fills a database under `label` (count 0: an empty one, created by opening it once). */
  async fill(label: string, count: number, wave: number): Promise<void> {
    databases.set(label, await fill(count, wave));
  },
  async start(label: string): Promise<number> {
    const name = databases.get(label);
    if (!name) throw new Error(`no database ${label}`);
    return startOnce(name);
  },
  /** The database name under `label`, for a page of a later browser to open. */
  nameOf(label: string): string {
    const name = databases.get(label);
    if (!name) throw new Error(`no database ${label}`);
    return name;
  },
  /** Deletes database `name` (one a previous browser of the same profile filled). */
  dropNamed(name: string): Promise<void> {
    return deleteDb(name);
  },
  async drop(label: string): Promise<void> {
    const name = databases.get(label);
    if (name) await deleteDb(name);
    databases.delete(label);
  },
};
