// Runs bundled test pages in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// esbuild bundles each entry for the browser, a local http server serves it, and each test gets a
// fresh profile (--user-data-dir) in a temp folder.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The flags every browser test launches Chromium with. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const shim = fileURLToPath(new URL('./vitest-shim.ts', import.meta.url));

/** One ES module for the browser, with 'vitest' swapped for the in-page shim. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    alias: { vitest: shim },
    define: { 'process.env.NODE_ENV': '"test"' },
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}

export type Host = '127.0.0.1' | 'localhost';

export interface ChromiumSession {
  /** The running browser's context (a new one after `restart`). */
  readonly context: BrowserContext;
  /** http://<host>/<page>.html for each page given to `openChromium`; host 127.0.0.1 or localhost (another origin). */
  url(page: string, host?: Host): string;
  /**
   * A new tab on `page`, once its script has run; errors it throws are collected in `errors`.
   * `before` runs on the blank tab first (to set up the origin through CDP before the page touches it).
   */
  open(page: string, options?: { host?: Host; before?: (tab: Page) => Promise<void> }): Promise<Page>;
  /** Uncaught errors and console errors of every page, for failure messages. */
  errors: string[];
  /** Closes the browser cleanly and launches it again on the same profile (its pages are gone). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Bundles `pages` (name -> entry file), serves them, and launches Chromium on a fresh profile. */
export async function openChromium(pages: Record<string, string>): Promise<ChromiumSession> {
  const scripts = new Map<string, string>();
  for (const [name, entry] of Object.entries(pages)) scripts.set(name, await bundle(entry));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const html = /^\/([\w-]+)\.html$/.exec(path);
    const js = /^\/([\w-]+)\.js$/.exec(path);
    if (html?.[1] && scripts.has(html[1])) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${html[1]}</title><script type="module" src="/${html[1]}.js"></script>`);
    } else if (js?.[1] && scripts.has(js[1])) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(scripts.get(js[1]));
    } else if (path === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  const profile = await mkdtemp(join(tmpdir(), 'errand-chromium-'));
  const errors: string[] = [];
  const launch = async (): Promise<BrowserContext> => {
    const launched = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    launched.on('page', (page) => {
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => void (message.type() === 'error' && errors.push(`${page.url()}: console: ${message.text()}`)));
    });
    return launched;
  };
  let context: BrowserContext;
  try {
    context = await launch();
  } catch (error) {
    server.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const url = (page: string, host: Host = '127.0.0.1') => `http://${host}:${port}/${page}.html`;
  return {
    get context() {
      return context;
    },
    url,
    errors,
    async open(page, { host, before } = {}): Promise<Page> {
      const tab = await context.newPage();
      await before?.(tab);
      await tab.goto(url(page, host), { waitUntil: 'load' });
      return tab;
    },
    async restart(): Promise<void> {
      await context.close();
      context = await launch();
    },
    async close(): Promise<void> {
      await context.close();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A non-persistent Chromium: each `browser.newContext()` of it is an off-the-record profile, as an
 * Incognito window is (its storage lives in memory and goes with the context).
 */
export function launchOffTheRecord(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A browser this process started itself, so it can be killed without warning. */
export interface KillableBrowser {
  context: BrowserContext;
  /** SIGKILL to the browser's process group: no shutdown, no flush beyond what was already committed. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Chromium spawned here on `profile` and driven over CDP (playwright's persistent contexts do not
 * expose the browser's process). Spawned as its own process group, so a kill takes its renderers too.
 */
export async function launchKillable(profile: string): Promise<KillableBrowser> {
  const child = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const endpoint = await new Promise<string>((found, fail) => {
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) found(match[1]);
    });
    child.once('exit', (code) => fail(new Error(`chromium exited ${code} before listening:\n${output.slice(-2000)}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0];
  if (!context) throw new Error('chromium over CDP has no default context');
  const killGroup = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  return {
    context,
    async kill() {
      killGroup();
      await exited;
    },
    async close() {
      await browser.close().catch(() => {});
      killGroup();
      await exited;
    },
  };
}
