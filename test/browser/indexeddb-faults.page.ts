// A page of test/indexeddb-store.test.ts: indexedDbStore meeting what goes wrong in a browser. Each
// function returns what it saw as plain data (errors by name and message) for the node side to check.
import { deleteDB, openDB } from 'idb';
import { connect } from '../../adapters/stores/indexeddb-connect.js';
import { QUARANTINE, TASKS } from '../../adapters/stores/indexeddb-schema.js';
import { indexedDbStore, type IndexedDbStore } from '../../src/browser/index.js';
import { storedRecord } from '../store-contract-support.js';

export interface Seen {
  name: string;
  message: string;
  /** The StoreOpenError's `path` (the database name), or the cause's name for a StoreWriteError. */
  detail: string | null;
}

async function seen(run: () => Promise<unknown>): Promise<Seen | null> {
  try {
    await run();
    return null;
  } catch (error) {
    const e = error as Error & { path?: string; cause?: unknown };
    return { name: e.name, message: e.message, detail: e.path ?? (e.cause instanceof Error || e.cause instanceof DOMException ? e.cause.name : null) };
  }
}

let count = 0;
const fresh = (label: string) => `errand-faults-${label}-${Date.now().toString(36)}-${count++}`;

async function opened(name: string, durability?: 'strict' | 'relaxed'): Promise<IndexedDbStore> {
  const store = indexedDbStore({ name, durability });
  await store.open();
  return store;
}

const taskIds = async (store: IndexedDbStore) => (await store.list({ limit: 10_000 })).records.map((r) => r.taskId);

(globalThis as { errandFaults?: unknown }).errandFaults = {
  /** A database another errand created at a higher schema version. */
  async newerSchema() {
    const name = fresh('newer');
    (await openDB(name, 7)).close();
    const error = await seen(() => opened(name));
    await deleteDB(name);
    return error;
  },

  /** Another tab keeps version 1 open and ignores `versionchange`, while this one asks for version 2. */
  async blockedUpgrade() {
    const name = fresh('blocked');
    const other = await openDB(name, 1);
    const error = await seen(() => connect(name, 2, () => {}, () => {}));
    other.close();
    return error;
  },

  /** An open store when another tab upgrades: it lets the upgrade through, then refuses calls. */
  async yieldsToNewer() {
    const name = fresh('yields');
    const store = await opened(name);
    await store.write({ put: [storedRecord('job/a')], delete: [] });
    const newer = await openDB(name, 2, { blocked: () => console.error('the store did not yield') });
    newer.close();
    const error = await seen(() => store.get('job/a'));
    await store.close();
    await deleteDB(name);
    return error;
  },

  /** A page where `indexedDB` is missing (as in some private modes and sandboxed frames). */
  async unavailable() {
    const own = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB');
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
    try {
      return await seen(() => opened(fresh('missing')));
    } finally {
      if (own) Object.defineProperty(globalThis, 'indexedDB', own);
      else delete (globalThis as { indexedDB?: unknown }).indexedDB;
    }
  },

  /**
   * Run with the origin's quota overridden: a batch past it fails whole. (Whether a small write fits right
   * after depends on when Chromium recounts the origin's usage, so that is not asked.)
   */
  async quota() {
    const name = fresh('quota');
    const store = await opened(name);
    await store.write({ put: [storedRecord('job/kept')], delete: [] });
    // Random text: Chromium compresses IndexedDB values, so repeated text would fit any quota.
    const noise = () => Array.from(crypto.getRandomValues(new Uint32Array(2_500)), (n) => n.toString(36)).join('');
    const big = Array.from({ length: 500 }, (_, i) => storedRecord(`job/big-${i}`, { input: JSON.stringify({ json: noise() }) }));
    const error = await seen(() => store.write({ put: big, delete: ['job/kept'] }));
    const afterFailure = await taskIds(store);
    await store.close();
    await deleteDB(name);
    return { error, afterFailure };
  },

  /** A record set aside by a read stays in the quarantine store, as it was found, across instances. */
  async quarantine() {
    const name = fresh('quarantine');
    const store = await opened(name);
    await store.write({ put: [storedRecord('job/good')], delete: [] });
    const raw = await openDB(name);
    await raw.put(TASKS, { key: 'job/bad', record: { version: 99 }, status: 'pending', due: 1 });
    raw.close();
    const read = await store.list({ limit: 10 });
    await store.close();
    const again = await opened(name);
    const entries = await again.quarantine();
    const rawEntries = await again.close().then(async () => {
      const db = await openDB(name);
      const all: unknown[] = await db.getAll(QUARANTINE);
      db.close();
      return all.length;
    });
    await deleteDB(name);
    return { records: read.records.map((r) => r.taskId), quarantined: read.quarantined, entries, rawEntries };
  },

  /** `durability: 'relaxed'` keeps what it wrote across instances too. */
  async relaxed() {
    const name = fresh('relaxed');
    const store = await opened(name, 'relaxed');
    await store.write({ put: [storedRecord('job/a'), storedRecord('job/b')], delete: [] });
    await store.write({ put: [], delete: ['job/a'] });
    await store.close();
    const again = await opened(name);
    const kept = await taskIds(again);
    await again.close();
    await deleteDB(name);
    return kept;
  },
};
