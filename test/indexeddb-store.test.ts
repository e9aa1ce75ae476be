// indexedDbStore in real Chromium: the shared store contract (test/store-contract.ts), bundled into a
// page and run case by case (one Vitest test per contract case), and records surviving a reload.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrandError, StoreOpenError, ValidationError } from '../src/core/errors.js';
import { validationErrorOf } from './support.js';
import { indexedDbStore, type IndexedDbQuarantineEntry, type IndexedDbStoreOptions } from '../src/browser/index.js';
import type { QuarantinedRecord } from '../src/core/ports.js';
import { CHROMIUM, launchKillable, openChromium, type ChromiumSession } from './browser/chromium.js';
import type { Seen } from './browser/indexeddb-faults.page.js';
import type { CaseResult } from './browser/vitest-shim.js';

// On a developer machine without Chromium the tests are skipped; in CI a missing browser fails them.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

const entry = (file: string) => fileURLToPath(new URL(`./browser/${file}`, import.meta.url));

interface ContractPage {
  caseNames(): string[];
  runCase(name: string): Promise<CaseResult>;
}
interface ReloadPage {
  schedule(taskId: string, ephemeral?: boolean): Promise<void>;
  find(taskId: string): Promise<{ status: string; nextRunAt: number | null } | null>;
}
interface FaultsPage {
  newerSchema(): Promise<Seen | null>;
  blockedUpgrade(): Promise<Seen | null>;
  yieldsToNewer(): Promise<Seen | null>;
  unavailable(): Promise<Seen | null>;
  quota(): Promise<{ error: Seen | null; afterFailure: string[] }>;
  quarantine(): Promise<{ records: string[]; quarantined: QuarantinedRecord[]; entries: IndexedDbQuarantineEntry[]; rawEntries: number }>;
  relaxed(): Promise<string[]>;
}
declare const errandTests: ContractPage;
declare const errandReload: ReloadPage;
declare const errandFaults: FaultsPage;

