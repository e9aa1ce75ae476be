// errand/service-worker: the runner in Node (what a run waits for, what it leaves, budgets) and in
// real Chromium: a stopped service worker woken by sync / periodicsync events with no page open, after a
// browser restart, by the browser itself when the network returns, and standing down while a page leads.
import { existsSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, defineTask, ValidationError, WorkResult } from '../src/index.js';
import { memoryStore, testPlatform } from '../src/testing/index.js';
import { registerBackgroundSync } from '../src/browser/index.js';
import { serviceWorkerPlatform, serviceWorkerRunner, syncTagFor } from '../src/service-worker/index.js';
import { CHROMIUM, openChromium, type ChromiumSession } from './browser/chromium.js';
import { APP, type LogEntry } from './browser/sw-shared.js';

// On a developer machine without Chromium the browser tests are skipped; in CI a missing browser fails them.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Calls `read` until `ok` holds of what it returns (or throws after `timeoutMs`, with the last value). */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(last)}`);
    await sleep(100);
    last = await read();
  }
  return last;
}

describe('serviceWorkerRunner in Node (memory store, no Web Locks)', () => {
  const quick = defineTask({ id: 'job.quick', run: async () => 'ok' });
  const flaky = defineTask({ id: 'job.flaky', run: async () => WorkResult.retry('not yet') });
  const slow = defineTask({
    id: 'job.slow',
    run: ({ signal }) => new Promise<string>((_, fail) => signal.addEventListener('abort', () => fail(new Error('aborted')))),
  });
  const quiet = { warn() {}, error() {} };
  const CHARGING = { charging: true };
  const OFFLINE_CHARGING = testPlatform({ online: false, charging: true });

  async function seed(store: ReturnType<typeof memoryStore>, requests: Array<Parameters<ReturnType<typeof createOrchestrator>['schedule']>[0]>) {
    // Neither online nor charging: nothing runs here (the runs below have a charger).
    const orchestrator = createOrchestrator({ store, platform: testPlatform({ online: false, charging: false }), logger: quiet }).register(quick).register(flaky).register(slow);
    await orchestrator.start();
    for (const request of requests) await orchestrator.schedule(request);
    await orchestrator.shutdown();
  }

  it('runs what is due, leaves what waits for the network or a backoff, and the store keeps only those', async () => {
    const store = memoryStore();
    await seed(store, [
      { taskId: 'job.quick/1', constraints: CHARGING },
      { taskId: 'job.quick/2', constraints: { network: 'any' } },
      { taskId: 'job.quick/later', initialDelayMs: 3_600_000 },
      { taskId: 'job.flaky/1', constraints: CHARGING, backoff: { initialDelayMs: 60_000 } },
    ]);
    const runner = serviceWorkerRunner({ name: 'app', tasks: [quick, flaky, slow], store: () => store, platform: OFFLINE_CHARGING, logger: quiet });
    const result = await runner.runDue();
    expect(result.skipped).toBeNull();
    expect(result.cutShort).toBe(false);
    expect(result.ran).toBe(2); // job.quick/1 and job.flaky/1's first attempt
    // job.flaky/1 backs off for a minute: beyond the activation horizon it is only its stored record.
    expect(result.left.map((task) => [task.taskId, task.status, task.unmetConstraints])).toEqual([['job.quick/2', 'constrained', ['network']]]);
    expect(result.needsWakeUp).toBe(true);
    expect(store.records().map((record) => [record.taskId, record.status]).sort()).toEqual([
      ['job.flaky/1', 'backoff'],
      ['job.quick/2', 'constrained'],
      ['job.quick/later', 'pending'],
    ]);
  });

  it('needs no further wake-up when nothing waits for the network or a backoff', async () => {
    const store = memoryStore();
    await seed(store, [{ taskId: 'job.quick/5', constraints: CHARGING }, { taskId: 'job.quick/6', initialDelayMs: 3_600_000 }]);
    const runner = serviceWorkerRunner({ name: 'app', tasks: [quick], store: () => store, platform: OFFLINE_CHARGING, logger: quiet });
    expect(await runner.runDue()).toEqual({ skipped: null, ran: 1, left: [], cutShort: false, needsWakeUp: false });
  });

  it('ends a run at its time budget: the running worker is aborted, its work stays stored', async () => {
    const store = memoryStore();
    await seed(store, [{ taskId: 'job.slow/1', constraints: CHARGING }]);
    const runner = serviceWorkerRunner({ name: 'app', tasks: [quick, flaky, slow], store: () => store, platform: OFFLINE_CHARGING, logger: quiet });
    const started = Date.now();
    const result = await runner.runDue({ budgetMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ skipped: null, ran: 1, cutShort: true });
    expect(store.records().map((record) => record.taskId)).toEqual(['job.slow/1']);
  });

  it('an aborted signal ends the run the same way', async () => {
    const store = memoryStore();
    await seed(store, [{ taskId: 'job.slow/2', constraints: CHARGING }]);
    const runner = serviceWorkerRunner({ name: 'app', tasks: [slow], store: () => store, platform: OFFLINE_CHARGING, logger: quiet });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await runner.runDue({ signal: controller.signal })).toMatchObject({ ran: 1, cutShort: true });
  });

  it("answers only errand's tag, with waitUntil, and rejects a sync that leaves work waiting (the browser retries it)", async () => {
    const store = memoryStore();
    await seed(store, [{ taskId: 'job.quick/3', constraints: CHARGING }, { taskId: 'job.quick/4', constraints: { network: 'any' } }]);
    const runner = serviceWorkerRunner({ name: 'app', tasks: [quick], store: () => store, platform: OFFLINE_CHARGING, logger: quiet });
    const scope = new EventTarget();
    const results: unknown[] = [];
    const stop = runner.listen(scope, { onResult: (result, event) => results.push([event.type, result.ran]) });
    const dispatch = (type: string, tag: string, lastChance = false) => {
      const kept: Promise<unknown>[] = [];
      scope.dispatchEvent(Object.assign(new Event(type), { tag, lastChance, waitUntil: (p: Promise<unknown>) => kept.push(p) }));
      return kept;
    };
    expect(dispatch('sync', 'other-tag')).toEqual([]);
    const [sync] = dispatch('sync', syncTagFor('app'));
    await expect(sync).rejects.toThrow(/asking the browser to retry/);
    const [last] = dispatch('sync', syncTagFor('app'), true);
    await expect(last).resolves.toBeUndefined();
    const [periodic] = dispatch('periodicsync', syncTagFor('app'));
    await expect(periodic).resolves.toBeUndefined();
    expect(results).toEqual([['sync', 1], ['sync', 0], ['periodicsync', 0]]);
    stop();
    expect(dispatch('sync', syncTagFor('app'))).toEqual([]);
  });

  it('waits for work held back only by a worker slot: it runs once a slot frees', async () => {
    const store = memoryStore();
    await seed(store, [1, 2, 3].map((n) => ({ taskId: `job.quick/slot-${n}`, constraints: CHARGING })));
    const runner = serviceWorkerRunner({ name: 'app', tasks: [quick], store: () => store, platform: OFFLINE_CHARGING, logger: quiet, orchestrator: { maxConcurrentWorkers: 1 } });
    expect(await runner.runDue()).toMatchObject({ ran: 3, left: [], cutShort: false });
    expect(store.records()).toEqual([]);
  });

  it('checks its options', () => {
    expect(() => serviceWorkerRunner({ name: '', tasks: [] })).toThrow(/name/);
    expect(() => serviceWorkerRunner({ name: 'app', tasks: [{} as never] })).toThrow(/tasks/);
    const runner = serviceWorkerRunner({ name: 'app', tasks: [], store: () => memoryStore(), platform: testPlatform() });
    expect(() => runner.listen(new EventTarget(), { budgetMs: -1 })).toThrow(ValidationError);
    expect(() => runner.listen(new EventTarget(), { retries: 3 } as never)).toThrow(/retries/);
  });

  it('refuses bad runDue options with a ValidationError naming them', async () => {
    const runner = serviceWorkerRunner({ name: 'app', tasks: [], store: () => memoryStore(), platform: testPlatform() });
    await expect(runner.runDue({ budgetMs: Number.NaN })).rejects.toMatchObject({ name: 'ValidationError', field: 'budgetMs' });
    await expect(runner.runDue({ signal: 'stop' as never })).rejects.toMatchObject({ name: 'ValidationError', field: 'signal' });
  });
});

