// `npm start`: a few tasks on the real clock, printing every lifecycle transition as it happens.
// Work is kept in .errand/demo.db, so a second `npm start` finds the reminder the first one left.
// `npm start -- --devtools` also serves the devtools panel on 127.0.0.1 and keeps the demo running until Ctrl-C.
import { z } from 'zod';
import { createOrchestrator, defineTask, type TaskSnapshot } from '../src/index.js';
import { devtoolsServer } from '../src/devtools/node.js';
import { sqliteStore } from '../src/node/index.js';

const withDevtools = process.argv.includes('--devtools');

const started = Date.now();
const stamp = () => `+${((Date.now() - started) / 1000).toFixed(3)}s`.padEnd(9);
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

const flakyUpload = defineTask({
  id: 'demo.upload',
  input: z.object({ file: z.string() }),
  run: async ({ input, attempt, signal }) => {
    await sleep(50, signal);
    if (attempt < 3) throw new Error(`upload of ${input.file} failed (attempt ${attempt})`);
    return `${input.file} uploaded`;
  },
});

let beats = 0;
const heartbeat = defineTask({ id: 'demo.heartbeat', run: async () => ++beats });
const reminder = defineTask({ id: 'demo.reminder', run: async () => 'reminded' });

const store = sqliteStore({ path: '.errand/demo.db' });
const orchestrator = createOrchestrator({ store });
orchestrator.register(flakyUpload).register(heartbeat).register(reminder);

/** What a line adds to `from → to`. */
function detail(previous: TaskSnapshot | undefined, task: TaskSnapshot): string {
  if (previous?.status === 'running' && task.status === 'running') {
    // The status stays, so say what changed: a new run (runCount up) while one was in flight is a runNow
    // pre-empting it; within the same run, only progress changes.
    return task.runCount > previous.runCount ? '(pre-empted by runNow)' : `(progress ${task.progress ?? 'unknown'})`;
  }
  if (task.status === 'done') return task.outcome?.ok ? `→ ${JSON.stringify(task.outcome.value)}` : `→ ${String(task.outcome?.error)}`;
  if (task.status === 'backoff' && task.nextRunAt) return `retry in ${task.nextRunAt - Date.now()} ms`;
  if (task.status === 'cancelled') return `(${task.cancelReason})`;
  return '';
}

const last = new Map<string, TaskSnapshot>();
/** While the devtools panel is the one watching, the console stops printing transitions. */
let quiet = false;
orchestrator.subscribe((task: TaskSnapshot) => {
  if (quiet) return;
  const previous = last.get(task.taskId);
  last.set(task.taskId, task);
  const from = previous?.status ?? '·';
  console.log(
    `${stamp()} ${task.taskId.padEnd(16)} ${from.padEnd(11)} → ${task.status.padEnd(11)} attempt ${task.attempt} ${detail(previous, task)}`,
  );
});

await orchestrator.start();
const devtools = withDevtools ? await devtoolsServer({ orchestrator }) : null;
if (devtools) console.log(`${stamp()} devtools: ${devtools.url}`);
// Dormant work (due in an hour) is only a record in the store: listTasks() reads it from there.
const left = (await orchestrator.listTasks()).tasks;
console.log(
  left.length === 0
    ? `${stamp()} .errand/demo.db holds no work from an earlier run`
    : `${stamp()} restored from .errand/demo.db: ${left
        .map((t) =>
          t.nextRunAt
            ? `${t.taskId} (${t.status}, due ${new Date(t.nextRunAt).toISOString()})`
            : `${t.taskId} (${t.status}: it was overdue, so it ran as soon as the gate opened)`,
        )
        .join(', ')}`,
);

await orchestrator.schedule({
  taskId: 'demo.upload',
  input: { file: 'report.pdf' },
  backoff: { policy: 'exponential', initialDelayMs: 200, maxAttempts: 5 },
});
await orchestrator.schedule({ taskId: 'demo.heartbeat', kind: 'periodic', intervalMs: 300 });

// Two saves in quick succession: the second pre-empts the first ("last call wins").
const save = (draft: string) =>
  orchestrator.runNow('demo.save', async ({ signal }) => {
    await sleep(100, signal);
    return `saved ${draft}`;
  });
const first = save('draft 1');
const second = save('draft 2');
const [a, b] = await Promise.allSettled([first, second]);
console.log(`${stamp()} first save:  ${a.status === 'rejected' ? `rejected, ${(a.reason as Error).name} (${(a.reason as { reason?: string }).reason})` : a.value}`);
console.log(`${stamp()} second save: ${b.status === 'fulfilled' ? b.value : 'rejected'}`);

await new Promise((resolve) => setTimeout(resolve, 1_000));
if (devtools) {
  // The heartbeat goes on beating, so the panel has something live to show.
  console.log(`${stamp()} devtools: ${devtools.url} (transitions now show there only; Ctrl-C stops the demo)`);
  quiet = true;
  await new Promise<void>((stop) => process.once('SIGINT', () => stop()));
  quiet = false;
  await devtools.close();
}
await orchestrator.cancel('demo.heartbeat');
console.log(`${stamp()} heartbeat ran ${beats} times before it was cancelled`);

// Left for the next run: a reminder an hour from now ('keep' leaves one restored from an earlier run alone).
await orchestrator.schedule({ taskId: 'demo.reminder', initialDelayMs: 3_600_000, onConflict: 'keep' });
await orchestrator.shutdown();
console.log(`${stamp()} shut down; run \`npm start\` again to see demo.reminder restored`);
