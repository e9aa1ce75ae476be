// The store-first scaling table: N tasks due in an hour or more, each N (and each store) in fresh
// child processes (bench/scale-child.ts) so heaps never mix. For sqliteStore, one process schedules
// all N in waves of 10k awaited together, measures the heap, makes 1% of them due in 1-2 s and shuts
// down; once those are overdue a second process opens the same file and times start() (until the
// gate opens) and the run of the overdue tasks (from the start() call to the last worker call).
// The memory store (the default) gets the first half only, for heap per task.
// heap/task: heapUsed after gc with all N scheduled, minus heapUsed after gc right after start(), / N.
// peak RSS: the process's VmHWM (the filling one; the restoring one's is printed beside it).
// 10k and 100k by default; 1M with `npm run bench -- scale --million` or ERRAND_BENCH_MILLION=1
// (its child runs with --max-old-space-size=8192, which one live actor per task needs).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = join(root, 'bench', 'scale-child.ts');
/** Every DUE_EVERY-th task is made due before the first process shuts down: 1%. */
const DUE_EVERY = 100;

interface FillResult {
  scheduleMs: number;
  heapPerTask: number;
  live: number | null;
  shutdownMs: number;
  peakRss: number;
  due: number;
  dueBy: number;
  ranBeforeShutdown: number;
}

interface RestoreResult {
  startMs: number;
  overdueMs: number | null;
  ran: number;
  expected: number;
  live: number | null;
  heapUsed: number;
  peakRss: number;
}

/** Runs one scale-child.ts and returns what it reported on its `RESULT` line. */
function runChild<T>(args: string[], heapMb: number | null): Promise<T> {
  const flags = ['--expose-gc', ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), '--import', 'tsx'];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...flags, child, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`scale-child ${args.join(' ')} exited with ${signal ?? code}${out ? `:\n${out}` : ''}`));
        return;
      }
      resolve(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${fmt(bytes / 1_048_576)} MB`;
const ms = (value: number | null) => (value === null ? 'n/a' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${fmt(value)} ms`);
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);

interface Row {
  n: number;
  store: string;
  fill: FillResult;
  restore: RestoreResult | null;
}

const COLUMNS = ['N', 'store', 'heap/task', 'peak RSS', 'schedule rate', 'shutdown', 'restore start()', 'overdue run time'];

function print(rows: Row[]): void {
  const cells = rows.map(({ n, store, fill, restore }) => [
    label(n),
    store,
    `${fmt(fill.heapPerTask)} B`,
    restore ? `${mb(fill.peakRss)} / ${mb(restore.peakRss)}` : mb(fill.peakRss),
    `${fmt(n / (fill.scheduleMs / 1000))}/s`,
    ms(fill.shutdownMs),
    restore ? ms(restore.startMs) : 'n/a',
    restore ? `${ms(restore.overdueMs)} (${fmt(restore.ran)}/${fmt(restore.expected)})` : 'n/a',
  ]);
  const widths = COLUMNS.map((title, c) => Math.max(title.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => `  ${row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')}`;
  console.log(line(COLUMNS));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('-|-')}`);
  for (const row of cells) console.log(line(row));
}

async function sqliteRow(n: number, heapMb: number | null): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'errand-scale-'));
  const path = join(dir, 'scale.db');
  try {
    const fill = await runChild<FillResult>(['fill', 'sqlite', String(n), path, String(DUE_EVERY)], heapMb);
    // The restoring process starts only once every rescheduled task is overdue.
    const wait = fill.dueBy + 100 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const expected = fill.due - fill.ranBeforeShutdown;
    const restore = await runChild<RestoreResult>(['restore', path, String(expected)], heapMb);
    return { n, store: 'sqlite', fill, restore };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function scaleBench(): Promise<void> {
  const million = process.argv.includes('--million') || process.env.ERRAND_BENCH_MILLION === '1';
  const sizes = million ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
  console.log(
    `N tasks due in >= 1 h, scheduled in waves of 10k awaited together, one child process per N and store; ` +
      `sqlite: 1% made due before shutdown, restored by a new process${million ? '' : ' (1M: --million or ERRAND_BENCH_MILLION=1)'}`,
  );
  const rows: Row[] = [];
  for (const n of sizes) {
    const heapMb = n >= 1_000_000 ? 8_192 : null;
    if (n <= 100_000) rows.push({ n, store: 'memory', fill: await runChild<FillResult>(['fill', 'memory', String(n)], heapMb), restore: null });
    rows.push(await sqliteRow(n, heapMb));
  }
  print(rows);
  console.log('  peak RSS for sqlite: the scheduling process / the restoring one. overdue run time: from the start() call');
  console.log('  to the last overdue worker call (ran/expected). restore start(): until it resolves (the gate open).');
  const notes = rows.flatMap(({ n, store, fill, restore }) => {
    const live = `live actors after schedule: ${fill.live === null ? 'n/a' : fmt(fill.live)}`;
    const after = restore ? `, after restore: ${restore.live === null ? 'n/a' : fmt(restore.live)}, restored heap ${mb(restore.heapUsed)}` : '';
    const early = fill.ranBeforeShutdown > 0 ? `, ${fmt(fill.ranBeforeShutdown)} ran before shutdown (not counted)` : '';
    return [`  ${label(n)} ${store}: ${live}${after}${early}`];
  });
  for (const note of notes) console.log(note);
}