describe('serviceWorkerPlatform', () => {
  it('reports the network as the worker sees it, and never the foreground', () => {
    const scope = Object.assign(new EventTarget(), { navigator: { onLine: false } });
    const platform = serviceWorkerPlatform(scope);
    expect(platform.current()).toEqual({ online: false, metered: false, foreground: false });
    const events: unknown[] = [];
    const stop = platform.subscribe((event) => events.push(event));
    scope.navigator.onLine = true;
    scope.dispatchEvent(new Event('online'));
    stop();
    scope.dispatchEvent(new Event('offline'));
    expect(events).toEqual([{ type: 'network', online: true, metered: false }]);
  });
});

describe('registerBackgroundSync in Node (a stub service worker container)', () => {
  const scope = globalThis as { SyncManager?: unknown };
  afterEach(() => {
    delete scope.SyncManager;
  });

  it('registers the tag once per spell of work waiting for the network, not once per transition', async () => {
    scope.SyncManager = class {};
    const tags: string[] = [];
    const registration = { sync: { register: async (tag: string) => void tags.push(tag), getTags: async () => tags } };
    const serviceWorker = { ready: Promise.resolve(registration) } as unknown as ServiceWorkerContainer;
    const platform = testPlatform({ online: false });
    const task = defineTask({ id: 'job.net', run: async () => 'ok' });
    const orchestrator = createOrchestrator({ platform }).register(task);
    const stop = registerBackgroundSync(orchestrator, { name: 'app', serviceWorker });
    expect(stop.supported).toBe(true);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job.net/1', constraints: { network: 'any' } });
    await orchestrator.schedule({ taskId: 'job.net/2', constraints: { network: 'any' } });
    platform.push({ type: 'network', online: false, metered: true }); // a transition, same spell
    await sleep(10);
    expect(tags).toEqual([syncTagFor('app')]);
    platform.push({ type: 'network', online: true });
    await Promise.all([orchestrator.result('job.net/1'), orchestrator.result('job.net/2')]);
    platform.push({ type: 'network', online: false });
    await orchestrator.schedule({ taskId: 'job.net/3', constraints: { network: 'any' } });
    await sleep(10);
    expect(tags).toEqual([syncTagFor('app'), syncTagFor('app')]);
    stop();
    await orchestrator.schedule({ taskId: 'job.net/4', constraints: { network: 'any' } });
    await orchestrator.shutdown();
  });

  it('does nothing where the browser has no Background Sync, and says so', () => {
    const stop = registerBackgroundSync(createOrchestrator(), { name: 'app', serviceWorker: {} as ServiceWorkerContainer });
    expect(stop.supported).toBe(false);
    stop();
  });
});

