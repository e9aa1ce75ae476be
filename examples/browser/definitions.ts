// The example's work: the task definitions, and nothing of React or the page, so the service worker
// (sw.ts) bundles the very same definitions as the tabs (tasks.ts).
import { defineTask, WorkResult } from 'errand';
import { z } from 'zod';
import { ranIn, saveUpload } from './uploads.js';

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/** The errand name of the app: its IndexedDB database, and the tabs' and the service worker's coordination. */
export const APP_NAME = 'errand-example';

const noteSchema = z.object({ title: z.string().trim().min(1).max(80), body: z.string().max(2_000) });
export type Note = z.infer<typeof noteSchema>;

export const uploadNote = defineTask({
  id: 'note.upload',
  input: noteSchema,
  /**
   * A fake upload: ~1.5 s in ten steps, aborted at once when errand aborts the signal (offline, cancel).
   * It lands in the stand-in server (uploads.ts) with `ranIn`: a tab, or the service worker.
   */
  run: async ({ taskId, input, signal, setProgress }) => {
    for (let step = 1; step <= 10; step++) {
      await sleep(150, signal);
      setProgress(step / 10);
    }
    const uploaded = { taskId, title: input.title, bytes: new TextEncoder().encode(input.body).length, uploadedAt: Date.now(), ranIn: ranIn() };
    await saveUpload(uploaded);
    return uploaded;
  },
});

export const syncInbox = defineTask({
  id: 'inbox.sync',
  input: z.object({ failures: z.number().int().min(0).max(5) }),
  /** Fails its first `failures` attempts (the server is "busy"), then succeeds: watch it back off and retry. */
  run: async ({ input, attempt, signal }) => {
    await sleep(400, signal);
    if (attempt <= input.failures) return WorkResult.retry(`server busy (attempt ${attempt})`);
    return { messages: 3 + attempt, ranIn: ranIn() };
  },
});

/** Every task the app schedules: registered by the tabs (tasks.ts) and by the service worker (sw.ts). */
export const tasks = [uploadNote, syncInbox] as const;
