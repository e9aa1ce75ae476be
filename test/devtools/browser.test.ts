// <ErrandDevtools> in real Chromium with the network off: every request must stay on the local test
// server, and the panel must show each task's state in its statechart and its events in order.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, openChromium, type ChromiumSession } from '../browser/chromium.js';

const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';
const entry = fileURLToPath(new URL('../browser/devtools.page.tsx', import.meta.url));
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

interface DevtoolsPage {
  start(): Promise<void>;
  schedule(taskId: string, options: { delayMs?: number; seconds?: number; network?: 'any' }): Promise<void>;
  runNow(taskId: string, seconds: number): void;
  runNowResult(taskId: string): string | null;
  setOnline(online: boolean): void;
  advance(ms: number): Promise<void>;
  status(taskId: string): string | null;
}
declare const errandDevtoolsPage: DevtoolsPage;

let session: ChromiumSession | null = null;
let page: Page;
const requests: string[] = [];
const blocked: string[] = [];

const isLocal = (url: string) => /^(https?|wss?):\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url) || /^(data|blob|about):/.test(url);

beforeAll(async () => {
  if (!runnable) return;
  session = await openChromium({ devtools: entry });
  // No network: anything not on the local test server is aborted (and recorded).
  await session.context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
  session.context.on('request', (request) => void requests.push(request.url()));
  page = await session.open('devtools');
  await page.setViewportSize({ width: 1200, height: 900 });
  // The page is one bundle (the lazy panel inlined); from here the browser is offline altogether.
  await session.context.setOffline(true);
  await page.evaluate(() => errandDevtoolsPage.start());
  await page.getByRole('region', { name: 'errand devtools' }).waitFor();
  await mkdir(artifacts, { recursive: true });
}, 60_000);

afterAll(async () => {
  await session?.close();
  session = null;
});

const errors = () => (session && session.errors.length > 0 ? `\npage errors:\n${session.errors.join('\n')}` : '');

async function select(taskId: string): Promise<void> {
  const row = page.locator(`nav[aria-label="Task list"] li[data-task-id="${taskId}"] button`);
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await page.locator(`article[data-selected-task="${taskId}"]`).waitFor();
}

async function highlighted(): Promise<string[]> {
  return page.locator('svg[data-errand-devtools="statechart"] [data-state-node][aria-current="true"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-state-node') ?? ''));
}

async function expectState(taskId: string, state: string): Promise<void> {
  await expect.poll(() => page.locator(`article[data-selected-task="${taskId}"]`).getAttribute('data-status'), { timeout: 10_000 }).toBe(state);
  expect(await highlighted(), errors()).toEqual([state]);
}

/** The selected task's logged events that moved it (or re-entered running), as "TYPE from>to". */
async function steps(taskId: string): Promise<string[]> {
  const items = page.locator(`ol[aria-label="Events of ${taskId}"] li`);
  const all = await items.evaluateAll((lis) => lis.map((li) => ({ type: li.getAttribute('data-event-type') ?? '', from: li.getAttribute('data-from') ?? '', to: li.getAttribute('data-to') ?? '' })));
  return all.filter((e) => e.from !== e.to || e.type === 'RUN_NOW').map((e) => `${e.type} ${e.from || '-'}>${e.to}`);
}

async function lastEdges(): Promise<string[]> {
  return page.locator('svg[data-errand-devtools="statechart"] [data-last="true"]').evaluateAll((edges) => edges.map((e) => e.getAttribute('data-edge') ?? ''));
}

const shot = (name: string) => page.screenshot({ path: join(artifacts, `devtools-${name}.png`) });
const advance = (ms: number) => page.evaluate((n) => errandDevtoolsPage.advance(n), ms);

