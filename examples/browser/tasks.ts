// The tabs' side of the example's work: the orchestrator that runs the tasks (work kept in IndexedDB,
// conditions read from the browser, one tab leading) and errand/react's hooks typed by it. The task
// definitions themselves are in definitions.ts, shared with the service worker (sw.ts).
import { createOrchestrator } from 'errand';
import { browserPlatform, indexedDbStore, tabCoordinator } from 'errand/browser';
import { createTaskHooks } from 'errand/react';
import { APP_NAME, sleep, syncInbox, uploadNote, type Note } from './definitions.js';

export { APP_NAME, type Note } from './definitions.js';

// Every tab of the app shares the store; the coordinator lets one of them (the leader) run it.
export const orchestrator = createOrchestrator({
  store: indexedDbStore({ name: APP_NAME }),
  platform: browserPlatform(),
  coordinator: tabCoordinator({ name: APP_NAME }),
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
