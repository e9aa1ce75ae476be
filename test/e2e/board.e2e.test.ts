// End to end in a real browser: builds the Storybook, serves it on 127.0.0.1 and drives the
// "Step through" story in headless Chromium (Debian's /usr/bin/chromium; .ci/run installs it).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = join(root, 'test-artifacts');
const STORY = 'errand-scenarios--step-through';

// On a developer machine without Chromium the test is skipped; in CI a missing browser fails it.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** A tiny static file server for the built Storybook. */
function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      let file = normalize(join(dir, path));
      if (file !== dir && !file.startsWith(dir + sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end('not found');
      }
    })();
  });
  return new Promise((ready) => server.listen(0, '127.0.0.1', () => ready(server)));
}

function buildStorybook(outDir: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(join(root, 'node_modules/.bin/storybook'), ['build', '-o', outDir, '--quiet'], {
      cwd: root,
      env: { ...process.env, STORYBOOK_DISABLE_TELEMETRY: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`storybook build exited ${code}:\n${output.slice(-4000)}`))));
  });
}

describe.skipIf(!runnable)('task board in Chromium', () => {
  let workDir = '';
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'errand-e2e-'));
    const built = join(workDir, 'storybook');
    await buildStorybook(built);
    server = await serve(resolve(built));
    context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1000, height: 760 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('shows a task moving from pending through running to done', async () => {
    const { port } = server!.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/iframe.html?id=${STORY}&viewMode=story`);
    const row = page.locator('tr[data-task-id="report.build"]');
    const advance = page.getByRole('button', { name: 'Advance 1 s' });
    await row.waitFor({ timeout: 20_000 });

    const seen: string[] = [];
    const statusNow = async () => (await row.getAttribute('data-status')) ?? '';
    await mkdir(artifacts, { recursive: true });
    for (let step = 0; step < 10; step++) {
      const status = await statusNow();
      if (seen[seen.length - 1] !== status) {
        seen.push(status);
        await page.screenshot({ path: join(artifacts, `board-${seen.length}-${status}.png`) });
      }
      if (status === 'done') break;
      await advance.click();
      await expect.poll(async () => advance.isEnabled(), { timeout: 5_000 }).toBe(true);
    }
    expect(seen).toEqual(['pending', 'running', 'done']);

    // The row and the timeline say the same, with accessible markup.
    await expect.poll(() => page.getByRole('progressbar', { name: 'Progress of report.build' }).getAttribute('aria-valuenow')).toBe('100');
    const timeline = page.getByRole('list', { name: 'Transitions of report.build' }).getByRole('listitem');
    expect(await timeline.evaluateAll((items) => items.map((li) => li.getAttribute('data-status')))).toEqual([
      'pending',
      'running',
      'done',
    ]);
    await page.screenshot({ path: join(artifacts, 'board.png'), fullPage: true });
    expect(existsSync(join(artifacts, 'board.png'))).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