describe.skipIf(!runnable)('errand devtools in Chromium, offline', () => {
  it('scheduled: pending, then running with progress, then done', async () => {
    await page.evaluate(() => errandDevtoolsPage.schedule('work/report', { delayMs: 2_000, seconds: 4 }));
    await select('work/report');
    await expectState('work/report', 'pending');
    await shot('pending');
    await advance(3_000);
    await expectState('work/report', 'running');
    expect(await page.locator('[data-field="progress"]').textContent()).toBe('25%');
    expect(await lastEdges()).toEqual(['pending>running']);
    await shot('running');
    await advance(3_000);
    await expectState('work/report', 'done');
    expect(await steps('work/report')).toEqual(['xstate.init ->pending', 'xstate.after.untilNextRun.task.pending pending>running', 'WORK_DONE running>done']);
    expect(await page.locator('[data-field="progress"]').count()).toBe(0); // none shown once done
    await shot('done');
  });

  it('constrained: waits for the network, runs, and a run that loses it is aborted and says so', async () => {
    await page.evaluate(() => errandDevtoolsPage.setOnline(false));
    await page.evaluate(() => errandDevtoolsPage.schedule('work/upload', { network: 'any', seconds: 3 }));
    await select('work/upload');
    await expectState('work/upload', 'constrained');
    expect(await page.locator('[data-field="unmet"]').textContent()).toBe('network');
    await shot('constrained');
    await page.evaluate(() => errandDevtoolsPage.setOnline(true));
    await expectState('work/upload', 'running');
    await advance(1_000);
    await page.evaluate(() => errandDevtoolsPage.setOnline(false));
    await expectState('work/upload', 'constrained');
    expect(await lastEdges()).toEqual(['running>constrained']);
    const aborted = page.locator('ol[aria-label="Events of work/upload"] li[data-event-type="CONDITIONS_CHANGED"][data-from="running"]');
    expect(await aborted.textContent()).toContain('run aborted: its constraints no longer hold');
    await shot('constrained-lost');
    await page.evaluate(() => errandDevtoolsPage.setOnline(true));
    await advance(3_000);
    await expectState('work/upload', 'done');
    expect(await steps('work/upload')).toEqual([
      'xstate.init ->constrained',
      'CONDITIONS_CHANGED constrained>running',
      'CONDITIONS_CHANGED running>constrained',
      'CONDITIONS_CHANGED constrained>running',
      'WORK_DONE running>done',
    ]);
  });

  it('backoff: the first attempt throws, the retry waits, then succeeds; the error shows its cause', async () => {
    await page.evaluate(() => errandDevtoolsPage.schedule('sync', {}));
    await select('sync');
    await advance(0);
    await expectState('sync', 'backoff');
    expect(await lastEdges()).toEqual(['running>backoff']);
    expect(await page.locator('ol[aria-label="Events of sync"] li[data-event-type="WORK_FAILED"]').textContent()).toContain('the worker threw: 503 Service Unavailable');
    expect(await page.locator('[data-field="next run"]').textContent()).toMatch(/Z$/);
    expect(await page.getByRole('list', { name: 'Last error and its causes' }).getByRole('listitem').allTextContents()).toEqual(['Error: 503 Service Unavailable', 'Error: upstream timed out']);
    await shot('backoff');
    await advance(5_000);
    await expectState('sync', 'done');
    // Waiting out its backoff the task went dormant (only its record); it was activated again in backoff.
    expect(await steps('sync')).toEqual(['xstate.init ->running', 'WORK_FAILED running>backoff', 'xstate.init ->backoff', 'xstate.after.untilNextRun.task.backoff backoff>running', 'WORK_DONE running>done']);
    expect(await page.locator('[data-field="attempt"]').textContent()).toBe('2');
  });

  it('pre-empted: a runNow over a running task shows running -> running on the RUN_NOW edge', async () => {
    await page.evaluate(() => errandDevtoolsPage.schedule('work/feed', { seconds: 10 }));
    await select('work/feed');
    await advance(1_000);
    await expectState('work/feed', 'running');
    await page.evaluate(() => errandDevtoolsPage.runNow('work/feed', 2));
    await expect.poll(async () => (await steps('work/feed')).at(-1)).toBe('RUN_NOW running>running');
    await expectState('work/feed', 'running');
    expect(await lastEdges()).toEqual(['*>running']);
    expect(await page.locator('ol[aria-label="Events of work/feed"] li[data-event-type="RUN_NOW"]').textContent()).toContain('runNow pre-empted the run in flight');
    expect(await page.locator('[data-field="attempt"]').textContent()).toBe('— (runNow)');
    await shot('preempted');
    await advance(2_000);
    await expectState('work/feed', 'done');
    expect(await page.evaluate(() => errandDevtoolsPage.runNowResult('work/feed'))).toBe('pulled now');
    expect(await steps('work/feed')).toEqual(['xstate.init ->running', 'RUN_NOW running>running', 'WORK_DONE running>done']);
  });

  it('cancelled: the panel cancels a running task; run again schedules the same request', async () => {
    await page.evaluate(() => errandDevtoolsPage.schedule('work/export', { seconds: 5 }));
    await select('work/export');
    await advance(1_000);
    await expectState('work/export', 'running');
    await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Cancel' }).click();
    await expectState('work/export', 'cancelled');
    expect(await lastEdges()).toEqual(['*>cancelled']);
    expect(await page.locator('[data-field="cancel reason"]').textContent()).toBe('cancelled');
    await shot('cancelled');
    expect(await steps('work/export')).toEqual(['xstate.init ->running', 'CANCEL running>cancelled']);
    await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Run again' }).click();
    await expectState('work/export', 'running');
    expect(await page.evaluate(() => errandDevtoolsPage.status('work/export'))).toBe('running');
  });

  it('counted every state and never left localhost', async () => {
    const count = (status: string) => page.locator(`[data-count-status="${status}"] [data-count]`).textContent();
    expect(await count('done')).toBe('4');
    expect(await count('running')).toBe('1');
    // The app's board: a done run that never reported progress shows no 100%, a runNow no attempt.
    expect(await page.locator('tr[data-task-id="sync"] [aria-label="Progress of sync"]').textContent()).toBe('—');
    expect(await page.locator('tr[data-task-id="work/report"] [role="progressbar"]').getAttribute('aria-valuenow')).toBe('100');
    await shot('overview');
    expect(blocked).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !isLocal(url))).toEqual([]);
    expect(session?.errors ?? []).toEqual([]);
  });
});
