// The page of test/indexeddb-store.test.ts: the shared store contract against indexedDbStore, in the
// browser. Bundled with 'vitest' aliased to ./vitest-shim.ts; the node side runs the cases one by one.
import { deleteDB, openDB } from 'idb';
import type { ErrandDb, TaskRow } from '../../adapters/stores/indexeddb-schema.js';
import { TASKS } from '../../adapters/stores/indexeddb-schema.js';
import { indexedDbStore } from '../../src/browser/index.js';
import { storeContract, type BadRowPlace } from '../store-contract.js';
import { caseNames, runCase } from './vitest-shim.js';

/** A row whose record is cut short, sitting in the indexes at `place`, written by a second connection. */
async function putBadRow(name: string, key: string, { dueAt, status, held }: BadRowPlace): Promise<void> {
  const db = await openDB<ErrandDb>(name);
  const row: Omit<TaskRow, 'record'> & { record: unknown } = { key, record: { version: 2, taskId: key }, status };
  if (held === null) row.due = dueAt;
  else row.heldKey = key;
  await db.put(TASKS, row as unknown as TaskRow);
  db.close();
}

const run = Date.now().toString(36);
let count = 0;
storeContract('indexedDbStore', () => {
  const name = `errand-contract-${run}-${count++}`;
  return {
    store: indexedDbStore({ name }),
    reopen: () => indexedDbStore({ name }),
    putBadRow: (key, place) => putBadRow(name, key, place),
    cleanup: () => deleteDB(name),
  };
});

(globalThis as { errandTests?: unknown }).errandTests = { caseNames, runCase };
