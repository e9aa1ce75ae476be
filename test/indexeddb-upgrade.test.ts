// indexedDbStore's schema upgrades in real Chromium: the ordered migrations on a database laid out as
// v1 wrote it (with a test-only v2 step), and an upgrade between two real tabs of one browser, where
// the old tab either holds its connection (the upgrade is refused at once) or is errand's own store
// (it yields). Pages: test/browser/indexeddb-upgrade.page.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../src/core/schemas.js';
import { CHROMIUM, openChromium, type ChromiumSession } from './browser/chromium.js';
import type { Seen } from './browser/indexeddb-faults.page.js';

// On a developer machine without Chromium the tests are skipped; in CI a missing browser fails them.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

interface Layout {
  version: number;
  stores: string[];
  taskIndexes: string[];
  quarantined: number;
}
interface Contents {
  records: TaskRecord[];
  due: string[];
  held: string[];
  quarantinedNow: number;
  quarantine: string[];
}
interface UpgradePage {
  fresh(label: string): string;
  migratesV1(): Promise<{ steps: number[]; stepsAgain: number[]; layout: Layout; read: Contents; written: TaskRecord[] }>;
  migratesNew(): Promise<{ steps: number[]; layout: Layout }>;
  failedStep(): Promise<{ error: Seen | null; layout: Layout; read: Contents; written: TaskRecord[] }>;
  seed(name: string, taskIds: string[]): Promise<void>;
  holdRaw(name: string): Promise<number>;
  rawKeys(): Promise<string[]>;
  releaseRaw(): void;
  openStore(name: string, schema: 'current' | 'v2'): Promise<Seen | null>;
  storeIds(): Promise<{ ids: string[] | null; error: Seen | null }>;
  storeWrite(taskId: string): Promise<Seen | null>;
  closeStore(): Promise<void>;
  openCurrentAgain(name: string): Promise<Seen | null>;
  layout(name: string): Promise<Layout>;
  drop(name: string): Promise<void>;
}
declare const errandUpgrade: UpgradePage;

const V1_INDEXES = ['due', 'ephemeral', 'held', 'status'];
const byId = (records: TaskRecord[]) => [...records].sort((a, b) => a.taskId.localeCompare(b.taskId));