// Top-level await: the contract's cases are only known once the page has collected them.
const session: ChromiumSession | null = runnable
  ? await openChromium({ contract: entry('indexeddb-contract.page.ts'), reload: entry('indexeddb-reload.page.ts'), faults: entry('indexeddb-faults.page.ts') })
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
      // The model case alone reads the store some 25,000 times (one transaction each): give it room.
      it(name, { timeout: 120_000 }, async (ctx) => {
        const result = await contractPage!.evaluate((n) => errandTests.runCase(n), name);
        if (result.status === 'skipped') return ctx.skip(result.detail);
        if (result.status === 'failed') throw new Error(`${result.detail ?? 'failed'}${pageErrors()}`);
      });
    }
  });

  it('keeps a scheduled record across a page reload: a new orchestrator sees it, and not the ephemeral one', async () => {
    const page = await session!.open('reload');
    const before = Date.now();
    await page.evaluate(() => errandReload.schedule('report.build/1'));
    await page.evaluate(() => errandReload.schedule('report.build/eph', true));
    await page.reload({ waitUntil: 'load' });
    const found = await page.evaluate(() => errandReload.find('report.build/1'));
    expect(found?.status, pageErrors()).toBe('pending');
    expect(found?.nextRunAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(await page.evaluate(() => errandReload.find('report.build/eph'))).toBeNull();
    expect(await page.evaluate(() => errandReload.find('report.build/never'))).toBeNull();
    await page.close();
  });

  describe('faults, as typed errors', () => {
    let page: Page;
    const faults = () => page;

    it('a database written by a newer errand: StoreOpenError naming it', async () => {
      page = await session!.open('faults');
      const error = await faults().evaluate(() => errandFaults.newerSchema());
      expect(error?.name).toBe('StoreOpenError');
      expect(error?.message).toMatch(/^cannot open errand store at errand-faults-newer-.*: it was written by a newer errand \(this one reads up to schema version 1\)/);
      expect(error?.detail).toMatch(/^errand-faults-newer-/);
    });

    it('an upgrade blocked by another connection: StoreOpenError at once, not a hang', async () => {
      const error = await faults().evaluate(() => errandFaults.blockedUpgrade());
      expect(error?.name).toBe('StoreOpenError');
      expect(error?.message).toMatch(/upgrading it from schema version 1 to 2 is blocked by another tab/);
    });

    it('an open store yields to another tab upgrading, then refuses calls with StoreOpenError', async () => {
      const error = await faults().evaluate(() => errandFaults.yieldsToNewer());
      expect(error?.name).toBe('StoreOpenError');
      expect(error?.message).toMatch(/another tab opened it with a newer schema; reload this page/);
    });

    it('no IndexedDB in the page: StoreOpenError', async () => {
      const error = await faults().evaluate(() => errandFaults.unavailable());
      expect(error?.name).toBe('StoreOpenError');
      expect(error?.message).toMatch(/IndexedDB is not available here/);
    });

    it('quota exceeded: StoreWriteError, nothing of the batch written', async () => {
      // On an origin of its own, with the quota set before the page opens any database (Chromium
      // keeps the quota it read when an origin's storage was first opened). The override lasts as long as the CDP session.
      const origin = new URL(session!.url('faults', 'localhost')).origin;
      let cdp: CDPSession | undefined;
      const tab = await session!.open('faults', {
        host: 'localhost',
        before: async (blank) => {
          cdp = await session!.context.newCDPSession(blank);
          await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 4_000_000 });
        },
      });
      const { error, afterFailure } = await tab.evaluate(() => errandFaults.quota());
      expect(error?.name).toBe('StoreWriteError');
      expect(error?.message).toMatch(/quota is exceeded; nothing of the batch was written/);
      expect(error?.detail).toBe('QuotaExceededError');
      expect(afterFailure).toEqual(['job/kept']);
      await cdp?.detach();
      await tab.close();
    });

    it('keeps quarantined rows as found, across instances', async () => {
      const { records, quarantined, entries, rawEntries } = await faults().evaluate(() => errandFaults.quarantine());
      expect(records).toEqual(['job/good']);
      expect(quarantined).toEqual([{ key: 'job/bad', reason: expect.stringMatching(/^invalid record: version: /) }]);
      expect(entries).toEqual([
        { key: 'job/bad', reason: quarantined[0]?.reason, data: { key: 'job/bad', record: { version: 99 }, status: 'pending', due: 1 }, quarantinedAt: expect.any(Number) },
      ]);
      expect(rawEntries).toBe(1);
    });

    it("durability 'relaxed' keeps its writes across instances", async () => {
      expect(await faults().evaluate(() => errandFaults.relaxed())).toEqual(['job/b']);
      expect(session!.errors.filter((e) => e.includes('/faults.html'))).toEqual([]);
      await page.close();
    });
  });

  it('keeps a record acknowledged right before the browser is killed with SIGKILL', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'errand-chromium-kill-'));
    try {
      const first = await launchKillable(profile);
      const page = await first.context.newPage();
      await page.goto(session!.url('reload'), { waitUntil: 'load' });
      await page.evaluate(() => errandReload.schedule('report.build/killed'));
      await first.kill();
      const second = await launchKillable(profile);
      try {
        const again = await second.context.newPage();
        await again.goto(session!.url('reload'), { waitUntil: 'load' });
        expect(await again.evaluate(() => errandReload.find('report.build/killed'))).toMatchObject({ status: 'pending' });
      } finally {
        await second.close();
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });

  // Last: restarting the browser ends every page opened before.
  it('keeps a scheduled record across a clean browser restart on the same profile', async () => {
    const page = await session!.open('reload');
    await page.evaluate(() => errandReload.schedule('report.build/restart'));
    await session!.restart();
    const again = await session!.open('reload');
    expect(await again.evaluate(() => errandReload.find('report.build/restart')), pageErrors()).toMatchObject({ status: 'pending' });
    expect(await again.evaluate(() => errandReload.find('report.build/1'))).toMatchObject({ status: 'pending' });
    await again.close();
  });
});

describe('indexedDbStore outside a browser', () => {
  const refused = (options: unknown): ValidationError => validationErrorOf(() => indexedDbStore(options as IndexedDbStoreOptions));

  it('checks its options when made', () => {
    expect(refused({ name: '' }).field).toBe('name');
    expect(refused({ name: 'app', durability: 'lazy' }).field).toBe('durability');
    expect(refused({ name: 'app', durabilty: 'relaxed' }).message).toMatch(/durabilty/);
    expect(() => indexedDbStore({ name: 'app', durability: 'relaxed' })).not.toThrow();
  });

  it('fails open() with a StoreOpenError where there is no IndexedDB, and other calls until opened', async () => {
    const store = indexedDbStore({ name: 'app' });
    await expect(store.get('job/a')).rejects.toThrow(ErrandError);
    const error = await store.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).path).toBe('app');
    await store.close();
    await expect(store.open()).rejects.toThrow(/closed/);
  });
});
