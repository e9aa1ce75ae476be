// The page: the network as errand sees it, forms that schedule work (or run it now), and the task list live.
import { useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { describeTask, ErrandStyles, TaskProgress, TaskTimeline } from 'errand/react';
import type { TaskSnapshot } from 'errand';
import { syncNow, uploadNow, useOrchestrator, useTasks, type Note } from './tasks.js';
import { listUploads, type UploadedNote } from './uploads.js';

const localTime = (ms: number) => new Date(ms).toLocaleTimeString();
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const finished = (task: TaskSnapshot) => task.status === 'done' || task.status === 'cancelled';
const failed = (task: TaskSnapshot) => task.status === 'done' && task.outcome?.ok === false;

/** `note.upload/groceries-m4k2x1`: readable, and unique per click. */
function noteTaskId(title: string): `note.upload/${string}` {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);
  const unique = Date.now().toString(36);
  return `note.upload/${slug ? `${slug}-${unique}` : unique}`;
}

function subscribeToNetwork(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** The network condition the orchestrator's platform (browserPlatform) reports. */
function NetworkBadge() {
  const orchestrator = useOrchestrator();
  const network = useSyncExternalStore(subscribeToNetwork, () => {
    const { online, metered } = orchestrator.currentConditions();
    return online ? (metered ? 'Online (metered)' : 'Online') : 'Offline';
  });
  return (
    <span role="status" aria-label="Network" className={`network network--${network === 'Offline' ? 'offline' : 'online'}`}>
      {network}
    </span>
  );
}

function NoteForm() {
  const orchestrator = useOrchestrator();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const note: Note = { title: title.trim(), body };

  const schedule = (event: FormEvent) => {
    event.preventDefault();
    const taskId = noteTaskId(note.title);
    orchestrator
      .schedule({
        taskId,
        input: note,
        constraints: { network: 'any' }, // waits in `constrained` while offline
        backoff: { policy: 'exponential', initialDelayMs: 2_000, maxAttempts: 5 },
      })
      .then(
        () => {
          setTitle('');
          setBody('');
          setResult({ text: `Scheduled ${taskId}: stored in IndexedDB, it runs once the network allows.`, error: false });
        },
        (error: unknown) => setResult({ text: message(error), error: true }),
      );
  };

  // runNow: no constraints and no retries; the caller awaits the result (or the error, when offline).
  const uploadRightNow = () => {
    setResult({ text: 'Uploading now…', error: false });
    orchestrator.runNow(noteTaskId(note.title), ({ signal }) => uploadNow(note, signal)).then(
      ({ bytes }) => setResult({ text: `Uploaded now (${bytes} bytes).`, error: false }),
      (error: unknown) => setResult({ text: `Upload now failed: ${message(error)}`, error: true }),
    );
  };

  return (
    <form className="card" onSubmit={schedule} aria-label="New note">
      <h2>Upload a note</h2>
      <label htmlFor="note-title">Title</label>
      <input id="note-title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Groceries" maxLength={80} />
      <label htmlFor="note-body">Text</label>
      <textarea id="note-body" value={body} onChange={(e) => setBody(e.target.value)} placeholder="milk, eggs" />
      <div className="buttons">
        <button type="submit" className="primary" disabled={note.title === ''}>
          Schedule upload
        </button>
        <button type="button" onClick={uploadRightNow} disabled={note.title === ''}>
          Upload now
        </button>
      </div>
      {result ? (
        <p className={result.error ? 'result error' : 'result'} role="log">
          {result.text}
        </p>
      ) : null}
    </form>
  );
}

function InboxCard() {
  const orchestrator = useOrchestrator();
  const [error, setError] = useState<string | null>(null);
  const schedule = () => {
    setError(null);
    orchestrator
      .schedule({
        taskId: 'inbox.sync',
        input: { failures: 2 },
        constraints: { network: 'any' },
        backoff: { policy: 'exponential', initialDelayMs: 1_000, maxAttempts: 5 },
      })
      .catch((e: unknown) => setError(message(e)));
  };
  return (
    <section className="card" aria-label="Inbox">
      <h2>Sync the inbox</h2>
      <p className="hint">The server is busy twice, then answers: watch it back off (1 s, then 2 s) and retry.</p>
      <div className="buttons">
        <button type="button" onClick={schedule}>
          Schedule sync
        </button>
      </div>
      {error ? <p className="result error">{error}</p> : null}
    </section>
  );
}

function TaskRow({ task, onSelect }: { task: TaskSnapshot; onSelect: (taskId: string) => void }) {
  const orchestrator = useOrchestrator();
  const [error, setError] = useState<string | null>(null);
  const status = failed(task) ? 'failed' : task.status;
  // A runNow pre-empts whatever is scheduled for this TaskId and runs at once, network or not.
  const runNow = () => void orchestrator.runNow(task.taskId, ({ signal }) => syncNow(signal)).catch((e: unknown) => setError(message(e)));
  const cancel = () => void orchestrator.cancel(task.taskId).catch((e: unknown) => setError(message(e)));
  return (
    <tr data-task-id={task.taskId} data-status={task.status}>
      <th scope="row">
        <button type="button" onClick={() => onSelect(task.taskId)} title="Show its timeline">
          {task.taskId}
        </button>
      </th>
      <td>
        <span className={`errand-status errand-status--${status}`}>{task.status}</span>
        <span className="errand-detail">{error ?? describeTask(task, localTime)}</span>
      </td>
      <td>{task.attempt}</td>
      <td>
        <TaskProgress task={task} />
      </td>
      <td>
        {task.taskId === 'inbox.sync' ? (
          <button type="button" onClick={runNow} disabled={task.status === 'running'}>
            Run now
          </button>
        ) : null}
        <button type="button" onClick={cancel} disabled={finished(task)} aria-label={`Cancel ${task.taskId}`}>
          Cancel
        </button>
      </td>
    </tr>
  );
}

function TaskList() {
  const tasks = useTasks();
  const [selected, setSelected] = useState<string | null>(null);
  const shown = selected ?? tasks[0]?.taskId ?? null;
  return (
    <section className="card">
      <div className="errand-board tasks">
        <table aria-label="Tasks">
          <caption>Tasks</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">State</th>
              <th scope="col">Attempt</th>
              <th scope="col">Progress</th>
              <th scope="col">
                <span hidden>Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tasks.length === 0 ? (
              <tr>
                <td colSpan={5} className="errand-empty">
                  No tasks yet: schedule a note.
                </td>
              </tr>
            ) : (
              tasks.map((task) => <TaskRow key={task.taskId} task={task} onSelect={setSelected} />)
            )}
          </tbody>
        </table>
      </div>
      {shown ? <TaskTimeline key={shown} taskId={shown} formatTime={localTime} className="timeline" /> : null}
    </section>
  );
}

