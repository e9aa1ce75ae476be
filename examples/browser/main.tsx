// Entry point: start the orchestrator (open IndexedDB, restore stored work), then render the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { recordTaskHistory } from 'errand/react';
import { App } from './App.js';
import { orchestrator, OrchestratorProvider } from './tasks.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);

// Every task's transitions from the start, for <TaskTimeline> (it would otherwise record only while mounted).
const history = recordTaskHistory(orchestrator);

// SERVICE WORKER: register errand's service worker here once `errand/service-worker` exists (it is being
// built separately). It will wake stored work, such as a note waiting for the network, while every tab of
// the app is closed. Until then work runs only while a tab of the app is open.

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
