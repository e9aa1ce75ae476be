// Instructions per task, counted by valgrind's callgrind (noise-free where timings on a shared
// machine are not): bench/instructions-child.ts is bundled once with esbuild to plain JS, then run
// under callgrind for errand (N no-op oneTime tasks due now through schedule(), memory store, run to
// completion), for errand's task machine alone (no orchestrator, store or index) and for the bare
// XState actor of core.bench.ts, each at N = 2k, 4k and 8k. Per task is
// (I(8k) - I(4k)) / 4k, which cancels startup and most of the JIT's warm-up (the 2k-4k figure is
// printed too: how far from steady state the smaller N still is); `empty` (the bundle loaded, no
// work) shows that startup. V8 runs with --predictable (no background threads, a fixed GC schedule
// and seed): without it two identical runs differed by a quarter, since GC and tier-up follow the
// wall clock, which valgrind slows 50-fold. Goal: errand <= 1.5x the bare actor. Skipped without valgrind.
// `limited` is errand with worker limits set but never reached, against errand with none.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [2_000, 4_000, 8_000] as const;
/** Deterministic V8: background compiler and GC threads off, GC on a fixed schedule, fixed seed. */
const V8_FLAGS = ['--predictable', '--predictable-gc-schedule', '--random-seed=1'];

type Mode = 'errand' | 'limited' | 'machine' | 'xstate' | 'empty';

/** Instructions callgrind counted for one run of the bundle, from its output file's totals. */
function instructions(bundle: string, dir: string, mode: Mode, n: number): Promise<number> {
  const out = join(dir, `callgrind.${mode}.${n}.out`);
  const args = ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...V8_FLAGS, bundle, mode, String(n)];
  return new Promise((resolve, reject) => {
    execFile('valgrind', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) {
        reject(new Error(`valgrind ${mode} ${n} failed: ${error.message}\n${stderr}`));
        return;
      }
      let text = '';
      try {
        text = readFileSync(out, 'utf8');
      } catch {
        // no output file: fall back to valgrind's own summary on stderr
      }
      const total = /^(?:summary|totals):\s*(\d+)/m.exec(text) ?? /Collected\s*:\s*(\d+)/.exec(stderr);
      if (!total?.[1]) reject(new Error(`no instruction total for ${mode} ${n}:\n${stderr}`));
      else resolve(Number(total[1]));
    });
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export default async function instructionsBench(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('valgrind not found: instruction counts skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'errand-instructions-'));
  try {
    const bundle = join(dir, 'instructions-child.mjs');
    // One build for every mode, so both sides run the same code.
    await build({
      entryPoints: [join(root, 'bench', 'instructions-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      external: ['better-sqlite3', 'piscina'],
      logLevel: 'error',
    });
    const started = performance.now();
    // One valgrind at a time: two would compete for the machine's two cores.
    const empty = await instructions(bundle, dir, 'empty', 0);
    const perTask: Record<'errand' | 'limited' | 'machine' | 'xstate', number> = { errand: 0, limited: 0, machine: 0, xstate: 0 };
    const [n1, n2, n3] = SIZES;
    console.log(`instructions (callgrind, node ${V8_FLAGS.join(' ')}); startup (empty bundle): ${fmt(empty)}`);
    console.log(`  per task = (I(${fmt(n3)}) - I(${fmt(n2)})) / ${fmt(n3 - n2)}; warm-up column: the same from ${fmt(n1)} to ${fmt(n2)}`);
    for (const mode of ['xstate', 'machine', 'errand', 'limited'] as const) {
      const counts: number[] = [];
      for (const n of SIZES) counts.push(await instructions(bundle, dir, mode, n));
      const [i1, i2, i3] = counts as [number, number, number];
      perTask[mode] = (i3 - i2) / (n3 - n2);
      const warm = (i2 - i1) / (n2 - n1);
      const name = {
        errand: 'errand schedule() + run',
        limited: 'the same, limits unreached',
        machine: "errand's task machine",
        xstate: 'bare XState actor',
      }[mode];
      console.log(
        `  ${name.padEnd(24)} ${SIZES.map((n, k) => `I(${fmt(n)}) ${fmt(counts[k]!)}`).join('  ')}  ` +
          `per task ${fmt(perTask[mode]).padStart(9)}  (${fmt(n1)}-${fmt(n2)}: ${fmt(warm)})`,
      );
    }
    // The split: what the six-state lifecycle costs in XState by itself, and what the orchestrator,
    // store and index add around it.
    console.log(
      `  task machine / bare actor: ${(perTask.machine / perTask.xstate).toFixed(2)}x   ` +
        `errand / task machine: ${(perTask.errand / perTask.machine).toFixed(2)}x`,
    );
    const ratio = perTask.errand / perTask.xstate;
    console.log(
      `  errand / bare actor: ${ratio.toFixed(2)}x   goal <= 1.5x: ${ratio <= 1.5 ? 'met' : 'NOT met'}   ` +
        `(${((performance.now() - started) / 1000).toFixed(0)} s under valgrind)`,
    );
    console.log(`  worker limits set but never reached / none: ${(perTask.limited / perTask.errand).toFixed(3)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
