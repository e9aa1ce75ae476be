// Kills a process with SIGKILL while it restores 20,000 stored records (2,000 of them overdue) from
// the SQLite store, and checks that nothing acknowledged was lost: every overdue task ran, none ran
// more than twice, and the far-future work is still stored and never ran.
// See test/fixtures/crash-restore-child.ts for the child.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../adapters/stores/sqlite-driver.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const childScript = join(root, 'test', 'fixtures', 'crash-restore-child.ts');

const TOTAL = 20_000;
const DUE = 2_000; // job/0 … job/1999 are due soon; the rest in an hour

interface Child {
  lines: string[];
  killed: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs one child; `killAfterRan` kills it with SIGKILL once it printed that many `ran` lines. */
function runChild(args: string[], killAfterRan?: number): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const lines: string[] = [];
    let killed = false;
    let ran = 0;
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (killAfterRan !== undefined && !killed && line.startsWith('ran ') && ++ran >= killAfterRan) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${args.join(' ')} did not finish in time\n${stderr}`));
    }, 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ lines, killed, code, signal, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('crash safety while restoring many records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'errand-crash-restore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no acknowledged work when killed with SIGKILL during the restore of 20,000 records', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
    const killAfterRan = 1 + (seed % 800); // somewhere early in the restore of the 2,000 due tasks
    const context = `CRASH_SEED=${seed} (kill after ${killAfterRan} runs)`;
    const db = join(dir, 'errand.db');
    const logPath = join(dir, 'runs.log');

    // 1. Schedule everything; every schedule() resolved before the ack line.
    const first = await runChild([db, logPath, '1', 'schedule', String(TOTAL), String(DUE)]);
    expect(first.code, `${context}: scheduling child failed\n${first.stderr}`).toBe(0);
    const ack = first.lines.find((line) => line.startsWith('acked '))?.split(' ');
    expect(ack?.[1], context).toBe(String(TOTAL));

    // 2. Once the soon-due work is overdue, restore it and kill the process while that is under way.
    await sleep(Math.max(0, Number(ack?.[2]) - Date.now()) + 100);
    const second = await runChild([db, logPath, '2', 'restore'], killAfterRan);
    expect(second.killed, `${context}: restoring child exited before its kill (code ${second.code})\n${second.stderr}`).toBe(true);
    expect(second.signal, context).toBe('SIGKILL');
    expect(second.lines, context).toContain('starting');

    // 3. A new process runs whatever is still overdue, then shuts down.
    const third = await runChild([db, logPath, '3', 'finish']);
    expect(third.code, `${context}: finishing child failed\n${third.stderr}`).toBe(0);
    const finished = third.lines.find((line) => line.startsWith('finished '));
    expect(finished, context).toBeDefined();
    for (const child of [first, second, third]) {
      expect(child.lines.filter((line) => line.startsWith('warn ') || line.startsWith('error ')), context).toEqual([]);
    }

    // 4. From the append-only log: which task ran in which process.
    const runs = new Map<string, number[]>();
    for (const line of readFileSync(logPath, 'utf8').split('\n')) {
      if (!line) continue;
      const [gen, event, taskId] = line.split(' ');
      expect(event, context).toBe('ran');
      const list = runs.get(taskId!) ?? [];
      list.push(Number(gen));
      runs.set(taskId!, list);
    }
    const ranIn = (gen: number) => [...runs.values()].reduce((n, gens) => n + gens.filter((g) => g === gen).length, 0);
    expect(ranIn(1), `${context}: the scheduling child ran work`).toBe(0);
    expect(ranIn(2), context).toBeGreaterThanOrEqual(killAfterRan);
    // The kill landed while restored work was still being run: some of it was left for the next process.
    expect(ranIn(2), context).toBeLessThan(DUE);
    expect(Number(finished?.split(' ')[1]), context).toBe(ranIn(3));

    const violations: string[] = [];
    for (let i = 0; i < DUE; i++) {
      const gens = runs.get(`job/${i}`) ?? [];
      if (gens.length === 0) violations.push(`job/${i} never ran`);
      // Only a run the kill cut off (in child 2) may repeat, once, in child 3.
      else if (gens.length > 2) violations.push(`job/${i} ran ${gens.length} times`);
      else if (gens.length === 2 && !(gens[0] === 2 && gens[1] === 3)) violations.push(`job/${i} ran in ${gens.join(', ')}`);
    }
    const farRan = [...runs.keys()].filter((id) => Number(id.slice('job/'.length)) >= DUE);
    expect(violations.slice(0, 20), context).toEqual([]);
    expect(farRan.slice(0, 20), `${context}: far-future work ran`).toEqual([]);

    // The far-future work is all still stored (and only it), as scheduled; nothing was quarantined.
    const check = openSqlite(db, { readonly: true });
    const keys = check.prepare<{ key: string }>('SELECT key FROM errand_tasks').all().map((row) => row.key);
    const quarantined = check.prepare<{ n: number }>('SELECT count(*) AS n FROM errand_quarantine').get()?.n;
    const nearest = check.prepare<{ due: number }>('SELECT min(due_at) AS due FROM errand_tasks').get()?.due;
    check.close();
    expect(keys.length, context).toBe(TOTAL - DUE);
    const stored = new Set(keys);
    const missing: string[] = [];
    for (let i = DUE; i < TOTAL; i++) if (!stored.has(`job/${i}`)) missing.push(`job/${i}`);
    expect(missing.slice(0, 20), context).toEqual([]);
    expect(quarantined, context).toBe(0);
    expect(nearest, context).toBeGreaterThan(Date.now() + 30 * 60 * 1_000);

    const repeated = [...runs.values()].filter((gens) => gens.length > 1).length;
    console.log(
      `crash-restore test (${context}): child 2 ran ${ranIn(2)} (started() ${second.lines.some((l) => l.startsWith('started')) ? 'had' : 'had not'} resolved), ` +
        `child 3 ran ${ranIn(3)}, ${repeated} ran twice`,
    );
  }, 120_000);
});
