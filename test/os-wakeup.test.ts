import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackgroundTaskResult } from 'expo-background-task';
import type { TaskManagerTaskExecutor } from 'expo-task-manager';
import type { HeadlessEvent } from 'react-native-background-fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../src/core/clock.js';
import { createOrchestrator, type Orchestrator, type WorkContext } from '../src/index.js';
import {
  backgroundFetchHandlers,
  expoBackgroundTask,
  expoSqliteStore,
  ResumableClock,
  runDueWorkOnWake,
  type BackgroundFetchModule,
  type ExpoBackgroundTaskModule,
} from '../src/react-native/index.js';
import { TestClock } from '../src/testing/index.js';
import { ExpoOnBetterSqlite } from './support/expo-sqlite-fake.js';
import { SleepingHost } from './support/sleeping-host.js';
import { failOnUnhandledRejections, validationErrorOf } from './support.js';

failOnUnhandledRejections();

/** react-native-background-fetch's default export (CommonJS declarations: `default` is the class). */
type BackgroundFetchClass = (typeof import('react-native-background-fetch'))['default'];

const HOUR = 60 * 60_000;
const dirs: string[] = [];
const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A phone app: its tasks, its expo-sqlite file, and a way to open an orchestrator on them (the app's, or a headless one). */
function phoneApp(clock: Clock) {
  const dir = mkdtempSync(join(tmpdir(), 'errand-wake-'));
  dirs.push(dir);
  const path = join(dir, 'errand.db');
  const runs: string[] = [];
  const aborted: string[] = [];
  /** Workers a test keeps running until their signal aborts. */
  const hanging = new Set<string>();
  const work = (name: string) => async ({ signal }: WorkContext) => {
    runs.push(name);
    if (!hanging.has(name)) return name;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    aborted.push(name);
    throw signal.reason;
  };
  const open = (): Orchestrator => {
    const orchestrator = createOrchestrator({
      clock,
      store: expoSqliteStore({ database: new ExpoOnBetterSqlite(path) }),
      logger: { warn() {}, error() {} },
    });
    orchestrator.register('upload', work('upload'));
    orchestrator.register('sync', work('sync'));
    return orchestrator;
  };
  return { open, runs, aborted, hanging };
}

/** The app schedules work and is killed (shut down): only the stored records are left. */
async function scheduleAndKill(app: ReturnType<typeof phoneApp>, requests: Parameters<Orchestrator['schedule']>[0][]) {
  const orchestrator = app.open();
  await orchestrator.start();
  for (const request of requests) await orchestrator.schedule(request);
  await orchestrator.shutdown();
}

/** The app schedules `taskId` due in a minute and is killed; then that minute passes. */
async function dueAfterKill(app: ReturnType<typeof phoneApp>, clock: TestClock, taskId: 'upload' | 'sync') {
  await scheduleAndKill(app, [{ taskId, initialDelayMs: 60_000 }]);
  await clock.advance(60_000);
}

describe('runDueWorkOnWake: headless (the app was killed)', () => {
  it('opens a fresh orchestrator on the store, runs what fell due, shuts it down, then calls finish once', async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    await scheduleAndKill(app, [
      { taskId: 'upload', initialDelayMs: HOUR },
      { taskId: 'sync', initialDelayMs: 3 * HOUR },
    ]);
    await clock.advance(HOUR);
    let opened: Orchestrator | undefined;
    const finish = vi.fn(() => expect(opened?.role()).toBe('stopped'));
    const result = await runDueWorkOnWake(() => (opened = app.open()), { timeoutMs: 25_000, finish, clock });
    expect(app.runs).toEqual(['upload']);
    expect(finish).toHaveBeenCalledTimes(1);
    expect(result).toMatchObject({ headless: true, ran: 1, cutShort: false, needsWakeUp: false, failed: false });

    // What was not due stays stored for a later wake-up.
    const later = app.open();
    await later.start();
    stops.push(() => later.shutdown());
    expect((await later.getTask('sync'))?.status).toBe('pending');
    expect(await later.getTask('upload')).toBeUndefined();
  });

  it("when the OS's time is up, the workers are aborted through their signal, finish is called on time, and the work stays stored", async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    app.hanging.add('upload');
    await dueAfterKill(app, clock, 'upload');
    const finish = vi.fn();
    const run = runDueWorkOnWake(app.open, { timeoutMs: 25_000, finish, clock });
    await clock.advance(24_999);
    expect(app.runs).toEqual(['upload']);
    expect(finish).not.toHaveBeenCalled();
    await clock.advance(1);
    const result = await run;
    expect(app.aborted).toEqual(['upload']);
    expect(finish).toHaveBeenCalledTimes(1);
    expect(result).toMatchObject({ headless: true, ran: 1, cutShort: true, needsWakeUp: true });

    app.hanging.clear();
    const next = await runDueWorkOnWake(app.open, { timeoutMs: 25_000, clock });
    expect(next).toMatchObject({ ran: 1, cutShort: false });
    expect(app.runs).toEqual(['upload', 'upload']);
  });

  it("the OS's own signal ends the run at once", async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    app.hanging.add('upload');
    await dueAfterKill(app, clock, 'upload');
    const controller = new AbortController();
    const finish = vi.fn();
    const run = runDueWorkOnWake(app.open, { timeoutMs: 25_000, finish, signal: controller.signal, clock });
    await clock.advance(1_000);
    controller.abort(new Error('onTimeout'));
    const result = await run;
    expect(app.aborted).toEqual(['upload']);
    expect(finish).toHaveBeenCalledTimes(1);
    expect(result.cutShort).toBe(true);
  });

  it('an orchestrator that cannot be opened is reported, and finish is still called', async () => {
    const finish = vi.fn();
    const errors: string[] = [];
    const result = await runDueWorkOnWake(
      () => {
        throw new Error('no store');
      },
      { timeoutMs: 25_000, finish, logger: { warn() {}, error: (message) => void errors.push(message) } },
    );
    expect(finish).toHaveBeenCalledTimes(1);
    expect(errors).toEqual(['errand: the wake-up run failed']);
    expect(result).toMatchObject({ failed: true, needsWakeUp: true, ran: 0 });
  });

  it('refuses bad options by name', async () => {
    await expect(runDueWorkOnWake(() => createOrchestrator(), { timeoutMs: 0 })).rejects.toMatchObject({ field: 'timeoutMs' });
    expect(validationErrorOf(() => backgroundFetchHandlers({ backgroundFetch: {} as BackgroundFetchModule, orchestrator: () => undefined, open: () => createOrchestrator() })).field).toBe(
      'backgroundFetch.finish',
    );
  });
});

