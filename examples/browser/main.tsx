// Entry point: register the service worker, start the orchestrator (open IndexedDB, restore stored work),
// then render the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerBackgroundSync } from 'errand/browser';
import { recordTaskHistory } from 'errand/react';
import { App } from './App.js';
import { APP_NAME, orchestrator, OrchestratorProvider } from './tasks.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);

// Every task's transitions from the start, for <TaskTimeline> (it would otherwise record only while mounted).
const history = recordTaskHistory(orchestrator);

// The service worker (sw.ts) runs stored work while every tab of the app is closed: a note scheduled offline
// is uploaded when the network is back, tab or no tab. It is at /sw.js in `vite build` and in dev (vite.config.ts),
// an ES module; scope `/`, the whole app. Where service workers are missing (or refused), work runs only in tabs.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('/sw.js', { type: 'module', scope: '/' })
    .catch((error: unknown) => console.warn('errand example: no service worker', error));
}
// Whenever work starts waiting for the network, register errand's sync tag: the browser wakes the worker once
// it is online again, even with every tab closed. Chromium has Background Sync; Firefox and Safari do not
// (`supported` is false there), so the work waits for a tab of the app to be open.
registerBackgroundSync(orchestrator, { name: APP_NAME });

orchestrator.start().then(
  () =>
    root.render(
      <StrictMode>
        <OrchestratorProvider orchestrator={orchestrator} history={history}>
          <App />
        </OrchestratorProvider>
      </StrictMode>,
    ),
  (error: unknown) => {
    // StoreOpenError: no IndexedDB here (some private modes), or a newer errand wrote the database.
    root.render(<p role="alert">errand could not start: {error instanceof Error ? error.message : String(error)}</p>);
  },
);
