// Tabs of one app in real Chromium sharing an indexedDbStore through tabCoordinator (Web Locks +
// BroadcastChannel): exactly one tab runs the stored work; when it closes or crashes, another takes over.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM, openChromium, type ChromiumSession } from './browser/chromium.js';
import type { RunEntry } from './browser/tabs.page.js';

// On a developer machine without Chromium the tests are skipped; in CI a missing browser fails them.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

interface TabsPage {
  start(label: string): Promise<string>;
  role(): string;
  promotedAt(): number | null;
  schedule(prefix: string, count: number, ms: number): Promise<void>;
  result(taskId: string): Promise<string>;
  status(taskId: string): Promise<string | null>;
  runNow(taskId: string): Promise<string>;
  stored(): Promise<number>;
  unfinished(): Promise<number>;
  runs(): Promise<RunEntry[]>;
}
declare const errandTabs: TabsPage;

const entry = fileURLToPath(new URL('./browser/tabs.page.ts', import.meta.url));

let session: ChromiumSession | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

async function openTabs(labels: string[]): Promise<Page[]> {
  session = await openChromium({ tabs: entry });
  const pages: Page[] = [];
  for (const label of labels) {
    const page = await session.open('tabs');
    await page.evaluate((l) => errandTabs.start(l), label);
    pages.push(page);
  }
  return pages;
}

const errors = () => (session && session.errors.length > 0 ? `\npage errors:\n${session.errors.join('\n')}` : '');

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value).slice(0, 500)}${errors()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const runsBy = (runs: RunEntry[], taskId: string) => runs.filter((r) => r.taskId === taskId).map((r) => `${r.tab}#${r.attempt}`);

describe.skipIf(!runnable)('tabs sharing one store (Chromium)', () => {
  for (const labels of [['A', 'B'], ['A', 'B', 'C']]) {
    it(`${labels.length} tabs, 500 tasks scheduled from all of them: one leader runs each exactly once; followers hear the results`, async () => {
      const pages = await openTabs(labels);
      const [a, b] = pages as [Page, Page];
      const last = pages[pages.length - 1]!;
      expect(await Promise.all(pages.map((p) => p.evaluate(() => errandTabs.role()))), errors()).toEqual(labels.map((_, i) => (i === 0 ? 'leader' : 'follower')));
      const share = Math.ceil(500 / pages.length);
      await Promise.all(pages.map((p, i) => p.evaluate(([prefix, count]) => errandTabs.schedule(prefix, count, 0), [labels[i]!.toLowerCase(), Math.min(share, 500 - share * i)] as const)));
      await until(() => a.evaluate(() => errandTabs.runs()), (r) => r.length >= 500, '500 runs');
      await new Promise((r) => setTimeout(r, 300)); // a run twice would show up by now
      const runs = await a.evaluate(() => errandTabs.runs());
      expect(runs).toHaveLength(500);
      expect(new Set(runs.map((r) => r.taskId)).size).toBe(500);
      expect(new Set(runs.map((r) => r.tab))).toEqual(new Set(['A']));
      expect(await last.evaluate(() => errandTabs.result('work/b-7'))).toBe('A did work/b-7');
      expect(await b.evaluate(() => errandTabs.status('work/a-3'))).toBe('done');
      await until(() => b.evaluate(() => errandTabs.stored()), (n) => n === 0, 'the store to empty');
    });
  }

  it("a runNow in a follower runs in that tab, not in the leader's", async () => {
    const [a, b] = await openTabs(['A', 'B']);
    expect(await b!.evaluate(() => errandTabs.runNow('work/now'))).toBe('B ran work/now now');
    expect(await a!.evaluate(() => errandTabs.runs())).toEqual([]);
  });

  for (const how of ['closed', 'crashed'] as const) {
    it(`when the leader is ${how} mid-run, the next tab takes over, re-runs the interrupted task once (attempt counted) and runs the rest once`, { timeout: 60_000 }, async () => {
      const [a, b, c] = await openTabs(['A', 'B', 'C']);
      await b!.evaluate(() => errandTabs.schedule('slow', 1, 60_000));
      await until(() => b!.evaluate(() => errandTabs.runs()), (r) => r.length === 1, 'the slow task to start in A');
      await c!.evaluate(() => errandTabs.schedule('quick', 20, 0));
      await until(() => b!.evaluate(() => errandTabs.runs()), (r) => r.length === 21, 'the quick tasks to run in A');
      // Done and stored as done: only the slow one is left in the store (a run not yet stored as done re-runs).
      await until(() => b!.evaluate(() => errandTabs.unfinished()), (n) => n === 1, 'the quick tasks to be stored done');
      const lostAt = Date.now();
      if (how === 'closed') await a!.close();
      else void (await a!.context().newCDPSession(a!)).send('Page.crash').catch(() => {}); // answered never: the page is gone
      const leader = await until(
        async () => [await b!.evaluate(() => errandTabs.promotedAt()), await c!.evaluate(() => errandTabs.promotedAt())],
        (at) => at.some((t) => t !== null),
        'another tab to take the lead',
      );
      const next = leader[0] !== null ? 'B' : 'C';
      const nextPage = next === 'B' ? b! : c!;
      console.log(`failover after the leader ${how}: ${Math.max(0, (leader.find((t) => t !== null) ?? 0) - lostAt)} ms`);
      await nextPage.evaluate(() => errandTabs.schedule('after', 10, 0));
      const runs = await until(() => nextPage.evaluate(() => errandTabs.runs()), (r) => r.length >= 32, 'the re-run and the new tasks');
      expect(runsBy(runs, 'work/slow-0')).toEqual(['A#1', `${next}#2`]);
      for (let i = 0; i < 20; i++) expect(runsBy(runs, `work/quick-${i}`)).toEqual(['A#1']);
      for (let i = 0; i < 10; i++) expect(runsBy(runs, `work/after-${i}`)).toEqual([`${next}#1`]);
      expect(runs).toHaveLength(32);
      expect(await nextPage.evaluate(() => errandTabs.status('work/slow-0'))).toBe('running');
    });
  }
});
