// A page that imports `errand` must not pull in Node's worker_threads (fireAndForgetIO's pool):
// package.json's "browser" field swaps the piscina loader for one that rejects.
import { fileURLToPath } from 'node:url';
import { build, createLogger, type Rollup, type UserConfig } from 'vite';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./fixtures/browser-entry.ts', import.meta.url));

interface Bundle {
  modules: string[];
  warnings: string[];
  /** Every chunk's code, lazy ones included. */
  code: string;
  /** Modules of chunks loaded by a dynamic import() only. */
  lazyModules: string[];
}

async function bundle(resolve: UserConfig['resolve'] = {}, input = entry): Promise<Bundle> {
  const warnings: string[] = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (message) => void warnings.push(message);
  logger.warnOnce = (message) => void warnings.push(message);
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    customLogger: logger,
    resolve,
    build: { write: false, minify: false, rollupOptions: { input } },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunks = outputs.flatMap((output) => output.output).filter((item): item is Rollup.OutputChunk => item.type === 'chunk');
  return {
    modules: chunks.flatMap((chunk) => chunk.moduleIds),
    warnings,
    code: chunks.map((chunk) => chunk.code).join('\n'),
    lazyModules: chunks.filter((chunk) => chunk.isDynamicEntry && !chunk.isEntry).flatMap((chunk) => chunk.moduleIds),
  };
}

describe('browser bundle', () => {
  it('swaps the piscina loader, so no piscina or Node module reaches the page', async () => {
    const { modules, warnings } = await bundle();
    expect(modules.some((id) => id.includes('load-piscina.browser.ts'))).toBe(true);
    expect(modules.filter((id) => id.includes('/piscina/'))).toEqual([]);
    expect(warnings.filter((message) => message.includes('externalized for browser compatibility'))).toEqual([]);
  });

  it('would pull piscina in without the browser field (the check above can fail)', async () => {
    const { modules } = await bundle({ mainFields: ['module', 'jsnext:main', 'jsnext'] });
    expect(modules.some((id) => id.includes('/piscina/'))).toBe(true);
  });
});

describe('errand/devtools stays out of apps that do not import it', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  // PANEL_MARKER (src/devtools/panel.tsx) marks the panel's root element, so its code carries the string.
  const marker = 'errand-devtools-panel';

  it('an app importing errand and errand/react ships none of the devtools code', async () => {
    const { modules, code } = await bundle({}, fixture('react-app-entry.ts'));
    expect(modules.some((id) => id.includes('/src/react/'))).toBe(true);
    expect(modules.filter((id) => id.includes('/src/devtools/'))).toEqual([]);
    expect(code).not.toContain(marker);
    expect(code).not.toContain('errand devtools');
  });

  it('an app importing errand/devtools ships it, the panel in a lazy chunk (the check above can fail)', async () => {
    const { modules, code, lazyModules } = await bundle({}, fixture('devtools-app-entry.ts'));
    expect(modules.some((id) => id.includes('/src/devtools/panel.tsx'))).toBe(true);
    expect(lazyModules.some((id) => id.includes('/src/devtools/panel.tsx'))).toBe(true);
    expect(code).toContain(marker);
  });
});

describe('fireAndForgetIO in a browser bundle', () => {
  it('fails with an ErrandError that says why, which the helper logs with its name', async () => {
    const { loadPiscina } = await import('../src/background/load-piscina.browser.js');
    await expect(loadPiscina()).rejects.toThrow(expect.objectContaining({ name: 'ErrandError', message: expect.stringMatching(/needs Node worker threads/) }));
  });
});
