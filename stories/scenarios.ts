// Deterministic scenarios for the stories: each builds an orchestrator on errand/testing's simulated
// clock and hand-driven platform, plays a script to a known point and records the timelines.
import { createOrchestrator, defineTask, TaskCancelledError, type Logger, type Orchestrator } from '../src/index.js';
import { recordTaskHistory, type TaskHistory } from '../src/react/index.js';
import { devtoolsSourceOf, type DevtoolsSource } from '../src/devtools/index.js';
import { recordedSource } from './recorded-source.js';
import { memoryStore, testClock, testPlatform, type TestClock, type TestPlatform } from '../src/testing/index.js';
import type { TaskStatus } from '../src/core/types.js';

/** Every scenario starts at the same instant: 2026-01-01T00:00:00Z. */
export const SCENARIO_START = Date.UTC(2026, 0, 1);

export interface Scenario {
  title: string;
  description: string;
  orchestrator: Orchestrator;
  clock: TestClock;
  platform: TestPlatform;
  history: TaskHistory;
  /** What <ErrandDevtools> reads: the orchestrator's source, its events recorded from the start. */
  devtools: DevtoolsSource;
  /** The TaskId whose timeline the story shows. */
  focus: string;
  /** What callers of runNow, schedule and the workers themselves saw, in order. */
  notes: string[];
}

/** What a story promises to render; test/stories.test.tsx checks it. */
export interface ScenarioExpectation {
  focus: string;
  status: TaskStatus;
  /** The board's attempt column: a number, or '—' for a runNow (no attempts). */
  attempt: number | '—';
  /** Statuses of the focus task's timeline, oldest first. */
  timeline: readonly TaskStatus[];
  notes?: readonly string[];
}

const quiet: Logger = { warn: () => {}, error: () => {} };

/** Resolves after `ms` of simulated time; rejects as soon as `signal` aborts. */
export function sleep(clock: TestClock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof TaskCancelledError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

interface Setup {
  orchestrator: Orchestrator;
  clock: TestClock;
  platform: TestPlatform;
  history: TaskHistory;
  devtools: DevtoolsSource;
  notes: string[];
}

function base(online = true): Setup {
  const clock = testClock(SCENARIO_START);
  const platform = testPlatform({ online });
  const orchestrator = createOrchestrator({ clock, platform, store: memoryStore(), logger: quiet, random: () => 0.5 });
  const history = recordTaskHistory(orchestrator, { now: () => clock.now() });
  return { orchestrator, clock, platform, history, devtools: recordedSource(devtoolsSourceOf(orchestrator)), notes: [] };
}

/** A worker that reports progress in `steps` equal steps of `stepMs` each, then returns `value`. */
function steadyWorker(setup: Setup, steps: number, stepMs: number, value: unknown) {
  return async ({ setProgress, signal }: { setProgress(p: number): void; signal: AbortSignal }) => {
    setProgress(0);
    for (let i = 1; i <= steps; i++) {
      try {
        await sleep(setup.clock, stepMs, signal);
      } catch (error) {
        setup.notes.push(`worker aborted at ${Math.round(((i - 1) / steps) * 100)}%`);
        throw error;
      }
      setProgress(i / steps);
    }
    return value;
  };
}

const done = (setup: Setup, focus: string, title: string, description: string): Scenario => ({
  ...setup,
  focus,
  title,
  description,
});

// Lifecycle states: one task brought to each status.

export async function pendingTask(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('report.daily', () => 'report');
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'report.daily', initialDelayMs: 5 * 60_000 });
  await s.clock.advance(0);
  return done(s, 'report.daily', 'Pending', 'Scheduled with a 5 minute initial delay: waiting to become due.');
}

export async function constrainedTask(): Promise<Scenario> {
  const s = base(false);
  s.orchestrator.register('photos.upload', () => 'uploaded');
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'photos.upload', constraints: { network: 'unmetered' } });
  await s.clock.advance(0);
  return done(s, 'photos.upload', 'Constrained', 'Due, but it needs an unmetered network and the device is offline.');
}

export async function runningTask(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('backup.run', steadyWorker(s, 5, 1_000, 'backed up'));
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'backup.run', initialDelayMs: 1_000 });
  await s.clock.advance(3_000);
  return done(s, 'backup.run', 'Running', 'A worker in flight that has reported 40% progress.');
}

export async function backoffTask(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('sync.contacts', () => {
    throw new Error('503 Service Unavailable');
  });
  await s.orchestrator.start();
  await s.orchestrator.schedule({
    taskId: 'sync.contacts',
    initialDelayMs: 1_000,
    backoff: { policy: 'exponential', initialDelayMs: 30_000, maxAttempts: 5 },
  });
  await s.clock.advance(1_000);
  return done(s, 'sync.contacts', 'Backoff', 'The first attempt threw; the retry waits out a 30 s backoff.');
}

export async function cancelledTask(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('digest.email', () => 'sent');
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'digest.email', initialDelayMs: 60 * 60_000 });
  await s.clock.advance(10_000);
  await s.orchestrator.cancel('digest.email');
  return done(s, 'digest.email', 'Cancelled', 'Cancelled while pending; its stored request is forgotten.');
}

export async function doneTask(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('invoice.send', steadyWorker(s, 2, 500, 'sent'));
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'invoice.send', initialDelayMs: 2_000 });
  await s.clock.runAll();
  return done(s, 'invoice.send', 'Done', 'Ran once and succeeded.');
}

