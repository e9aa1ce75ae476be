// The cold-start page of bench/indexeddb.bench.ts, loaded as the first page of a freshly launched
// browser: ?db=<name>&mode=<errand|raw>. It starts on its own as the page loads (an app would), and
// leaves its timings in `errandColdStart`; performance.now() counts from the navigation's start.
// - errand: createOrchestrator({ store: indexedDbStore }) to start() resolving (gate open).
// - raw: the floor for any IndexedDB-backed start(): a bare indexedDB.open and the same four index
//   reads start() makes (ephemeral keys, held rows, rows due by now, the next due key after now).
//   The same bundle is evaluated first in both modes, so errand - raw is errand's own share.
import { scriptStart } from './indexeddb-cold-clock.js';
import { indexedDbStore } from '../src/browser/index.js';
import { createOrchestrator } from '../src/index.js';

export interface ColdStart {
  /** ms from navigation start to the first statement of the page's script. */
  scriptStart: number;
  /** ms from navigation start to the page module's own body: the bundled libraries are evaluated. */
  evaluated: number;
  /** ms from navigation start to the gate opening (start() resolved, or the raw reads done). */
  gateOpen: number;
  /** Rows in the database, counted after the timing: the bench checks it measured the database it filled. */
  rows: number;
  error: string | null;
}

const evaluated = performance.now();
const params = new URLSearchParams(location.search);

const done = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

async function rawStart(name: string): Promise<void> {
  const db = await done(indexedDB.open(name));
  const now = Date.now();
  const tasks = db.transaction('tasks', 'readonly').objectStore('tasks');
  await done(tasks.index('ephemeral').getAllKeys());
  await done(tasks.index('held').getAll());
  await done(tasks.index('due').getAll(IDBKeyRange.upperBound([now, []])));
  await done(tasks.index('due').openKeyCursor(IDBKeyRange.lowerBound([now, []], true)));
  db.close();
}

async function errandStart(name: string): Promise<void> {
  const orchestrator = createOrchestrator({ store: indexedDbStore({ name }) });
  orchestrator.register('job', () => undefined);
  await orchestrator.start();
}

async function countRows(name: string): Promise<number> {
  const db = await done(indexedDB.open(name));
  try {
    return await done(db.transaction('tasks', 'readonly').objectStore('tasks').count());
  } finally {
    db.close();
  }
}

async function run(): Promise<ColdStart> {
  const name = params.get('db') ?? '';
  try {
    await (params.get('mode') === 'raw' ? rawStart(name) : errandStart(name));
    const gateOpen = performance.now();
    return { scriptStart, evaluated, gateOpen, rows: await countRows(name), error: null };
  } catch (error) {
    return { scriptStart, evaluated, gateOpen: performance.now(), rows: -1, error: String(error) };
  }
}

void run().then((result) => ((globalThis as { errandColdStart?: ColdStart }).errandColdStart = result));
