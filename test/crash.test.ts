// Kills a child process that runs errand on the SQLite store with SIGKILL, again and again, and
// checks from the child's append-only event log that no acknowledged work was lost and no swept
// ephemeral work ran. See test/fixtures/crash-child.ts for the child.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../adapters/stores/sqlite-driver.js';
import { crashTask } from './fixtures/crash-tasks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const childScript = join(root, 'test', 'fixtures', 'crash-child.ts');

/** When to kill a generation, counted in its own events. */
type Trigger =
  | { kind: 'acks'; after: number } // while it is still scheduling
  | { kind: 'ends'; after: number } // while tasks run
  | { kind: 'fails'; after: number; thenMs: number } // a moment after an attempt failed: tasks are in backoff
  | { kind: 'starts'; after: number } // while restored work runs
  | { kind: 'time'; ms: number }; // a random moment after start()

interface Plan {
  gen: number;
  count: number;
  trigger: Trigger | 'final';
}

interface Run {
  plan: Plan;
  killed: boolean;
  code: number | null;
  stderr: string;
}

/** mulberry32: a seeded PRNG so a failing run can be replayed with CRASH_SEED. */
function prng(seed: number): (lo: number, hi: number) => number {
  let a = seed >>> 0;
  return (lo, hi) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    return lo + Math.floor(r * (hi - lo + 1));
  };
}

/** Starts one generation and kills it at its trigger (or lets it finish, for the final one). */
function runGeneration(db: string, logPath: string, plan: Plan, fallbackKillMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', childScript, db, logPath, String(plan.gen), String(plan.count)];
    if (plan.trigger === 'final') args.push('final');
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    let killed = false;
    let fallback: ReturnType<typeof setTimeout> | undefined;
    const kill = () => {
      if (killed || child.exitCode !== null) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const counts = { ack: 0, end: 0, fail: 0, start: 0 };
    const trigger = plan.trigger;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (trigger === 'final' || killed) return;
      const event = line.split(' ')[1];
      if (event === 'started') {
        fallback = setTimeout(kill, trigger.kind === 'time' ? trigger.ms : fallbackKillMs);
      } else if (event === 'ack') {
        if (trigger.kind === 'acks' && ++counts.ack >= trigger.after) kill();
      } else if (event === 'start') {
        if (trigger.kind === 'starts' && ++counts.start >= trigger.after) kill();
      } else if (event === 'end') {
        if (trigger.kind === 'ends' && ++counts.end >= trigger.after) kill();
        if (trigger.kind === 'fails' && line.endsWith(' fail') && ++counts.fail === trigger.after) {
          setTimeout(kill, trigger.thenMs);
        }
      }
    });
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`generation ${plan.gen} did not finish in time\n${stderr}`));
    }, 40_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(fallback);
      clearTimeout(limit);
      resolve({ plan, killed, code, stderr });
    });
  });
}

interface TaskLog {
  acked: boolean;
  starts: { gen: number; attempt: number }[];
  ends: { gen: number; attempt: number; ok: boolean }[];
  dones: { gen: number; ok: boolean }[];
}

function parseLog(text: string) {
  const tasks = new Map<string, TaskLog>();
  const problems: string[] = [];
  const task = (id: string): TaskLog => {
    let entry = tasks.get(id);
    if (!entry) tasks.set(id, (entry = { acked: false, starts: [], ends: [], dones: [] }));
    return entry;
  };
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [genText, event, id, a, b] = line.split(' ');
    const gen = Number(genText);
    if (event === 'ack') task(id!).acked = true;
    else if (event === 'start') task(id!).starts.push({ gen, attempt: Number(a) });
    else if (event === 'end') task(id!).ends.push({ gen, attempt: Number(a), ok: b === 'ok' });
    else if (event === 'done') task(id!).dones.push({ gen, ok: a === 'ok' });
    else if (event === 'warn' || event === 'error' || event === 'typeerr') problems.push(line);
  }
  return { tasks, problems };
}

/** The generation a task id belongs to (`job/g3-17` → 3). */
const genOf = (taskId: string): number => Number(/\/g(\d+)-/.exec(taskId)?.[1]);

/** What a killed generation was doing when the kill landed, from its own lines. */
function stateAtKill(text: string, gen: number, count: number) {
  const running = new Set<string>();
  const backoff = new Set<string>();
  let acks = 0;
  let scheduledAll = false;
  for (const line of text.split('\n')) {
    const [genText, event, id, , result] = line.split(' ');
    if (Number(genText) !== gen || !event) continue;
    if (event === 'ack') acks++;
    if (event === 'scheduled-all') scheduledAll = true;
    if (event === 'start') {
      running.add(id!);
      backoff.delete(id!);
    }
    if (event === 'end') {
      running.delete(id!);
      if (result === 'fail') backoff.add(id!);
    }
  }
  return { scheduling: count > 0 && !scheduledAll, acks, running: running.size, backoff: backoff.size };
}

