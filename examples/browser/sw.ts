// The app's service worker. With every tab closed, the browser wakes it (Background Sync, once the network is
// back after a tab registered errand's tag) and it runs the stored work: the same task definitions as the
// tabs, over the same IndexedDB database. No React here: definitions.ts is all it bundles of the app.
// Served at /sw.js (vite.config.ts: a second build input in `vite build`, the TS file itself in `vite` dev).
import { serviceWorkerRunner } from 'errand/service-worker';
import { APP_NAME, tasks } from './definitions.js';

interface WorkerScope extends EventTarget {
  skipWaiting(): Promise<void>;
}
// TypeScript's DOM lib has no ServiceWorkerGlobalScope (this file is checked with the pages' libs).
const scope = self as unknown as WorkerScope;

const runner = serviceWorkerRunner({ name: APP_NAME, tasks: [...tasks] });
runner.listen(scope); // at the top level: the browser dispatches `sync` only to listeners added on first run

// A new version of the worker takes over at once (it keeps no caches a page relies on).
scope.addEventListener('install', () => void scope.skipWaiting());
