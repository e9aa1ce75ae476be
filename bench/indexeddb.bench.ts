// indexedDbStore in real headless Chromium (Debian's /usr/bin/chromium via playwright-core, the helpers
// of test/browser/chromium.ts: esbuild bundles bench/indexeddb.page.ts, a local server serves it, a
// fresh temp profile), all in one page:
// - dormant schedule() (due in an hour), N tasks in waves of 1,000 concurrent calls, on indexedDbStore
//   with durability 'strict' and 'relaxed', against raw IndexedDB puts of the same record objects
//   (toRow, the store's own layout), one readwrite transaction per wave-sized batch, same durability.
//   The baseline is the floor any IndexedDB-backed schedule() could reach: no validation, actors or persister.
// - startup: createOrchestrator(...) to start() resolving ("gate open") on a database holding 10k
//   records written by the store itself, and on an empty one.
// - cold startup: the same databases, the browser closed and launched again on the same profile before
//   each round, so the page is the new browser's first and its IndexedDB backend opens the database
//   files afresh (the OS file cache stays warm: this is a browser restart, not a machine's first boot).
//   bench/indexeddb-cold.page.ts starts as it loads and times page script start to gate open, against
//   raw IndexedDB doing the opening and the reads start() does, in the same cold state.
// Medians of alternating rounds; only the ratios compare across machines.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CHROMIUM, openChromium, type ChromiumSession } from '../test/browser/chromium.js';
import type { ColdStart } from './indexeddb-cold.page.js';
import type { Durability, ErrandRound } from './indexeddb.page.js';

const N = 5_000;
const WAVE = 1_000;
const ROUNDS = 5;
const STORED = 10_000;
const START_ROUNDS = 7;
const COLD_ROUNDS = 7;

interface BenchPage {
  errandRound(durability: Durability, count: number, wave: number): Promise<ErrandRound>;
  rawRound(durability: Durability, wave: number): Promise<number>;
  fill(label: string, count: number, wave: number): Promise<void>;
  start(label: string): Promise<number>;
  nameOf(label: string): string;
  dropNamed(name: string): Promise<void>;
  drop(label: string): Promise<void>;
}
declare const errandIdbBench: BenchPage;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

interface Rates {
  errand: number;
  raw: number;
  writes: number;
}

/** Alternating rounds: each raw round puts the records the errand round before it wrote. */
async function measure(page: Page, durability: Durability): Promise<Rates> {
  await page.evaluate(([d, n, w]) => errandIdbBench.errandRound(d, n, w), [durability, N, WAVE] as const); // warm-up
  await page.evaluate(([d, w]) => errandIdbBench.rawRound(d, w), [durability, WAVE] as const);
  const errand: number[] = [];
  const raw: number[] = [];
  const writes: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = await page.evaluate(([d, n, w]) => errandIdbBench.errandRound(d, n, w), [durability, N, WAVE] as const);
    errand.push(round.perSecond);
    writes.push(round.writes);
    raw.push(await page.evaluate(([d, w]) => errandIdbBench.rawRound(d, w), [durability, WAVE] as const));
  }
  return { errand: median(errand), raw: median(raw), writes: median(writes) };
}

type ColdMode = 'errand' | 'raw';
type Stored = 'empty' | 'stored';

/** Restarts the browser, loads the cold page on database `db` as its first page, and reads its timings. */
async function coldStart(session: ChromiumSession, db: string, mode: ColdMode, rows: number): Promise<ColdStart> {
  await session.restart();
  const page = await session.context.newPage();
  await page.goto(`${session.url('idbcold')}?db=${encodeURIComponent(db)}&mode=${mode}`, { waitUntil: 'load' });
  await page.waitForFunction(() => (globalThis as { errandColdStart?: unknown }).errandColdStart !== undefined, undefined, { timeout: 60_000 });
  const result = await page.evaluate(() => (globalThis as { errandColdStart?: ColdStart }).errandColdStart);
  await page.close();
  if (!result) throw new Error('the cold page left no timings');
  if (result.error !== null) throw new Error(`cold start (${mode}) failed: ${result.error}`);
  if (!Number.isFinite(result.scriptStart)) throw new Error('the cold page did not read the clock at script start');
  if (result.rows !== rows) throw new Error(`cold start (${mode}) found ${result.rows} rows in ${db}, expected ${rows}`);
  return result;
}