describe.skipIf(!runnable)('indexedDbStore schema upgrades in Chromium', () => {
  let session: ChromiumSession;
  const pageErrors = () => (session.errors.length > 0 ? `\npage errors:\n${session.errors.join('\n')}` : '');

  beforeAll(async () => {
    session = await openChromium({ upgrade: fileURLToPath(new URL('./browser/indexeddb-upgrade.page.ts', import.meta.url)) });
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });

  describe('migrations, in order, on a v1 database', () => {
    let page: Page;

    it('runs only the v2 step on a v1 database, and keeps every record, the indexes and the quarantine', async () => {
      page = await session.open('upgrade');
      const { steps, stepsAgain, layout, read, written } = await page.evaluate(() => errandUpgrade.migratesV1());
      expect(steps, pageErrors()).toEqual([2]);
      expect(stepsAgain).toEqual([]);
      expect(layout).toEqual({ version: 2, stores: ['quarantine', 'tasks'], taskIndexes: [...V1_INDEXES, 'updatedAt'].sort(), quarantined: 1 });
      // Every record exactly as v1 stored it, found through each of v1's indexes, none set aside.
      expect(byId(read.records)).toEqual(byId(written));
      expect(read.due).toEqual(['job/a', 'job/b']);
      expect(read.held).toEqual(['job/held']);
      expect(read.quarantinedNow).toBe(0);
      expect(read.quarantine).toEqual(['job/bad']);
    });

    it('runs every step, oldest first, on a new database', async () => {
      const { steps, layout } = await page.evaluate(() => errandUpgrade.migratesNew());
      expect(steps).toEqual([1, 2]);
      expect(layout).toEqual({ version: 2, stores: ['quarantine', 'tasks'], taskIndexes: [...V1_INDEXES, 'updatedAt'].sort(), quarantined: 0 });
    });

    it('a step that fails halfway: StoreOpenError, and the database stays v1 with its records unchanged', async () => {
      const { error, layout, read, written } = await page.evaluate(() => errandUpgrade.failedStep());
      expect(error?.name).toBe('StoreOpenError');
      expect(error?.detail).toMatch(/^errand-upgrade-failing-/);
      expect(error?.message).toMatch(/upgrading it from schema version 1 to 2 failed, so it keeps version 1 and its records: the v2 step fails on purpose$/);
      expect(layout).toEqual({ version: 1, stores: ['quarantine', 'tasks'], taskIndexes: V1_INDEXES, quarantined: 1 });
      // The row the step rewrote before failing is back as it was: nothing is quarantined.
      expect(byId(read.records)).toEqual(byId(written));
      expect(read.quarantinedNow).toBe(0);
      expect(session.errors, 'no uncaught error from the failed upgrade').toEqual([]);
      await page.close();
    });
  });

  describe('two tabs of one browser', () => {
    it('an old tab holding a bare connection that ignores versionchange: the new tab gets StoreOpenError at once; nothing is lost', async () => {
      const tabA = await session.open('upgrade');
      const tabB = await session.open('upgrade');
      const name = await tabA.evaluate(() => errandUpgrade.fresh('tabs-blocked'));
      await tabA.evaluate((n) => errandUpgrade.seed(n, ['job/a1', 'job/a2']), name);
      expect(await tabA.evaluate((n) => errandUpgrade.holdRaw(n), name)).toBe(1);

      const refused = await tabB.evaluate((n) => errandUpgrade.openStore(n, 'v2'), name);
      expect(refused?.name).toBe('StoreOpenError');
      expect(refused?.detail).toBe(name);
      expect(refused?.message).toBe(
        `cannot open errand store at ${name}: upgrading it from schema version 1 to 2 is blocked by another tab that still has it open; close the app's other tabs and reload`,
      );
      // Tab A keeps working on the old version meanwhile.
      expect(await tabA.evaluate(() => errandUpgrade.rawKeys())).toEqual(['job/a1', 'job/a2']);

      await tabA.evaluate(() => errandUpgrade.releaseRaw());
      expect(await tabB.evaluate((n) => errandUpgrade.openStore(n, 'v2'), name), pageErrors()).toBeNull();
      expect(await tabB.evaluate(() => errandUpgrade.storeIds())).toEqual({ ids: ['job/a1', 'job/a2'], error: null });
      await tabB.evaluate(() => errandUpgrade.closeStore());
      expect((await tabB.evaluate((n) => errandUpgrade.layout(n), name)).version).toBe(2);
      await tabB.evaluate((n) => errandUpgrade.drop(n), name);
      await tabA.close();
      await tabB.close();
    });

    it("an old tab with errand's store open: it yields, the new tab upgrades, the old tab's calls then reject with StoreOpenError", async () => {
      const tabA = await session.open('upgrade');
      const tabB = await session.open('upgrade');
      const name = await tabA.evaluate(() => errandUpgrade.fresh('tabs-yields'));
      expect(await tabA.evaluate((n) => errandUpgrade.openStore(n, 'current'), name)).toBeNull();
      expect(await tabA.evaluate(() => errandUpgrade.storeWrite('job/a1'))).toBeNull();
      expect(await tabA.evaluate(() => errandUpgrade.storeWrite('job/a2'))).toBeNull();

      // Not blocked: tab A's store closed its connection when tab B asked for version 2.
      expect(await tabB.evaluate((n) => errandUpgrade.openStore(n, 'v2'), name), pageErrors()).toBeNull();
      expect(await tabB.evaluate(() => errandUpgrade.storeIds())).toEqual({ ids: ['job/a1', 'job/a2'], error: null });

      const lost = `cannot open errand store at ${name}: another tab opened it with a newer schema; reload this page`;
      const read = await tabA.evaluate(() => errandUpgrade.storeIds());
      expect(read.ids).toBeNull();
      expect(read.error).toEqual({ name: 'StoreOpenError', message: lost, detail: name });
      expect(await tabA.evaluate(() => errandUpgrade.storeWrite('job/a3'))).toEqual({ name: 'StoreOpenError', message: lost, detail: name });
      // Reloaded with the old errand, tab A is refused rather than misreading the newer layout.
      const reopened = await tabA.evaluate((n) => errandUpgrade.openCurrentAgain(n), name);
      expect(reopened?.name).toBe('StoreOpenError');
      expect(reopened?.message).toMatch(/it was written by a newer errand \(this one reads up to schema version 1\)/);

      // Tab B still has both records and writes on; tab A's refused write left nothing behind.
      expect(await tabB.evaluate(() => errandUpgrade.storeWrite('job/b1'))).toBeNull();
      expect(await tabB.evaluate(() => errandUpgrade.storeIds())).toEqual({ ids: ['job/a1', 'job/a2', 'job/b1'], error: null });
      await tabA.evaluate(() => errandUpgrade.closeStore());
      await tabB.evaluate(() => errandUpgrade.closeStore());
      await tabB.evaluate((n) => errandUpgrade.drop(n), name);
      expect(session.errors).toEqual([]);
      await tabA.close();
      await tabB.close();
    });
  });
});
