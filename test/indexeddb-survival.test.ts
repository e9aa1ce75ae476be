// What a record scheduled on indexedDbStore survives in Chromium, beyond test/indexeddb-store.test.ts
// (reload, SIGKILL with durability 'strict', clean restart): a closed tab, SIGKILL with 'relaxed', and
// an off-the-record (Incognito) profile, where records last exactly as long as the profile.
// These are the "tested in Chromium" cells of the README's table. Page: test/browser/indexeddb-reload.page.ts.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchKillable, launchOffTheRecord, openChromium, type ChromiumSession } from './browser/chromium.js';

// On a developer machine without Chromium the tests are skipped; in CI a missing browser fails them.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

interface ReloadPage {
  schedule(taskId: string, ephemeral?: boolean): Promise<void>;
  find(taskId: string): Promise<{ status: string; nextRunAt: number | null } | null>;
}
declare const errandReload: ReloadPage;

describe.skipIf(!runnable)('what an indexedDbStore record survives in Chromium', () => {
  let session: ChromiumSession;
  beforeAll(async () => {
    session = await openChromium({ reload: fileURLToPath(new URL('./browser/indexeddb-reload.page.ts', import.meta.url)) });
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });

  it('a closed tab: a tab opened afterwards finds the record', async () => {
    const first = await session.open('reload');
    await first.evaluate(() => errandReload.schedule('report.build/tab-closed'));
    await first.close();
    const second = await session.open('reload');
    expect(await second.evaluate(() => errandReload.find('report.build/tab-closed'))).toMatchObject({ status: 'pending' });
    await second.close();
    expect(session.errors).toEqual([]);
  });

  it("the browser killed with SIGKILL right after a durability 'relaxed' schedule() resolved", async () => {
    const profile = await mkdtemp(join(tmpdir(), 'errand-chromium-kill-relaxed-'));
    const relaxed = `${session.url('reload')}?durability=relaxed`;
    try {
      const first = await launchKillable(profile);
      const page = await first.context.newPage();
      await page.goto(relaxed, { waitUntil: 'load' });
      await page.evaluate(() => errandReload.schedule('report.build/killed-relaxed'));
      await first.kill();
      const second = await launchKillable(profile);
      try {
        const again = await second.context.newPage();
        await again.goto(relaxed, { waitUntil: 'load' });
        expect(await again.evaluate(() => errandReload.find('report.build/killed-relaxed'))).toMatchObject({ status: 'pending' });
      } finally {
        await second.close();
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('an off-the-record (Incognito) profile: kept across its tabs and a reload, gone with the profile', async () => {
    const browser = await launchOffTheRecord();
    try {
      const incognito = await browser.newContext();
      const first = await incognito.newPage();
      await first.goto(session.url('reload'), { waitUntil: 'load' });
      await first.evaluate(() => errandReload.schedule('report.build/incognito'));
      await first.reload({ waitUntil: 'load' });
      expect(await first.evaluate(() => errandReload.find('report.build/incognito'))).toMatchObject({ status: 'pending' });
      await first.close();
      const second = await incognito.newPage();
      await second.goto(session.url('reload'), { waitUntil: 'load' });
      expect(await second.evaluate(() => errandReload.find('report.build/incognito'))).toMatchObject({ status: 'pending' });
      await incognito.close();

      // A new off-the-record profile, as a new Incognito session after the last Incognito window closed.
      const next = await browser.newContext();
      const page = await next.newPage();
      await page.goto(session.url('reload'), { waitUntil: 'load' });
      expect(await page.evaluate(() => errandReload.find('report.build/incognito'))).toBeNull();
      await next.close();
    } finally {
      await browser.close();
    }
  });
});