describe('runDueWorkOnWake: the app is running (in the background)', () => {
  it('reads the store at once (its timers slept with the app), runs what is due, and leaves the orchestrator running', async () => {
    const host = new SleepingHost();
    const app = phoneApp(host);
    const orchestrator = app.open();
    await orchestrator.start();
    stops.push(() => orchestrator.shutdown());
    await orchestrator.schedule({ taskId: 'upload', initialDelayMs: HOUR });
    host.sleep(2 * HOUR); // suspended: the wall clock moved, no timer fired
    await host.timers.advance(0);
    expect(app.runs).toEqual([]);
    const finish = vi.fn();
    const result = await runDueWorkOnWake(orchestrator, { timeoutMs: 25_000, finish, clock: host });
    expect(app.runs).toEqual(['upload']);
    expect(finish).toHaveBeenCalledTimes(1);
    expect(result).toMatchObject({ headless: false, ran: 1, cutShort: false });
    expect(orchestrator.role()).toBe('leader');
  });
  it("when the OS's time is up, the app's workers are aborted through their signal and its scheduled work waits until the next wake-up", async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    app.hanging.add('upload');
    const orchestrator = app.open();
    await orchestrator.start();
    stops.push(() => orchestrator.shutdown());
    await orchestrator.schedule({ taskId: 'upload', initialDelayMs: 60_000 });
    await clock.advance(60_000);
    expect(app.runs).toEqual(['upload']);
    const finish = vi.fn();
    const run = runDueWorkOnWake(orchestrator, { timeoutMs: 25_000, finish, clock });
    await clock.advance(24_999);
    expect(app.aborted).toEqual([]);
    await clock.advance(1);
    const result = await run;
    expect(app.aborted).toEqual(['upload']);
    expect(finish).toHaveBeenCalledTimes(1);
    expect(result).toMatchObject({ headless: false, cutShort: true, needsWakeUp: true });
    // Paused, not failed: the cut-off attempt is not counted, and nothing runs until the next wake-up.
    expect(orchestrator.paused).toBe(true);
    expect(await orchestrator.getTask('upload')).toMatchObject({ status: 'constrained', attempt: 0, unmetConstraints: ['paused'] });
    await clock.advance(60_000);
    expect(app.runs).toEqual(['upload']);

    app.hanging.clear();
    const next = await runDueWorkOnWake(orchestrator, { timeoutMs: 25_000, clock });
    expect(next).toMatchObject({ ran: 1, cutShort: false });
    expect(orchestrator.paused).toBe(false);
    expect(app.runs).toEqual(['upload', 'upload']);
    expect(await orchestrator.getTask('upload')).toMatchObject({ status: 'done', attempt: 1 });
  });

  it("with the platform's ResumableClock, an active task whose timer slept with the app runs at the wake-up at once", async () => {
    async function wokenAfterSleep(resumable: boolean) {
      const host = new SleepingHost();
      const clock = resumable ? new ResumableClock(host) : host;
      const app = phoneApp(clock);
      const orchestrator = app.open();
      await orchestrator.start();
      stops.push(() => orchestrator.shutdown());
      await orchestrator.schedule({ taskId: 'sync', initialDelayMs: 500 }); // within the 1 s horizon: active, on a timer
      host.sleep(HOUR);
      const run = runDueWorkOnWake(orchestrator, { timeoutMs: 25_000, clock });
      await host.timers.advance(0); // fires what is due now; no time passes
      return { host, app, run };
    }

    const resumed = await wokenAfterSleep(true);
    expect(await resumed.run).toMatchObject({ ran: 1, cutShort: false });
    expect(resumed.app.runs).toEqual(['sync']);

    // wake() reads dormant records only: without the resync, the active task waits for its sleeping timer.
    const stalled = await wokenAfterSleep(false);
    expect(stalled.app.runs).toEqual([]);
    await stalled.host.timers.advance(500);
    expect(stalled.app.runs).toEqual(['sync']);
    expect(await stalled.run).toMatchObject({ ran: 1 });
  });
});