describe('crash safety with the SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'errand-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no acknowledged work and runs no swept ephemeral work across repeated SIGKILLs', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
    const rand = prng(seed);
    const db = join(dir, 'errand.db');
    const logPath = join(dir, 'events.log');
    const plans: Plan[] = [
      { gen: 0, count: 600, trigger: { kind: 'acks', after: rand(100, 400) } },
      { gen: 1, count: 400, trigger: { kind: 'ends', after: rand(20, 150) } },
      { gen: 2, count: 300, trigger: { kind: 'fails', after: rand(1, 10), thenMs: rand(0, 12) } },
      { gen: 3, count: 0, trigger: { kind: 'starts', after: rand(1, 40) } },
      { gen: 4, count: 250, trigger: { kind: 'time', ms: rand(0, 250) } },
      { gen: 5, count: 200, trigger: { kind: 'acks', after: rand(20, 150) } },
    ];
    const runs: Run[] = [];
    for (const plan of plans) runs.push(await runGeneration(db, logPath, plan, 2_500));
    const ackedBefore = parseLog(readFileSync(logPath, 'utf8'));
    const ackedDurableBefore = [...ackedBefore.tasks].filter(([id, t]) => t.acked && id.startsWith('job/')).length;
    // Enough new work in the last generation that at least 1,000 durable tasks are acknowledged (3 in 4 are durable).
    const finalCount = Math.max(200, Math.ceil(((1_000 - ackedDurableBefore) * 4) / 3) + 20);
    const finalPlan: Plan = { gen: plans.length, count: finalCount, trigger: 'final' };
    const last = await runGeneration(db, logPath, finalPlan, 0);
    runs.push(last);

    const context = `CRASH_SEED=${seed}`;
    for (const run of runs.slice(0, -1)) {
      expect(run.killed, `${context}: generation ${run.plan.gen} exited before its kill (code ${run.code})\n${run.stderr}`).toBe(true);
    }
    expect(last.code, `${context}: final generation failed\n${last.stderr}`).toBe(0);

    const text = readFileSync(logPath, 'utf8');
    const { tasks, problems } = parseLog(text);
    const killedGens = new Set(runs.filter((r) => r.killed).map((r) => r.plan.gen));
    expect(killedGens.size).toBeGreaterThanOrEqual(5);

    // The kills landed where they were meant to: during scheduling, while running, during backoff.
    const states = runs.filter((r) => r.killed).map((r) => ({ gen: r.plan.gen, ...stateAtKill(text, r.plan.gen, r.plan.count) }));
    expect(states.some((s) => s.scheduling), `${context}: ${JSON.stringify(states)}`).toBe(true);
    expect(states.some((s) => s.running > 0), `${context}: ${JSON.stringify(states)}`).toBe(true);
    expect(states.some((s) => s.backoff > 0), `${context}: ${JSON.stringify(states)}`).toBe(true);

    const violations: string[] = [];
    let ackedDurable = 0;
    let ackedEphemeral = 0;
    let reruns = 0;
    for (const [id, log] of tasks) {
      const own = genOf(id);
      const ephemeral = id.startsWith('eph/');
      if (log.starts.some((s) => s.gen < own)) violations.push(`${id} ran before it was scheduled`);
      if (ephemeral) {
        if (log.acked) ackedEphemeral++;
        // Swept at the next start: never runs in a later process, acknowledged or not.
        const later = log.starts.filter((s) => s.gen !== own);
        if (later.length > 0) violations.push(`ephemeral ${id} of generation ${own} ran in generation ${later[0]!.gen}`);
        continue;
      }
      if (log.acked) {
        ackedDurable++;
        if (!log.dones.some((d) => d.ok)) violations.push(`acknowledged ${id} never reached done (${JSON.stringify(log)})`);
      }
      const okGens = log.ends.filter((e) => e.ok).map((e) => e.gen);
      if (new Set(okGens).size !== okGens.length) violations.push(`${id} succeeded twice in one process`);
      // Running again after a success is allowed only when that process died before it could forget the task.
      for (const gen of okGens.slice(0, -1)) {
        if (!killedGens.has(gen)) violations.push(`${id} ran again after succeeding in generation ${gen}, which was not killed`);
      }
      if (okGens.length > 1) reruns++;
      // Attempts count across restarts: never lower than in an earlier process.
      for (let i = 1; i < log.starts.length; i++) {
        const prev = log.starts[i - 1]!;
        const next = log.starts[i]!;
        if (next.attempt < prev.attempt || (next.gen === prev.gen && next.attempt === prev.attempt)) {
          violations.push(`${id} attempt went from ${prev.attempt} (gen ${prev.gen}) to ${next.attempt} (gen ${next.gen})`);
        }
      }
    }
    expect(problems, context).toEqual([]);
    expect(violations, context).toEqual([]);
    expect(ackedDurable).toBeGreaterThanOrEqual(1_000);
    expect(ackedEphemeral).toBeGreaterThan(0);

    // Every task id scheduled is one the plan knows about.
    const known = new Set<string>();
    for (const plan of [...plans, finalPlan]) for (let i = 0; i < plan.count; i++) known.add(crashTask(plan.gen, i).taskId);
    expect([...tasks.keys()].filter((id) => !known.has(id))).toEqual([]);

    // Nothing is left behind: all durable work finished and every ephemeral record was swept.
    const check = openSqlite(db);
    const left = check.prepare<{ n: number }>('SELECT count(*) AS n FROM errand_tasks').get()?.n;
    const quarantined = check.prepare<{ n: number }>('SELECT count(*) AS n FROM errand_quarantine').get()?.n;
    check.close();
    expect(left).toBe(0);
    expect(quarantined).toBe(0);

    console.log(
      `crash test (${context}): ${runs.length} generations, ${killedGens.size} kills, ` +
        `${ackedDurable} durable + ${ackedEphemeral} ephemeral acknowledged, ${reruns} re-run after a kill; ` +
        `at each kill: ${states.map((s) => `g${s.gen} scheduling=${s.scheduling} running=${s.running} backoff=${s.backoff}`).join('; ')}`,
    );
  }, 90_000);
});