/** What the stand-in server has received, and which context uploaded it: a tab, or the service worker. */
function UploadedCard() {
  const orchestrator = useOrchestrator();
  const [uploads, setUploads] = useState<UploadedNote[] | null>(null);
  useEffect(() => {
    let live = true;
    const read = () => void listUploads().then((notes) => live && setUploads(notes), () => live && setUploads([]));
    read();
    // A note that finishes while this tab is open (run here, or in the worker leading meanwhile) is read again.
    const stop = orchestrator.subscribe((task) => void (task.status === 'done' && task.taskId.startsWith('note.upload/') && read()));
    return () => {
      live = false;
      stop();
    };
  }, [orchestrator]);
  return (
    <section className="card" aria-label="Uploaded">
      <h2>Uploaded notes</h2>
      {uploads === null ? null : uploads.length === 0 ? (
        <p className="hint">Nothing uploaded yet.</p>
      ) : (
        <ul className="uploads">
          {uploads.map((note) => (
            <li key={note.taskId} data-task-id={note.taskId} data-ran-in={note.ranIn}>
              <strong>{note.title}</strong> <span className="hint">{note.bytes} bytes at {localTime(note.uploadedAt)}</span>{' '}
              <span className={`ran-in ran-in--${note.ranIn === 'tab' ? 'tab' : 'worker'}`}>
                {note.ranIn === 'tab' ? 'uploaded by a tab' : 'uploaded by the service worker'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function App() {
  return (
    <main>
      <ErrandStyles />
      <header>
        <h1>errand: durable work in the browser</h1>
        <NetworkBadge />
      </header>
      <p className="lede">
        Schedule a note while offline (airplane mode, or DevTools → Network → Offline) and close the tab. Open the
        app again: the note is still there, kept in IndexedDB, waiting for the network. Come back online and it
        uploads by itself. Or close every tab of the app while offline and come back online: in Chromium the
        service worker uploads it with no tab open, and the next tab lists it as uploaded by the service worker.
      </p>
      <div className="layout">
        <div>
          <NoteForm />
          <InboxCard />
          <UploadedCard />
        </div>
        <TaskList />
      </div>
    </main>
  );
}
