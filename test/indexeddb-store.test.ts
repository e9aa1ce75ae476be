// indexedDbStore in real Chromium: the shared store contract (test/store-contract.ts), bundled into a
// page and run case by case (one Vitest test per contract case), and records surviving a reload.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, openChromium, type ChromiumSession } from './browser/chromium.js';
import type { CaseResult } from './browser/vitest-shim.js';

// On a developer machine without Chromium the tests are skipped; in CI a missing browser fails them.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

const entry = (file: string) => fileURLToPath(new URL(`./browser/${file}`, import.meta.url));

interface ContractPage {
  caseNames(): string[];
  runCase(name: string): Promise<CaseResult>;
}
interface ReloadPage {
  schedule(taskId: string): Promise<void>;
  find(taskId: string): Promise<{ status: string; nextRunAt: number | null } | null>;
}
declare const errandTests: ContractPage;
declare const errandReload: ReloadPage;

// Top-level await: the contract's cases are only known once the page has collected them.
const session: ChromiumSession | null = runnable
  ? await openChromium({ contract: entry('indexeddb-contract.page.ts'), reload: entry('indexeddb-reload.page.ts') })
  : null;
const contractPage: Page | null = session ? await session.open('contract') : null;
const names: string[] = contractPage ? await contractPage.evaluate(() => errandTests.caseNames()) : [];

const pageErrors = () => (session && session.errors.length > 0 ? `\npage errors:\n${session.errors.join('\n')}` : '');

describe.skipIf(!runnable)('indexedDbStore in Chromium', () => {
  afterAll(async () => {
    await session?.close();
  });

  it('collects the whole store contract in the page', () => {
    expect(names.length, pageErrors()).toBeGreaterThan(25);
  });

  describe('contract', () => {
    for (const name of names) {
      it(name, async (ctx) => {
        const result = await contractPage!.evaluate((n) => errandTests.runCase(n), name);
        if (result.status === 'skipped') return ctx.skip(result.detail);
        if (result.status === 'failed') throw new Error(`${result.detail ?? 'failed'}${pageErrors()}`);
      });
    }
  });

  it('keeps a scheduled record across a page reload: a new orchestrator sees it', async () => {
    const page = await session!.open('reload');
    const before = Date.now();
    await page.evaluate(() => errandReload.schedule('report.build/1'));
    await page.reload({ waitUntil: 'load' });
    const found = await page.evaluate(() => errandReload.find('report.build/1'));
    expect(found?.status, pageErrors()).toBe('pending');
    expect(found?.nextRunAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(await page.evaluate(() => errandReload.find('report.build/never'))).toBeNull();
    await page.close();
  });
});
