// indexedDbStore in real headless Chromium (Debian's /usr/bin/chromium via playwright-core, the helpers
// of test/browser/chromium.ts: esbuild bundles bench/indexeddb.page.ts, a local server serves it, a
// fresh temp profile), all in one page:
// - dormant schedule() (due in an hour), N tasks in waves of 1,000 concurrent calls, on indexedDbStore
//   with durability 'strict' and 'relaxed', against raw IndexedDB puts of the same record objects
//   (toRow, the store's own layout), one readwrite transaction per wave-sized batch, same durability.
//   The baseline is the floor any IndexedDB-backed schedule() could reach: no validation, actors or persister.
// - startup: createOrchestrator(...) to start() resolving ("gate open") on a database holding 10k
//   records written by the store itself, and on an empty one.
// Medians of alternating rounds; only the ratios compare across machines.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CHROMIUM, openChromium } from '../test/browser/chromium.js';
import type { Durability, ErrandRound } from './indexeddb.page.js';

const N = 5_000;
const WAVE = 1_000;
const ROUNDS = 5;
const STORED = 10_000;
const START_ROUNDS = 7;

interface BenchPage {
  errandRound(durability: Durability, count: number, wave: number): Promise<ErrandRound>;
  rawRound(durability: Durability, wave: number): Promise<number>;
  fill(label: string, count: number, wave: number): Promise<void>;
  start(label: string): Promise<number>;
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

export default async function indexedDbBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no Chromium at ${CHROMIUM} (the bench runs indexedDbStore in headless Chromium)`);
    return;
  }
  const session = await openChromium({ idbbench: fileURLToPath(new URL('./indexeddb.page.ts', import.meta.url)) });
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
    await page.evaluate(() => errandIdbBench.drop('stored'));
    await page.evaluate(() => errandIdbBench.drop('empty'));
    console.log(`startup: createOrchestrator(...) to start() resolving (gate open), a new orchestrator each round, ${START_ROUNDS} alternating rounds:`);
    for (const label of ['empty', 'stored'] as const) {
      const all = times[label];
      const med = median(all);
      const what = (label === 'empty' ? 'empty database' : `${fmt(STORED)} stored records`).padEnd(21);
      const goal = label === 'stored' ? `  goal <= 300 ms: ${verdict(med <= 300)}` : '';
      console.log(`  ${what}  median ${med.toFixed(1).padStart(6)} ms  first ${all[0]!.toFixed(1).padStart(6)} ms  max ${Math.max(...all).toFixed(1).padStart(6)} ms${goal}`);
    }
    if (session.errors.length > 0) console.log(`page errors:\n${session.errors.join('\n')}`);
  } finally {
    await session.close();
  }
}
