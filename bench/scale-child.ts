// One measurement of bench/scale.bench.ts, in a process of its own so that heaps of different N
// never mix. Run by scale.bench.ts (node --expose-gc --import tsx bench/scale-child.ts ...);
// prints one line `RESULT <json>` on stdout for the parent to read.
//
//   fill memory <N>                    N dormant tasks on the default (memory) store
//   fill sqlite <N> <path> <dueEvery>  the same on sqliteStore; then every dueEvery-th task is
//                                      rescheduled due in 1-2 s, just before shutdown
//   restore <path> <expected>          opens the file again: start() time, and the time until
//                                      the `expected` overdue tasks have all run
import { readFileSync } from 'node:fs';
import { createOrchestrator, type Orchestrator } from '../src/index.js';
import { sqliteStore } from '../src/node/index.js';

/** Waves of schedule() calls awaited together, as an app restoring a backlog would issue them. */
const WAVE = 10_000;
/** Due in at least an hour: nothing runs while the bench measures. */
const DORMANT_MS = 3_600_000;
/** The rescheduled tasks fall due 1-2 s after their schedule(), spread over that second. */
const DUE_MS = 1_000;
/** How long the restoring process waits for the overdue tasks before reporting what ran. */
const OVERDUE_TIMEOUT_MS = 600_000;

const gc = (globalThis as { gc?: () => void }).gc;
function heapAfterGc(): number {
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Live XState actors, while diagnostics() still reports them; null once it no longer does. */
function liveTasks(orchestrator: Orchestrator): number | null {
  const d: object = orchestrator.diagnostics();
  return 'liveTasks' in d && typeof d.liveTasks === 'number' ? d.liveTasks : null;
}

/**
 * The process's own RSS high-water mark. Linux keeps getrusage's maxRSS across fork and exec, so a
 * child of a big bench process would report its parent's peak; VmHWM belongs to this process image.
 */
function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm?.[1]) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS * 1024;
}
const report = (result: Record<string, unknown>) => console.log(`RESULT ${JSON.stringify(result)}`);

async function fill(store: 'memory' | 'sqlite', n: number, path: string | undefined, dueEvery: number): Promise<void> {
  let calls = 0;
  const orchestrator = createOrchestrator(store === 'sqlite' && path ? { store: sqliteStore({ path }) } : {});
  orchestrator.register('job', () => void calls++);
  await orchestrator.start();
  const baseline = heapAfterGc();

  const started = performance.now();
  for (let from = 0; from < n; from += WAVE) {
    const wave: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(n, from + WAVE); i++) {
      wave.push(orchestrator.schedule({ taskId: `job/${i}`, input: { n: i }, initialDelayMs: DORMANT_MS }));
    }
    await Promise.all(wave);
  }
  const scheduleMs = performance.now() - started;
  const heapPerTask = (heapAfterGc() - baseline) / n;
  const live = liveTasks(orchestrator);

  // Made due only now, after the heap was measured, so they fall due after this process is gone.
  let due = 0;
  let dueBy = 0;
  if (dueEvery > 0) {
    const wave: Promise<unknown>[] = [];
    for (let i = 0; i < n; i += dueEvery) {
      wave.push(orchestrator.schedule({ taskId: `job/${i}`, input: { n: i }, initialDelayMs: DUE_MS + (due % 1_000) }));
      due++;
    }
    await Promise.all(wave);
    dueBy = Date.now() + 2 * DUE_MS;
  }

  const stopping = performance.now();
  await orchestrator.shutdown();
  const shutdownMs = performance.now() - stopping;
  report({ scheduleMs, heapPerTask, live, shutdownMs, peakRss: peakRssBytes(), due, dueBy, ranBeforeShutdown: calls });
}

async function restore(path: string, expected: number): Promise<void> {
  let calls = 0;
  let lastCallAt = 0;
  let allRan!: () => void;
  const ran = new Promise<void>((resolve) => (allRan = resolve));
  const orchestrator = createOrchestrator({ store: sqliteStore({ path }) });
  orchestrator.register('job', () => {
    lastCallAt = performance.now();
    if (++calls === expected) allRan();
  });
  if (expected === 0) allRan();

  const started = performance.now();
  await orchestrator.start();
  const startMs = performance.now() - started;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([ran, new Promise((resolve) => (timer = setTimeout(resolve, OVERDUE_TIMEOUT_MS)))]);
  clearTimeout(timer);
  const overdueMs = calls === 0 ? null : lastCallAt - started;
  const live = liveTasks(orchestrator);
  const heapUsed = heapAfterGc();
  await orchestrator.shutdown();
  report({ startMs, overdueMs, ran: calls, expected, live, heapUsed, peakRss: peakRssBytes() });
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'fill') {
  const [store, n, path, dueEvery] = args;
  if (store !== 'memory' && store !== 'sqlite') throw new Error(`unknown store ${store}`);
  await fill(store, Number(n), path, Number(dueEvery ?? 0));
} else if (mode === 'restore') {
  const [path, expected] = args;
  if (!path) throw new Error('restore needs a path');
  await restore(path, Number(expected));
} else {
  throw new Error(`usage: scale-child.ts fill memory|sqlite <N> [<path> <dueEvery>] | restore <path> <expected>`);
}
