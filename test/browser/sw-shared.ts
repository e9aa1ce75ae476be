// What the page and the service worker of test/service-worker.test.ts share: the app's name, its task,
// and a log (its own IndexedDB database) where the task and the worker write what they did.
import { openDB } from 'idb';
import { z } from 'zod';
import { defineTask } from '../../src/index.js';

export const APP = 'errand-sw';

export type LogEntry =
  | { kind: 'run'; taskId: string; where: 'worker' | 'page' }
  | { kind: 'result'; type: 'sync' | 'periodicsync'; skipped: string | null; ran: number; left: string[]; cutShort: boolean; needsWakeUp: boolean; windows: number };

const log = () => openDB('errand-sw-log', 1, { upgrade: (db) => void db.createObjectStore('log', { autoIncrement: true }) });

export async function appendLog(entry: LogEntry): Promise<void> {
  const db = await log();
  await db.add('log', entry);
  db.close();
}

export async function readLog(): Promise<LogEntry[]> {
  const db = await log();
  const entries = (await db.getAll('log')) as LogEntry[];
  db.close();
  return entries;
}

export const upload = defineTask({
  id: 'photo.upload',
  input: z.object({ id: z.number() }),
  run: async ({ taskId }) => {
    await appendLog({ kind: 'run', taskId, where: 'ServiceWorkerGlobalScope' in globalThis ? 'worker' : 'page' });
    return 'uploaded';
  },
});
