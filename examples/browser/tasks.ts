// The example's work: two tasks, the orchestrator that runs them (work kept in IndexedDB, conditions read
// from the browser) and errand/react's hooks typed by them.
import { createOrchestrator, defineTask, WorkResult } from 'errand';
import { browserPlatform, indexedDbStore, tabCoordinator } from 'errand/browser';
import { createTaskHooks } from 'errand/react';
import { z } from 'zod';

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

const noteSchema = z.object({ title: z.string().trim().min(1).max(80), body: z.string().max(2_000) });
export type Note = z.infer<typeof noteSchema>;

export const uploadNote = defineTask({
  id: 'note.upload',
  input: noteSchema,
  /** A fake upload: ~1.5 s in ten steps, aborted at once when errand aborts the signal (offline, cancel). */
  run: async ({ input, signal, setProgress }) => {
    for (let step = 1; step <= 10; step++) {
      await sleep(150, signal);
      setProgress(step / 10);
    }
    return { title: input.title, bytes: new TextEncoder().encode(input.body).length, uploadedAt: Date.now() };
  },
});

export const syncInbox = defineTask({
  id: 'inbox.sync',
  input: z.object({ failures: z.number().int().min(0).max(5) }),
  /** Fails its first `failures` attempts (the server is "busy"), then succeeds: watch it back off and retry. */
  run: async ({ input, attempt, signal }) => {
    await sleep(400, signal);
    if (attempt <= input.failures) return WorkResult.retry(`server busy (attempt ${attempt})`);
    return { messages: 3 + attempt };
  },
});

// Every tab of the app shares the store; the coordinator lets one of them (the leader) run it.
export const orchestrator = createOrchestrator({
  store: indexedDbStore({ name: 'errand-example' }),
  platform: browserPlatform(),
  coordinator: tabCoordinator({ name: 'errand-example' }),
}).register(uploadNote).register(syncInbox);

export const { OrchestratorProvider, useOrchestrator, useTask, useTasks } = createTaskHooks<typeof orchestrator>();

/** What the "Upload now" button runs through runNow: no constraints, no retries, the error goes to the caller. */
export async function uploadNow(note: Note, signal: AbortSignal): Promise<{ bytes: number }> {
  if (!navigator.onLine) throw new Error('offline: nothing to upload to');
  await sleep(1_500, signal);
  return { bytes: new TextEncoder().encode(note.body).length };
}

/** What a row's "Run now" runs for inbox.sync: at once, whatever the network, pre-empting scheduled work. */
export async function syncNow(signal: AbortSignal): Promise<{ messages: number }> {
  await sleep(400, signal);
  return { messages: 3 };
}