describe('backgroundFetchHandlers (react-native-background-fetch)', () => {
  function fetchModule() {
    const finished: string[] = [];
    const backgroundFetch = { finish: (taskId: string) => void finished.push(taskId) } satisfies BackgroundFetchModule satisfies Pick<BackgroundFetchClass, 'finish'>;
    return { finished, backgroundFetch };
  }

  it("fit BackgroundFetch.configure's and registerHeadlessTask's callbacks; an event runs the due work and finishes its taskId", async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    const { finished, backgroundFetch } = fetchModule();
    const live = app.open();
    await live.start();
    stops.push(() => live.shutdown());
    await live.schedule({ taskId: 'sync' });
    const handlers = backgroundFetchHandlers({ backgroundFetch, orchestrator: () => live, open: app.open, clock });
    handlers.onEvent satisfies Parameters<BackgroundFetchClass['configure']>[1];
    handlers.onTimeout satisfies NonNullable<Parameters<BackgroundFetchClass['configure']>[2]>;
    handlers.headlessTask satisfies Parameters<BackgroundFetchClass['registerHeadlessTask']>[0];
    await handlers.onEvent('react-native-background-fetch');
    expect(finished).toEqual(['react-native-background-fetch']);
    expect(app.runs).toEqual(['sync']);
  });

  it('an orchestrator() that throws is logged and the event runs headless, still finishing its taskId', async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    await dueAfterKill(app, clock, 'sync');
    const { finished, backgroundFetch } = fetchModule();
    const errors: string[] = [];
    const handlers = backgroundFetchHandlers({
      backgroundFetch,
      orchestrator: () => {
        throw new Error('not set up yet');
      },
      open: app.open,
      clock,
      logger: { warn() {}, error: (message) => void errors.push(message) },
    });
    await handlers.onEvent('fetch-2');
    expect(errors).toEqual(["errand: orchestrator() threw; the wake-up opens a fresh one"]);
    expect(app.runs).toEqual(['sync']);
    expect(finished).toEqual(['fetch-2']);
  });

  it('onTimeout ends the run of that taskId at once, which then finishes it exactly once', async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    app.hanging.add('upload');
    await dueAfterKill(app, clock, 'upload');
    const { finished, backgroundFetch } = fetchModule();
    const results: boolean[] = [];
    const handlers = backgroundFetchHandlers({
      backgroundFetch,
      orchestrator: () => undefined,
      open: app.open,
      clock,
      onResult: (result) => void results.push(result.cutShort),
    });
    const event = handlers.onEvent('fetch-1');
    await clock.advance(5_000);
    expect(finished).toEqual([]);
    handlers.onTimeout('fetch-1');
    await event;
    expect(finished).toEqual(['fetch-1']);
    expect(app.aborted).toEqual(['upload']);
    expect(results).toEqual([true]);
  });

  it('the headless task runs on a fresh orchestrator; its timeout event finishes a taskId with no run at once', async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    await dueAfterKill(app, clock, 'upload');
    const { finished, backgroundFetch } = fetchModule();
    const open = vi.fn(app.open);
    const handlers = backgroundFetchHandlers({ backgroundFetch, orchestrator: () => undefined, open, clock });
    const timedOut: HeadlessEvent = { taskId: 'other', timeout: true };
    await handlers.headlessTask(timedOut);
    expect(finished).toEqual(['other']);
    await handlers.headlessTask({ taskId: 'headless-1', timeout: false });
    expect(open).toHaveBeenCalledTimes(1);
    expect(app.runs).toEqual(['upload']);
    expect(finished).toEqual(['other', 'headless-1']);
  });
});

