// devtoolsServer's page in real Chromium: the panel, over the server's WebSocket, follows a task of
// the orchestrator in this process as it changes state; off loopback, the page needs the token.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devtoolsServer } from '../../src/devtools/node.js';
import { CHROMIUM, launchOffTheRecord } from '../browser/chromium.js';
import { deferred, setup } from '../support.js';

const TOKEN = 'e2e-secret-token-0123456789';
const artifacts = fileURLToPath(new URL('../../test-artifacts', import.meta.url));

function reachableAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

// Skipped without Chromium outside CI, as the other browser tests are (README, "Working on errand").
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

let browser: Browser | undefined;
beforeAll(async () => {
  if (runnable) browser = await launchOffTheRecord();
});
afterAll(async () => {
  await browser?.close();
});

function chromium(): Browser {
  if (!browser) throw new Error('Chromium was not launched');
  return browser;
}

describe.skipIf(!runnable)('devtoolsServer in Chromium', () => {
  it('the page shows a task change state live', async () => {
    const { orchestrator, clock } = setup();
    const release = deferred<string>();
    orchestrator.register('job', () => release.promise);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/live', initialDelayMs: 1_000 });
    const server = await devtoolsServer({ orchestrator });
    const context = await chromium().newContext();
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(server.url);
      const task = page.locator('[data-task-id="job/live"]');
      await task.and(page.locator('[data-status="pending"]')).waitFor();

      await clock.advance(1_000);
      await task.and(page.locator('[data-status="running"]')).waitFor();
      release.resolve('finished');
      await clock.advance(0);
      await task.and(page.locator('[data-status="done"]')).waitFor();
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'devtools-server-page.png'), fullPage: true });

      // A task scheduled after the page opened appears too.
      await orchestrator.schedule({ taskId: 'job/later', initialDelayMs: 1_000 });
      await page.locator('[data-task-id="job/later"][data-status="pending"]').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
      await orchestrator.shutdown();
    }
  });

  it('bound off loopback with a token: refused without it, the panel with it', async () => {
    const { orchestrator } = setup();
    orchestrator.register('job', async () => 'ok');
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/guarded', initialDelayMs: 1_000 });
    const server = await devtoolsServer({ orchestrator, host: '0.0.0.0', token: TOKEN });
    const context = await chromium().newContext();
    try {
      const page = await context.newPage();
      const origin = `http://${reachableAddress()}:${server.port}`;
      const refused = await page.goto(`${origin}/`);
      expect(refused?.status()).toBe(401);
      expect(await page.locator('[data-task-id]').count()).toBe(0);

      const opened = await page.goto(`${origin}/?token=${TOKEN}`);
      expect(opened?.status()).toBe(200);
      await page.locator('[data-task-id="job/guarded"][data-status="pending"]').waitFor();
    } finally {
      await context.close();
      await server.close();
      await orchestrator.shutdown();
    }
  });
});