interface SwPage {
  install(): Promise<void>;
  scheduleStored(taskId: string, id: number): Promise<void>;
  stored(): Promise<string[]>;
  log(): Promise<LogEntry[]>;
  holdLeader(): Promise<void>;
  releaseLeader(): void;
  leadWithCoordinator(): Promise<string>;
  stopLeading(): Promise<void>;
  holdPresence(): Promise<void>;
  releasePresence(): void;
  scheduleEphemeral(taskId: string, id: number): Promise<void>;
  waitForNetwork(taskId: string, id: number): Promise<{ supported: boolean; status: string | undefined; unmet: readonly string[] }>;
  stopWaiting(): Promise<void>;
  online(): boolean;
  periodic(): Promise<{ answer: string; tags: string[] }>;
  syncTags(): Promise<string[]>;
}
declare const errandSw: SwPage;
declare const errandSwLog: () => Promise<LogEntry[]>;
declare const errandSwRunDue: () => Promise<{ skipped: string | null; ran: number; left: string[]; cutShort: boolean; needsWakeUp: boolean }>;

const entry = (file: string) => new URL(`./browser/${file}`, import.meta.url).pathname;
const TAG = syncTagFor(APP);

describe.skipIf(!runnable)('errand/service-worker in Chromium', () => {
  let session: ChromiumSession;
  const pageErrors = () => (session.errors.length > 0 ? `\npage errors:\n${session.errors.join('\n')}` : '');

  afterAll(async () => {
    await session?.close();
  });

  /**
   * DevTools on a blank tab (not of the app's origin, so not a client of its worker): Chromium's
   * ServiceWorker domain is there, not on the browser target. Resolves with the app's registration id.
   */
  async function devtools(): Promise<{ cdp: CDPSession; registrationId: string; close(): Promise<void> }> {
    const blank = await session.context.newPage();
    const cdp = await session.context.newCDPSession(blank);
    const scopes = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      for (const registration of registrations) {
        if (registration.isDeleted) scopes.delete(registration.scopeURL);
        else scopes.set(registration.scopeURL, registration.registrationId);
      }
    });
    await cdp.send('ServiceWorker.enable');
    const registrationId = await until(async () => scopes.get(`${session.origin()}/`), (id) => id !== undefined);
    return { cdp, registrationId: registrationId!, close: () => blank.close() };
  }

  /** The log, read inside the service worker itself (so no page of the origin needs to open). */
  async function workerLog(): Promise<LogEntry[]> {
    for (const worker of session.context.serviceWorkers()) {
      if (!worker.url().startsWith(session.origin())) continue;
      try {
        return await worker.evaluate(() => errandSwLog());
      } catch {
        // a worker that stopped meanwhile
      }
    }
    return [];
  }
  const results = (log: LogEntry[]) => log.filter((e): e is Extract<LogEntry, { kind: 'result' }> => e.kind === 'result');
  const runsOf = (log: LogEntry[], taskId: string) => log.filter((e) => e.kind === 'run' && e.taskId === taskId);

  /** Stops every worker, dispatches `event` through DevTools, and resolves with the log once the woken run has written its result. */
  async function wakeWith(event: 'sync' | 'periodicsync', before: number): Promise<LogEntry[]> {
    const tools = await devtools();
    try {
      await tools.cdp.send('ServiceWorker.stopAllWorkers');
      const target = { origin: session.origin(), registrationId: tools.registrationId, tag: TAG };
      if (event === 'sync') await tools.cdp.send('ServiceWorker.dispatchSyncEvent', { ...target, lastChance: false });
      else await tools.cdp.send('ServiceWorker.dispatchPeriodicSyncEvent', target);
      return await until(workerLog, (log) => results(log).length > before);
    } finally {
      await tools.close();
    }
  }

  async function scheduleAndClose(taskId: string, id: number): Promise<number> {
    const page = await session.open('sw');
    await page.evaluate(() => errandSw.install());
    await page.evaluate(([t, i]) => errandSw.scheduleStored(t, i), [taskId, id] as const);
    expect(await page.evaluate(() => errandSw.stored()), pageErrors()).toContain(`${taskId}:constrained`);
    const before = results(await page.evaluate(() => errandSw.log())).length;
    await page.close();
    return before;
  }

  const storedIds = (stored: string[]) => stored.map((entry) => entry.slice(0, entry.lastIndexOf(':')));

  async function storedNow(): Promise<string[]> {
    const page = await session.open('sw');
    try {
      return await page.evaluate(() => errandSw.stored());
    } finally {
      await page.close();
    }
  }

  beforeAll(async () => {
    session = await openChromium({ sw: entry('service-worker.page.ts') }, { 'errand-sw': entry('service-worker.sw.ts') });
  }, 60_000);

  it('with no page open, a sync event wakes the stopped worker, which runs the stored work', async () => {
    const before = await scheduleAndClose('photo.upload/sync', 1);
    const log = await wakeWith('sync', before);
    expect(runsOf(log, 'photo.upload/sync')).toEqual([{ kind: 'run', taskId: 'photo.upload/sync', where: 'worker' }]);
    expect(results(log).at(-1)).toEqual({ kind: 'result', type: 'sync', skipped: null, ran: 1, left: [], cutShort: false, needsWakeUp: false, windows: 0 });
    expect(storedIds(await storedNow())).not.toContain('photo.upload/sync');
  });

  it('with no page open, a periodicsync event (permission granted) does the same', async () => {
    const page = await session.open('sw');
    await page.evaluate(() => errandSw.install());
    expect(await page.evaluate(() => errandSw.periodic())).toEqual({ answer: 'not-allowed', tags: [] }); // not an installed app
    const browser = session.context.browser();
    if (!browser) throw new Error('no browser object for the persistent context');
    // The override lasts while this DevTools session does.
    const cdp = await browser.newBrowserCDPSession();
    try {
      await cdp.send('Browser.setPermission', { origin: session.origin(), permission: { name: 'periodic-background-sync' }, setting: 'granted' });
      expect(await page.evaluate(() => errandSw.periodic())).toEqual({ answer: 'registered', tags: [TAG] });
      await page.close();
      const before = await scheduleAndClose('photo.upload/periodic', 2);
      const log = await wakeWith('periodicsync', before);
      expect(runsOf(log, 'photo.upload/periodic')).toEqual([{ kind: 'run', taskId: 'photo.upload/periodic', where: 'worker' }]);
      expect(results(log).at(-1)).toMatchObject({ type: 'periodicsync', skipped: null, ran: 1, windows: 0 });
      expect(storedIds(await storedNow())).not.toContain('photo.upload/periodic');
    } finally {
      await cdp.detach();
    }
  });

  it('while a page holds the leader lock, a sync event runs nothing (leader-busy) and the work stays for the page', async () => {
    const page = await session.open('sw');
    await page.evaluate(() => errandSw.holdLeader());
    await page.evaluate(() => errandSw.scheduleStored('photo.upload/led', 3));
    const before = results(await page.evaluate(() => errandSw.log())).length;
    const log = await wakeWith('sync', before);
    expect(results(log).at(-1)).toMatchObject({ type: 'sync', skipped: 'leader-busy', ran: 0, windows: 1 });
    expect(runsOf(log, 'photo.upload/led')).toEqual([]);
    expect(await page.evaluate(() => errandSw.stored())).toContain('photo.upload/led:constrained');
    // The lock let go, the next wake-up runs it.
    await page.evaluate(() => errandSw.releaseLeader());
    const after = await wakeWith('sync', results(log).length);
    expect(runsOf(after, 'photo.upload/led')).toHaveLength(1);
    await page.close();
  });

  it('while a page leads through tabCoordinator, the worker stands down; once it shuts down, the worker runs the work', async () => {
    const page = await session.open('sw');
    expect(await page.evaluate(() => errandSw.leadWithCoordinator())).toBe('leader');
    await page.evaluate(() => errandSw.scheduleStored('photo.upload/tab-led', 5));
    const before = results(await page.evaluate(() => errandSw.log())).length;
    const log = await wakeWith('sync', before);
    expect(results(log).at(-1)).toMatchObject({ type: 'sync', skipped: 'leader-busy', ran: 0 });
    expect(runsOf(log, 'photo.upload/tab-led')).toEqual([]);
    await page.evaluate(() => errandSw.stopLeading());
    const after = await wakeWith('sync', results(log).length);
    expect(runsOf(after, 'photo.upload/tab-led')).toEqual([{ kind: 'run', taskId: 'photo.upload/tab-led', where: 'worker' }]);
    await page.close();
  });

  it("a worker run keeps ephemeral work while a tab of the app is open, and erases it when none is", async () => {
    const page = await session.open('sw');
    await page.evaluate(() => errandSw.scheduleEphemeral('photo.upload/eph', 6));
    await page.evaluate(() => errandSw.holdPresence());
    const before = results(await page.evaluate(() => errandSw.log())).length;
    const log = await wakeWith('sync', before);
    expect(results(log).at(-1)).toMatchObject({ type: 'sync', skipped: null });
    expect(storedIds(await page.evaluate(() => errandSw.stored()))).toContain('photo.upload/eph');
    await page.evaluate(() => errandSw.releasePresence());
    await wakeWith('sync', results(log).length);
    expect(storedIds(await page.evaluate(() => errandSw.stored()))).not.toContain('photo.upload/eph');
    await page.close();
  });

  it('offline, a page registers the sync tag for network-constrained work; back online, the browser fires it and the worker runs the work', async () => {
    const page = await session.open('sw');
    await page.evaluate(() => errandSw.install());
    const resultsBefore = results(await page.evaluate(() => errandSw.log())).length;
    await session.context.setOffline(true);
    try {
      expect(await page.evaluate(() => errandSw.online())).toBe(false);
      const waiting = await page.evaluate(() => errandSw.waitForNetwork('photo.upload/offline', 4));
      expect(waiting).toEqual({ supported: true, status: 'constrained', unmet: ['network'] });
      expect(await until(() => page.evaluate(() => errandSw.syncTags()), (tags) => tags.includes(TAG))).toEqual([TAG]);
      await sleep(1_000);
      const offlineLog = await page.evaluate(() => errandSw.log());
      expect(runsOf(offlineLog, 'photo.upload/offline')).toEqual([]);
      expect(results(offlineLog)).toHaveLength(resultsBefore); // the browser holds the sync event back while offline
      // The page lets go of its orchestrator, so what runs the work once the network is back is the worker.
      await page.evaluate(() => errandSw.stopWaiting());
    } finally {
      await session.context.setOffline(false);
    }
    const log = await until(() => page.evaluate(() => errandSw.log()), (entries) => runsOf(entries, 'photo.upload/offline').length > 0);
    expect(runsOf(log, 'photo.upload/offline')).toEqual([{ kind: 'run', taskId: 'photo.upload/offline', where: 'worker' }]);
    // Fired by the browser itself on reconnect (nothing was dispatched through DevTools here).
    const fired = await until(() => page.evaluate(() => errandSw.log()), (entries) => results(entries).length > resultsBefore);
    expect(results(fired).slice(resultsBefore)).toEqual([expect.objectContaining({ type: 'sync', skipped: null, ran: 1, needsWakeUp: false, windows: 1 })]);
    expect(await until(() => page.evaluate(() => errandSw.syncTags()), (tags) => tags.length === 0)).toEqual([]);
    expect(storedIds(await page.evaluate(() => errandSw.stored()))).not.toContain('photo.upload/offline');
    await page.close();
  });

  it('offline, a run in the worker runs nothing that needs the network and says a later wake-up has work', async () => {
    const page = await session.open('sw');
    await page.evaluate(() => errandSw.install());
    await page.evaluate(() => errandSw.scheduleStored('photo.upload/dark', 6));
    const worker = session.context.serviceWorkers().find((w) => w.url().startsWith(session.origin()));
    if (!worker) throw new Error('the worker is not running');
    // A sync event dispatched through DevTools while offline never reached the worker (waited 15 s): call runDue itself.
    await session.context.setOffline(true); // playwright's emulation reaches the worker too: its navigator.onLine is false
    try {
      // The emulation reaches the worker a moment later on a loaded machine: wait for it rather than race it.
      expect(await until(() => worker.evaluate(() => navigator.onLine), (online) => !online)).toBe(false);
      expect(await worker.evaluate(() => errandSwRunDue())).toEqual({ skipped: null, ran: 0, left: ['photo.upload/dark:constrained'], cutShort: false, needsWakeUp: true });
    } finally {
      await session.context.setOffline(false);
    }
    expect(await worker.evaluate(() => errandSwRunDue())).toMatchObject({ ran: 1, left: [], needsWakeUp: false });
    expect(runsOf(await page.evaluate(() => errandSw.log()), 'photo.upload/dark')).toEqual([{ kind: 'run', taskId: 'photo.upload/dark', where: 'worker' }]);
    await page.close();
  });

  // Last: restarting the browser ends every page opened before.
  it('after a browser restart, with no page open, a sync event wakes the worker and runs the work stored before it', async () => {
    const before = await scheduleAndClose('photo.upload/restart', 5);
    await session.restart();
    const log = await wakeWith('sync', before);
    expect(runsOf(log, 'photo.upload/restart')).toEqual([{ kind: 'run', taskId: 'photo.upload/restart', where: 'worker' }]);
    expect(results(log).at(-1)).toMatchObject({ type: 'sync', skipped: null, ran: 1, windows: 0 });
    expect(storedIds(await storedNow())).not.toContain('photo.upload/restart');
  });
});