describe('expoBackgroundTask (expo-background-task)', () => {
  const SUCCESS: BackgroundTaskResult = 1;
  const FAILED: BackgroundTaskResult = 2;

  it("is TaskManager.defineTask's executor: Success when the due work is done", async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    await dueAfterKill(app, clock, 'sync');
    const task = expoBackgroundTask({ orchestrator: () => undefined, open: app.open, clock });
    task satisfies TaskManagerTaskExecutor;
    expect(await task()).toBe(SUCCESS);
    expect(app.runs).toEqual(['sync']);
  });

  it('the expiration listener ends the run (Failed), and is removed afterwards', async () => {
    const clock = new TestClock();
    const app = phoneApp(clock);
    app.hanging.add('upload');
    await dueAfterKill(app, clock, 'upload');
    const listeners = new Set<() => void>();
    const backgroundTask = {
      addExpirationListener: (listener: () => void) => {
        listeners.add(listener);
        return { remove: () => void listeners.delete(listener) };
      },
    } satisfies ExpoBackgroundTaskModule;
    const running = expoBackgroundTask({ backgroundTask, orchestrator: () => undefined, open: app.open, clock })();
    await clock.advance(1_000);
    expect(listeners.size).toBe(1);
    for (const listener of listeners) listener();
    expect(await running).toBe(FAILED);
    expect(app.aborted).toEqual(['upload']);
    expect(listeners.size).toBe(0);
  });
});
