// The example app (examples/browser) end to end: built with Vite, served on 127.0.0.1 and walked through its
// story in headless Chromium (Debian's /usr/bin/chromium): schedule a note offline, close the tab, open the app
// again on the same profile (the note comes back from IndexedDB), come back online, and it is uploaded. Then
// the service worker's part: a note scheduled offline, every tab closed, back online: the worker uploads it.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from './browser/chromium.js';
import { syncTagFor } from '../src/browser/index.js';
import type { UploadedNote } from '../examples/browser/uploads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const configFile = join(root, 'examples/browser/vite.config.ts');
const artifacts = join(root, 'test-artifacts');

// On a developer machine without Chromium the test is skipped; in CI a missing browser fails it.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

describe.skipIf(!runnable)('the browser example app (examples/browser) in Chromium', () => {
  let temp: string;
  let server: PreviewServer;
  let origin: string;
  let context: BrowserContext;
  const errors: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'errand-example-'));
    const outDir = join(temp, 'dist');
    // cacheDir in the temp folder: nothing written under node_modules.
    const overrides = { configFile, cacheDir: join(temp, 'vite-cache'), logLevel: 'silent' as const };
    await build({ ...overrides, build: { outDir, emptyOutDir: true } });
    server = await preview({ ...overrides, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview gave no local URL');
    origin = new URL(url).origin;
    context = await chromium.launchPersistentContext(join(temp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 760 },
    });
    context.on('page', (page) => {
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (msg) => void (msg.type() === 'error' && errors.push(`console: ${msg.text()}`)));
    });
    await mkdir(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  const open = async (): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    await page.getByRole('heading', { name: /durable work in the browser/ }).waitFor();
    return page;
  };
  const network = (page: Page) => page.getByRole('status', { name: 'Network' });
  const row = (page: Page, taskId: string) => page.locator(`tr[data-task-id="${taskId}"]`);
  /** Waits until the row of `taskId` shows `status`, and returns its text. */
  const rowIn = async (page: Page, taskId: string, status: string, timeout = 10_000): Promise<string> => {
    const located = page.locator(`tr[data-task-id="${taskId}"][data-status="${status}"]`);
    await located.waitFor({ timeout });
    return (await located.innerText()).replace(/\s+/g, ' ');
  };
  const schedule = async (page: Page, title: string, body: string): Promise<string> => {
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Text').fill(body);
    await page.getByRole('button', { name: 'Schedule upload' }).click();
    const log = page.getByRole('log');
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    await log.filter({ hasText: new RegExp(`^Scheduled note\\.upload/${slug}-`) }).waitFor(); // this call's, not an earlier one's
    const taskId = /^Scheduled (\S+):/.exec(await log.innerText())?.[1];
    if (!taskId) throw new Error(`no TaskId in "${await log.innerText()}"`);
    return taskId;
  };

  /** The registered sync tags of the app's service worker (resolves once it is active). */
  const syncTags = (page: Page) =>
    page.evaluate(async () => {
      const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { sync?: { getTags(): Promise<string[]> } };
      return registration.sync ? await registration.sync.getTags() : ['(no Background Sync)'];
    });
  /** What the example's stand-in server received, read from IndexedDB by a page that is no tab of the app. */
  const uploadsSeenByProbe = async (): Promise<UploadedNote[]> => {
    const probe = await context.newPage();
    try {
      await probe.goto(`${origin}/probe.html`, { waitUntil: 'load' }); // routed: a blank page, no app code
      return await probe.evaluate(
        () =>
          new Promise<UploadedNote[]>((resolve, reject) => {
            const request = indexedDB.open('errand-example-server');
            request.onerror = () => reject(request.error);
            request.onsuccess = () => {
              const db = request.result;
              if (!db.objectStoreNames.contains('notes')) return (db.close(), resolve([]));
              const all = db.transaction('notes').objectStore('notes').getAll();
              all.onsuccess = () => (db.close(), resolve(all.result as UploadedNote[]));
              all.onerror = () => (db.close(), reject(all.error));
            };
          }),
      );
    } finally {
      await probe.close();
    }
  };

  it('keeps a note scheduled offline across a closed tab, and uploads it once back online', { timeout: 90_000 }, async () => {
    const first = await open();
    await expect.poll(() => network(first).innerText()).toBe('Online');

    await context.setOffline(true);
    await expect.poll(() => network(first).innerText()).toBe('Offline');
    const note = await schedule(first, 'Groceries', 'milk, eggs, coffee');
    expect(note).toMatch(/^note\.upload\/groceries-[a-z0-9]+$/);
    expect(await rowIn(first, note, 'constrained')).toContain('waiting for network');

    // runNow has no constraints and no retries: offline, the fake upload throws and the caller sees it.
    await first.getByLabel('Title').fill('Draft');
    await first.getByRole('button', { name: 'Upload now' }).click();
    await first.getByRole('log').filter({ hasText: 'Upload now failed: offline' }).waitFor();

    // A second note, cancelled before it ever runs.
    const dropped = await schedule(first, 'Old draft', 'never mind');
    await rowIn(first, dropped, 'constrained');
    await first.getByRole('button', { name: `Cancel ${dropped}` }).click();
    expect(await rowIn(first, dropped, 'cancelled')).toContain('cancelled');
    await first.screenshot({ path: join(artifacts, 'example-browser-offline.png'), fullPage: true, animations: 'disabled' });
    await first.close();

    // Reopened while still offline. With airplane mode the page still loads from localhost; emulated offline
    // blocks loopback too, so the test hands Chromium the page itself (as the HTTP cache or a service worker would).
    await context.route(`${origin}/**`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response });
    });
    const second = await open();
    await expect.poll(() => network(second).innerText()).toBe('Offline');
    expect(await rowIn(second, note, 'constrained')).toContain('waiting for network'); // restored from IndexedDB
    expect(await row(second, dropped).count()).toBe(0); // cancelled work is not stored
    await second.screenshot({ path: join(artifacts, 'example-browser-reopened.png'), fullPage: true, animations: 'disabled' });

    await context.setOffline(false);
    await context.unrouteAll();
    await expect.poll(() => network(second).innerText()).toBe('Online');
    await rowIn(second, note, 'running');
    // Offline mid-upload: errand aborts the worker's signal and the note waits again; that attempt does not count.
    await context.setOffline(true);
    expect(await rowIn(second, note, 'constrained')).toContain('waiting for network');
    await context.setOffline(false);
    await rowIn(second, note, 'running');
    expect(await rowIn(second, note, 'done')).toContain('succeeded');
    expect(await row(second, note).locator('td').nth(1).innerText()).toBe('1'); // the attempt column
    const uploadedHere = second.getByRole('region', { name: 'Uploaded' }).locator(`li[data-task-id="${note}"]`);
    await expect.poll(() => uploadedHere.getAttribute('data-ran-in')).toBe('tab'); // this tab led, and ran it

    // The retrying task: busy twice (backoff 1 s, then 2 s), then done on its third attempt.
    await second.getByRole('button', { name: 'Schedule sync' }).click();
    expect(await rowIn(second, 'inbox.sync', 'backoff')).toMatch(/retry at/);
    expect(await rowIn(second, 'inbox.sync', 'done', 15_000)).toMatch(/succeeded 3\b/);
    // Scheduled again, then Run now while it backs off: the instant run pre-empts it and succeeds at once.
    await second.getByRole('button', { name: 'Schedule sync' }).click();
    await rowIn(second, 'inbox.sync', 'backoff');
    await second.getByRole('button', { name: 'Run now' }).click();
    expect(await rowIn(second, 'inbox.sync', 'running')).toContain('running now');
    expect(await rowIn(second, 'inbox.sync', 'done')).toMatch(/succeeded 1\b/);

    await second.getByRole('button', { name: note, exact: true }).click(); // its timeline since the tab opened
    const timeline = second.getByRole('list', { name: `Transitions of ${note}` });
    const states = () => timeline.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-status')));
    await expect.poll(states).toEqual(['constrained', 'running', 'constrained', 'running', 'done']);
    await second.screenshot({ path: join(artifacts, 'example-browser.png'), fullPage: true, animations: 'disabled' });
    expect(errors).toEqual([]);
  });

  it('uploads a note scheduled offline while every tab is closed: the service worker runs it once the network is back', { timeout: 90_000 }, async () => {
    for (const tab of context.pages()) await tab.close(); // the last test's tab: this one leads
    const page = await open();
    await expect.poll(() => network(page).innerText()).toBe('Online');
    const active = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
    expect(active).toBe(`${origin}/sw.js`); // vite build's second entry, at a stable path, scope `/`
    await expect.poll(() => syncTags(page)).toEqual([]); // nothing waits for the network yet

    await context.setOffline(true);
    await expect.poll(() => network(page).innerText()).toBe('Offline');
    const note = await schedule(page, 'Postcard', 'wish you were here');
    expect(await rowIn(page, note, 'constrained')).toContain('waiting for network');
    // registerBackgroundSync: the tab registered errand's tag, for the browser to fire once it is online.
    await expect.poll(() => syncTags(page), { timeout: 10_000 }).toEqual([syncTagFor('errand-example')]);
    await page.screenshot({ path: join(artifacts, 'example-browser-sw-offline.png'), fullPage: true, animations: 'disabled' });

    // Every page closed: no tab of the app is left to run the note.
    for (const tab of context.pages()) await tab.close();
    expect(context.pages()).toEqual([]);
    await context.route(`${origin}/probe.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>probe</title>' }));
    expect((await uploadsSeenByProbe()).map((upload) => upload.taskId)).not.toContain(note); // still offline: not run

    // Back online with no tab open. Nothing is dispatched through DevTools: Chromium fires the sync event itself.
    await context.setOffline(false);
    await expect
      .poll(async () => (await uploadsSeenByProbe()).find((upload) => upload.taskId === note), { timeout: 30_000, interval: 500 })
      .toMatchObject({ title: 'Postcard', bytes: 18, ranIn: 'service worker' });
    await context.unrouteAll();

    // The app opened again: the note is no longer stored (done, by the worker), and the page says who uploaded it.
    const back = await open();
    await expect.poll(() => network(back).innerText()).toBe('Online');
    const listed = back.getByRole('region', { name: 'Uploaded' }).locator(`li[data-task-id="${note}"]`);
    await expect.poll(() => listed.getAttribute('data-ran-in')).toBe('service worker');
    expect((await listed.innerText()).replace(/\s+/g, ' ')).toMatch(/^Postcard 18 bytes at .+ uploaded by the service worker$/);
    expect(await row(back, note).count()).toBe(0);
    expect(await syncTags(back)).toEqual([]); // the fired tag is gone
    await back.screenshot({ path: join(artifacts, 'example-browser-sw-done.png'), fullPage: true, animations: 'disabled' });
    expect(errors).toEqual([]);
  });
});