// Scenarios: how tasks move over time.

export async function backoffWithRetries(): Promise<Scenario> {
  const s = base();
  let calls = 0;
  s.orchestrator.register('sync.contacts', async ({ attempt }) => {
    calls++;
    if (attempt < 3) {
      s.notes.push(`attempt ${attempt} threw: 503 Service Unavailable`);
      throw new Error('503 Service Unavailable');
    }
    s.notes.push(`attempt ${attempt} returned 128 contacts`);
    return 128;
  });
  await s.orchestrator.start();
  await s.orchestrator.schedule({
    taskId: 'sync.contacts',
    initialDelayMs: 1_000,
    backoff: { policy: 'exponential', initialDelayMs: 2_000, maxAttempts: 5 },
  });
  await s.clock.runAll();
  if (calls !== 3) throw new Error(`expected 3 attempts, saw ${calls}`);
  return done(s, 'sync.contacts', 'Backoff with retries', 'Fails twice (2 s, then 4 s backoff) and succeeds on the third attempt.');
}

export async function constrainedWaitingForNetwork(): Promise<Scenario> {
  const s = base(false);
  s.orchestrator.register('photos.upload', steadyWorker(s, 4, 500, 'uploaded'));
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'photos.upload', constraints: { network: 'any' } });
  await s.clock.advance(30_000);
  s.notes.push('network back after 30 s offline');
  s.platform.push({ type: 'network', online: true });
  await s.clock.runAll();
  return done(s, 'photos.upload', 'Constrained, waiting for network', 'Due while offline: waits 30 s for the network, then runs.');
}

export async function concurrencyLimit(): Promise<Scenario> {
  const s = base();
  const transcode = steadyWorker(s, 4, 500, 'transcoded');
  s.orchestrator.register(defineTask({ id: 'video.transcode', concurrency: 2, run: transcode }));
  await s.orchestrator.start();
  for (const n of [1, 2, 3, 4, 5]) await s.orchestrator.schedule({ taskId: `video.transcode/${n}`, initialDelayMs: n * 100 });
  await s.clock.advance(1_000);
  s.notes.push('3, 4 and 5 wait for a worker slot (concurrency 2)');
  await s.clock.advance(2_000);
  s.notes.push('1 and 2 finished: 3 and 4 took their slots, 5 still waits');
  return done(
    s,
    'video.transcode/3',
    'Concurrency limit',
    'Five transcodes due 100 ms apart, at most two at once: the rest wait constrained for a worker slot and start, earliest due first, as slots free up.',
  );
}

export async function runNowPreempted(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('feed.refresh', steadyWorker(s, 10, 1_000, 'scheduled refresh'));
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'feed.refresh', initialDelayMs: 1_000 });
  await s.clock.advance(3_000); // the scheduled worker is running, 20% in
  const first = s.orchestrator.runNow('feed.refresh', async ({ signal }) => {
    await sleep(s.clock, 5_000, signal);
    return 'first pull';
  });
  first.then(
    (value) => s.notes.push(`runNow #1 resolved: ${value}`),
    (error: unknown) => s.notes.push(`runNow #1 rejected: ${reasonOf(error)}`),
  );
  await s.clock.advance(1_000);
  const second = s.orchestrator.runNow('feed.refresh', async ({ signal }) => {
    await sleep(s.clock, 1_000, signal);
    return 'second pull';
  });
  second.then(
    (value) => s.notes.push(`runNow #2 resolved: ${value}`),
    (error: unknown) => s.notes.push(`runNow #2 rejected: ${reasonOf(error)}`),
  );
  await s.clock.runAll();
  return done(
    s,
    'feed.refresh',
    'runNow pre-empted',
    'A runNow takes over a running scheduled refresh; a second runNow a second later pre-empts the first (last call wins).',
  );
}

export async function periodicTask(): Promise<Scenario> {
  const s = base();
  let run = 0;
  s.orchestrator.register('metrics.flush', async ({ signal }) => {
    run++;
    await sleep(s.clock, 2_000, signal);
    s.notes.push(`run ${run} flushed ${run * 10} points`);
    return run * 10;
  });
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'metrics.flush', kind: 'periodic', intervalMs: 60_000, initialDelayMs: 1_000 });
  await s.clock.advance(3 * 62_000);
  return done(s, 'metrics.flush', 'Periodic', 'Runs every 60 s after the previous run ends; three runs so far.');
}

export async function cancelledWhileRunning(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('export.csv', steadyWorker(s, 5, 1_000, 'export.csv'));
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'export.csv', initialDelayMs: 1_000 });
  await s.clock.advance(4_000);
  s.notes.push('user pressed cancel at 60%');
  await s.orchestrator.cancel('export.csv');
  await s.clock.flush();
  return done(s, 'export.csv', 'Cancelled while running', 'Cancelled mid-run: the worker sees its signal abort and stops.');
}

/** The step-through story: nothing runs until someone advances the simulated clock. */
export async function stepThrough(): Promise<Scenario> {
  const s = base();
  s.orchestrator.register('report.build', steadyWorker(s, 4, 1_000, 'report.pdf'));
  await s.orchestrator.start();
  await s.orchestrator.schedule({ taskId: 'report.build', initialDelayMs: 2_000 });
  await s.clock.advance(0);
  return done(
    s,
    'report.build',
    'Step through',
    'Due in 2 s, then 4 s of work. Advance the simulated clock to watch it go from pending through running to done.',
  );
}
