// Failover between tabs in real headless Chromium (Debian's /usr/bin/chromium via playwright-core, the helpers of
// test/browser/chromium.ts: esbuild bundles bench/tabs.page.ts, a local server serves it, a fresh temp profile):
// - errand: two tabs of one app (indexedDbStore + tabCoordinator, a task definition, maxConcurrentWorkers 1, a
//   new app name each round). The leader's one worker slot is held by a runNow that never ends; the follower
//   schedules a task due now, which the leader stores and keeps waiting (constrained, 'concurrency'). Then the
//   leader goes: `page.close()`, or its renderer crashed (CDP `Page.crash`, not awaited). Timed from that moment
//   to the follower's leader lock being granted, to its `role()` turning 'leader', and to the worker of the
//   waiting stored task starting in it.
// - raw: the platform primitive underneath, two plain pages: A holds `navigator.locks.request(name, ...)`, B
//   waits on the same lock; timed from A's close (or crash) to B's grant.
// Rounds alternate errand and raw, closed and crashed, so both see the same machine. The moment the leader goes
// is Node's Date.now() just before `page.close()` (or the crash command); the moments after are Date.now() in the
// page. Both read the same system clock on one machine (epoch ms), so the differences are good to about a
// millisecond. Only the ratios compare across machines.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CHROMIUM, openChromium, type ChromiumSession } from '../test/browser/chromium.js';
import type { TabTimes, TabsBench } from './tabs.page.js';

const ROUNDS = 15;
const TIMEOUT_MS = 20_000;
const GOAL_MS = 1_000;

declare const errandTabsBench: TabsBench;

type How = 'closed' | 'crashed';

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]): number => {
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
/** Nearest rank: the smallest value at or above 90% of the rounds. */
const p90 = (values: number[]): number => sorted(values)[Math.ceil(values.length * 0.9) - 1]!;
const max = (values: number[]): number => Math.max(...values);
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

let rounds = 0;
const nextName = (what: string) => `errand-tabs-bench-${what}-${Date.now()}-${rounds++}`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const end = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Ends `page` the way `how` says; resolves with Node's Date.now() read just before. */
async function lose(page: Page, how: How): Promise<number> {
  if (how === 'closed') {
    const at = Date.now();
    await page.close();
    return at;
  }
  const cdp = await page.context().newCDPSession(page);
  const at = Date.now();
  void cdp.send('Page.crash').catch(() => {}); // answered never: the page is gone
  return at;
}

interface ErrandRound {
  granted: number;
  leader: number;
  started: number;
}

async function errandRound(session: ChromiumSession, how: How): Promise<ErrandRound> {
  const name = nextName('errand');
  const a = await session.open('tabs');
  const b = await session.open('tabs');
  try {
    const roles = [await a.evaluate((n) => errandTabsBench.start(n), name), await b.evaluate((n) => errandTabsBench.start(n), name)];
    if (roles[0] !== 'leader' || roles[1] !== 'follower') throw new Error(`roles ${roles.join('/')}, expected leader/follower`);
    await a.evaluate(() => errandTabsBench.hold());
    await b.evaluate(() => errandTabsBench.scheduleWaiting());
    const waiting = await a.evaluate(() => errandTabsBench.waiting());
    if (waiting !== 'constrained(concurrency)') throw new Error(`the waiting task is ${waiting} in the leader, expected constrained(concurrency)`);
    const lostAt = await lose(a, how);
    const times = await until<TabTimes>(() => b.evaluate(() => errandTabsBench.times()), (t) => t.waitingStarted !== null && t.leader !== null, `tab B to lead and run the waiting task (leader ${how})`);
    if (times.role !== 'leader' || times.granted === null || times.leader === null || times.waitingStarted === null) throw new Error(`tab B: ${JSON.stringify(times)}`);
    return { granted: times.granted - lostAt, leader: times.leader - lostAt, started: times.waitingStarted - lostAt };
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
  }
}

async function rawRound(session: ChromiumSession, how: How): Promise<number> {
  const name = nextName('raw');
  const a = await session.open('tabs');
  const b = await session.open('tabs');
  try {
    await a.evaluate((n) => errandTabsBench.rawHold(n), name);
    await b.evaluate((n) => errandTabsBench.rawWait(n), name);
    await until(() => b.evaluate((n) => errandTabsBench.rawPending(n), name), (pending) => pending, "B's request to queue");
    const lostAt = await lose(a, how);
    const granted = await until(() => b.evaluate(() => errandTabsBench.rawGranted()), (t) => t !== null, `B's grant (holder ${how})`);
    return granted! - lostAt;
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
  }
}

interface Series {
  granted: number[];
  leader: number[];
  started: number[];
  raw: number[];
}

const stats = (values: number[]) =>
  `median ${median(values).toFixed(0).padStart(4)}  p90 ${p90(values).toFixed(0).padStart(4)}  max ${max(values).toFixed(0).padStart(4)} ms`;

export default async function tabsBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no Chromium at ${CHROMIUM} (the bench runs tabs of headless Chromium)`);
    return;
  }
  const session = await openChromium({ tabs: fileURLToPath(new URL('./tabs.page.ts', import.meta.url)) });
  try {
    const version = session.context.browser()?.version() ?? '?';
    const series: Record<How, Series> = {
      closed: { granted: [], leader: [], started: [], raw: [] },
      crashed: { granted: [], leader: [], started: [], raw: [] },
    };
    // Warm-up: one round of each, not counted.
    for (const how of ['closed', 'crashed'] as const) {
      await errandRound(session, how);
      await rawRound(session, how);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const how of ['closed', 'crashed'] as const) {
        const e = await errandRound(session, how);
        series[how].granted.push(e.granted);
        series[how].leader.push(e.leader);
        series[how].started.push(e.started);
        series[how].raw.push(await rawRound(session, how));
      }
    }
    console.log(
      `tab failover in headless Chromium ${version}, ${ROUNDS} alternating rounds: two tabs of errand (indexedDbStore + tabCoordinator), ` +
        `the leader gone with a task waiting in the store, vs two plain pages on one Web Lock (A holds it, B waits). ` +
        `From Node's Date.now() as the leader goes to the pages' Date.now() (one machine, one clock):`,
    );
    for (const how of ['closed', 'crashed'] as const) {
      const s = series[how];
      const label = how === 'closed' ? 'page.close()' : 'CDP Page.crash';
      const raw = median(s.raw);
      const ratio = (values: number[]) => (raw > 0 ? `${(median(values) / raw).toFixed(2)}x` : 'n/a (raw median 0 ms)');
      console.log(`  leader ${how} (${label}):`);
      console.log(`    raw Web Lock: B granted               ${stats(s.raw)}`);
      console.log(`    errand: leader lock granted           ${stats(s.granted)}  errand/raw ${ratio(s.granted)}`);
      console.log(`    errand: role() 'leader'               ${stats(s.leader)}  errand/raw ${ratio(s.leader)}`);
      console.log(
        `    errand: first stored task started     ${stats(s.started)}  errand/raw ${ratio(s.started)}  ` +
          `goal <= ${GOAL_MS} ms: median ${verdict(median(s.started) <= GOAL_MS)}, max ${verdict(max(s.started) <= GOAL_MS)}`,
      );
      console.log(`    errand: lock granted to task started  ${stats(s.started.map((t, i) => t - s.granted[i]!))}`);
    }
    if (session.errors.length > 0) console.log(`page errors:\n${session.errors.join('\n')}`);
  } finally {
    await session.close();
  }
}