/** Cold rounds over both databases, errand and raw alternating; the pages run in browsers of their own. */
async function measureCold(session: ChromiumSession, names: Record<Stored, string>): Promise<void> {
  const key = (stored: Stored, mode: ColdMode) => `${stored}/${mode}`;
  const runs = new Map<string, ColdStart[]>();
  for (let r = 0; r < COLD_ROUNDS; r++) {
    for (const stored of ['empty', 'stored'] as const) {
      for (const mode of ['errand', 'raw'] as const) {
        const result = await coldStart(session, names[stored], mode, stored === 'stored' ? STORED : 0);
        runs.set(key(stored, mode), [...(runs.get(key(stored, mode)) ?? []), result]);
      }
    }
  }
  console.log(
    `cold startup: browser closed and launched again on the same profile before each round (the page is its first; ` +
      `OS file cache warm), page script start to start() resolving (gate open), median of ${COLD_ROUNDS} alternating rounds, ` +
      `vs raw IndexedDB's open and the same four index reads:`,
  );
  for (const stored of ['empty', 'stored'] as const) {
    const errand = runs.get(key(stored, 'errand')) ?? [];
    const raw = runs.get(key(stored, 'raw')) ?? [];
    const fromScript = (all: ColdStart[]) => median(all.map((c) => c.gateOpen - c.scriptStart));
    const e = fromScript(errand);
    const b = fromScript(raw);
    const fromNavigation = median(errand.map((c) => c.gateOpen));
    const evaluating = median(errand.map((c) => c.evaluated - c.scriptStart));
    const worst = Math.max(...errand.map((c) => c.gateOpen - c.scriptStart));
    const what = (stored === 'empty' ? 'empty database' : `${fmt(STORED)} stored records`).padEnd(21);
    const goal = stored === 'stored' ? `  goal <= 300 ms: ${verdict(e <= 300)}` : '';
    console.log(
      `  ${what}  errand median ${e.toFixed(1).padStart(6)} ms (max ${worst.toFixed(1)}, of it evaluating the bundle ${evaluating.toFixed(1)})  ` +
        `raw ${b.toFixed(1).padStart(6)} ms  errand-raw ${(e - b).toFixed(1).padStart(6)} ms  navigation start to gate open ${fromNavigation.toFixed(1)} ms${goal}`,
    );
  }
}

export default async function indexedDbBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no Chromium at ${CHROMIUM} (the bench runs indexedDbStore in headless Chromium)`);
    return;
  }
  const session = await openChromium({
    idbbench: fileURLToPath(new URL('./indexeddb.page.ts', import.meta.url)),
    idbcold: fileURLToPath(new URL('./indexeddb-cold.page.ts', import.meta.url)),
  });
  try {
    const page = await session.open('idbbench');
    const version = session.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? '?'));
    console.log(
      `indexedDbStore in headless Chromium ${version}: dormant schedule() (due in 1 h) per second, ${fmt(N)} tasks in waves of ` +
        `${fmt(WAVE)} concurrent calls, vs raw IndexedDB puts of the same records (one readwrite transaction per ${fmt(WAVE)}), ` +
        `median of ${ROUNDS} alternating rounds`,
    );
    const rates = new Map<Durability, Rates>();
    for (const durability of ['strict', 'relaxed'] as const) {
      const r = await measure(page, durability);
      rates.set(durability, r);
      const ratio = r.errand / r.raw;
      console.log(
        `  durability=${durability.padEnd(7)} errand ${fmt(r.errand).padStart(8)}/s  raw ${fmt(r.raw).padStart(8)}/s  ` +
          `errand/raw ${ratio.toFixed(2)}x  (errand's transactions per round: ${fmt(r.writes)})  goal >= 0.5x: ${verdict(ratio >= 0.5)}`,
      );
    }

    await page.evaluate(([n, w]) => errandIdbBench.fill('stored', n, w), [STORED, WAVE] as const);
    await page.evaluate(() => errandIdbBench.fill('empty', 0, 1));
    const times: Record<'empty' | 'stored', number[]> = { empty: [], stored: [] };
    for (let r = 0; r < START_ROUNDS; r++) {
      for (const label of ['empty', 'stored'] as const) times[label].push(await page.evaluate((l) => errandIdbBench.start(l), label));
    }
    const names: Record<Stored, string> = {
      empty: await page.evaluate(() => errandIdbBench.nameOf('empty')),
      stored: await page.evaluate(() => errandIdbBench.nameOf('stored')),
    };
    console.log(`startup: createOrchestrator(...) to start() resolving (gate open), a new orchestrator each round, ${START_ROUNDS} alternating rounds:`);
    for (const label of ['empty', 'stored'] as const) {
      const all = times[label];
      const med = median(all);
      const what = (label === 'empty' ? 'empty database' : `${fmt(STORED)} stored records`).padEnd(21);
      const goal = label === 'stored' ? `  goal <= 300 ms: ${verdict(med <= 300)}` : '';
      console.log(`  ${what}  median ${med.toFixed(1).padStart(6)} ms  first ${all[0]!.toFixed(1).padStart(6)} ms  max ${Math.max(...all).toFixed(1).padStart(6)} ms${goal}`);
    }
    // Restarting the browser ends the page above; the databases outlive it, for the cold rounds.
    await measureCold(session, names);
    const cleanup = await session.open('idbbench');
    for (const name of Object.values(names)) await cleanup.evaluate((n) => errandIdbBench.dropNamed(n), name);
    if (session.errors.length > 0) console.log(`page errors:\n${session.errors.join('\n')}`);
  } finally {
    await session.close();
  }
}
