// errand on BullMQ across real processes: worker children (test/bullmq/fleet-child.ts, each its own
// orchestrator on bullmqEngine) on one queue, and this test process as a producer (`takesWork: false`) that
// schedules, pre-empts and reads. Children report runs over IPC. Timings are printed, never asserted
// (timing goals are the bench's).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrchestrator, defineTask, StoreWriteError, WorkFailedError } from '../../src/index.js';
import { failOnUnhandledRejections } from '../support.js';
import { startPostgresServer } from '../support/postgres-server.js';
import { startRedisServer } from '../support/redis-server.js';
import { PG } from '../support/engines.js';
import type { ChildConfig, ChildMessage, Mode, ParentMessage } from './fleet-child.js';
import { engineOn, indexedCount, queueOn, type Target } from './fleet-target.js';
import { SHARED_REDIS, deleteKeys, uniqueName } from './redis-names.js';

failOnUnhandledRejections();

const CHILD = fileURLToPath(new URL('./fleet-child.ts', import.meta.url));
const now = (): number => performance.timeOrigin + performance.now();
const quiet = { warn: () => {}, error: () => {} };

/** A worker child: every message it sent, and ways to wait for more. */
class Child {
  readonly messages: ChildMessage[] = [];
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  private waiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    target: Target,
    concurrency?: number,
    locks?: ChildConfig['locks'],
  ) {
    const config: ChildConfig = { name, target, ...(concurrency ? { concurrency } : {}), ...(locks ? { locks } : {}) };
    this.proc = fork(CHILD, [], {
      execPath: process.execPath,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, FLEET_CHILD: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.proc.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.proc.on('message', (message: unknown) => {
      this.messages.push(message as ChildMessage);
      this.wake();
    });
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => {
        this.wake();
        resolve({ code, signal });
      }),
    );
    children.add(this);
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first message (from `from` on) that matches; rejects after `timeoutMs`. */
  async next<T extends ChildMessage['type']>(
    type: T,
    match: (m: Extract<ChildMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 15_000,
    from = 0,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find((m): m is Extract<ChildMessage, { type: T }> => m.type === type && match(m as Extract<ChildMessage, { type: T }>));
      if (found) return found;
      if (!this.alive) throw new Error(`${this.name} exited before sending ${type}: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no ${type} within ${timeoutMs} ms: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  ready(): Promise<unknown> {
    return this.next('ready', () => true, 30_000);
  }

  send(message: ParentMessage): void {
    if (this.proc.connected) this.proc.send(message);
  }

  /** Asks for an orchestrator shutdown; resolves with how long it took there (throws if it did not settle). */
  async shutdown(boundMs = 15_000): Promise<number> {
    const from = this.messages.length;
    this.send({ type: 'shutdown', timeoutMs: 2_000 });
    const done = await this.next('shutdown', () => true, boundMs, from);
    await this.exited;
    if (done.error !== null) throw new Error(`${this.name} shutdown failed: ${done.error}`);
    return done.ms;
  }

  kill(): Promise<unknown> {
    if (this.alive) this.proc.kill('SIGKILL');
    return this.exited;
  }

  /** [taskId, attempt] of every run this child started. */
  runs(): [string, number][] {
    const out: [string, number][] = [];
    for (const m of this.messages) {
      if (m.type === 'ranBatch') out.push(...m.runs);
      else if (m.type === 'started') out.push([m.taskId, m.attempt]);
    }
    return out;
  }
}

const children = new Set<Child>();
const admin = new Redis(SHARED_REDIS);
const prefixes: string[] = [];
const schemas: string[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all([...children].map((c) => c.kill()));
  children.clear();
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(admin, prefix);
  admin.disconnect();
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

type Backend = Target['backend'];

/** A fresh fleet on the shared Redis (its own key prefix) or the local PostgreSQL (its own schema). */
function sharedTarget(backend: Backend, label: string): Target {
  const name = uniqueName(label);
  if (backend === 'postgres') {
    const schema = name.replaceAll('-', '_');
    schemas.push(schema);
    return { backend, connectionString: PG, schema };
  }
  prefixes.push(name);
  return { backend, ...SHARED_REDIS, prefix: name };
}

/** This process: a producer on the same queue, running no work. */
async function producerOn(target: Target) {
  const job = defineTask({ id: 'job', input: z.object({ mode: z.enum(['noop', 'sleep', 'hang', 'hangFirst', 'killSelf']), ms: z.number().optional() }), run: () => null });
  const orchestrator = createOrchestrator({
    engine: engineOn(target, { takesWork: false }),
    logger: quiet,
  }).register(job);
  await orchestrator.start();
  let closed = false;
  const shutdown = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await orchestrator.shutdown({ timeoutMs: 2_000 });
  };
  closers.push(shutdown);
  return { orchestrator, shutdown };
}

async function fleet(target: Target, count: number, concurrency?: number, locks?: ChildConfig['locks']): Promise<Child[]> {
  const all = Array.from({ length: count }, (_, i) => new Child(`c${i}`, target, concurrency, locks));
  await Promise.all(all.map((c) => c.ready()));
  return all;
}

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** `promise`, or a rejection naming `what` once `ms` passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const input = (mode: Mode, ms?: number) => (ms === undefined ? { mode } : { mode, ms });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * BullMQ's default locks for the throughput test, which kills nothing: with 1 s locks a loaded 2-core
 * machine (PostgreSQL commits serialized behind NOTIFY's lock) renews some lock late, and BullMQ hands
 * the job to another worker as stalled: a second run that is BullMQ's at-least-once, not a bug here.
 */
const LOCKS = { lockDurationMs: 30_000, stalledIntervalMs: 30_000 };

describe.each<Backend>(['redis', 'postgres'])('errand on BullMQ (%s) across worker processes', { timeout: 60_000 }, (backend) => {
  it('5,000 no-op tasks from a producer on three worker processes: each runs exactly once, all three take some, nothing is left', { timeout: 180_000 }, async () => {
    const target = sharedTarget(backend, 'procs-5k');
    const workers = await fleet(target, 3, undefined, LOCKS);
    // The producing side is this test process, as five orchestrators (an API server's workers, say): one
    // orchestrator writes its batches one record at a time (see the report), five write in parallel.
    const producers = await Promise.all(Array.from({ length: 5 }, () => producerOn(target)));
    const orchestrator = producers[0]!.orchestrator;
    const N = 5_000;
    const t0 = Date.now();
    await Promise.all(
      producers.map(async ({ orchestrator: p }, k) => {
        for (let i = k; i < N; i += 5 * 50) {
          const ids = Array.from({ length: 50 }, (_, j) => i + j * 5).filter((n) => n < N);
          await Promise.all(ids.map((n) => p.schedule({ taskId: `job/${n}`, input: input('noop') })));
        }
      }),
    );
    const scheduledMs = Date.now() - t0;
    const total = (): number => workers.reduce((n, c) => n + c.runs().length, 0);
    await until(() => total() >= N, `${N} runs`, 160_000);
    const ranMs = Date.now() - t0;
    const queue = queueOn(target);
    closers.push(() => queue.close());
    await until(async () => (await queue.getJobCounts('completed')).completed === N, 'every job completed');
    await new Promise((r) => setTimeout(r, 300)); // a duplicate run would show up by now
    const byTask = new Map<string, number>();
    for (const c of workers) for (const [taskId] of c.runs()) byTask.set(taskId, (byTask.get(taskId) ?? 0) + 1);
    expect(byTask.size).toBe(N);
    expect([...byTask.values()].every((n) => n === 1)).toBe(true);
    const perChild = workers.map((c) => c.runs().length);
    console.log(`${backend}: 5,000 no-ops on 3 processes: scheduled in ${scheduledMs} ms, all ran by ${ranMs} ms; per child ${perChild.join('/')}`);
    expect(perChild.every((n) => n > 0)).toBe(true);
    expect(await indexedCount(target, admin)).toBe(0);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0 });
    // The producer's fleet-wide view: every task ended (done), none still waiting or running.
    expect((await orchestrator.listTasks()).tasks.filter((t) => t.status !== 'done')).toEqual([]);
    await Promise.all(workers.map((c) => c.shutdown()));
    for (const p of producers) await p.shutdown();
  });

  it('runNow in this process pre-empts the run in a worker process: its signal aborts, it ends cancelled (preempted); latency printed', async () => {
    const target = sharedTarget(backend, 'procs-preempt');
    const workers = await fleet(target, 2);
    const { orchestrator, shutdown } = await producerOn(target);
    const latencies: number[] = [];
    const ROUNDS = 50;
    for (let round = 0; round < ROUNDS; round++) {
      const taskId = `job/long-${round}`;
      await orchestrator.schedule({ taskId, input: input('hang') });
      const started = await Promise.any(workers.map((c) => c.next('started', (m) => m.taskId === taskId)));
      const holder = workers.find((c) => c.name === started.name)!;
      const t0 = now();
      await expect(orchestrator.runNow(taskId, () => `now ${round}`)).resolves.toBe(`now ${round}`);
      const abort = await holder.next('aborted', (m) => m.taskId === taskId);
      latencies.push(abort.at - t0);
      const ended = await holder.next('ended', (m) => m.taskId === taskId);
      expect(ended).toMatchObject({ status: 'cancelled', cancelReason: 'preempted' });
    }
    // Pre-empted work never ran again anywhere.
    for (let round = 0; round < ROUNDS; round++) {
      const runs = workers.flatMap((c) => c.runs()).filter(([t]) => t === `job/long-${round}`);
      expect(runs).toHaveLength(1);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`${backend}: runNow → abort in the worker process (${ROUNDS} rounds): p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${sorted[sorted.length - 1]!.toFixed(2)} ms`);
    await until(async () => (await indexedCount(target, admin)) === 0, 'the index to empty');
    await Promise.all(workers.map((c) => c.shutdown()));
    await shutdown();
  });

  it('SIGKILL of the worker mid-job: the job runs again in another process, the cut-off attempt counted', async () => {
    const target = sharedTarget(backend, 'procs-kill');
    const workers = await fleet(target, 3);
    const { orchestrator, shutdown } = await producerOn(target);
    const handle = await orchestrator.schedule({ taskId: 'job/cut', input: input('hangFirst'), backoff: { maxAttempts: 3 } });
    const first = await Promise.any(workers.map((c) => c.next('started', (m) => m.taskId === 'job/cut')));
    expect(first.attempt).toBe(1);
    const victim = workers.find((c) => c.name === first.name)!;
    // Mid-job: the worker runs and its record says so (the 'running' write lands just after the worker starts;
    // a kill before it is the next test's case).
    await until(async () => (await orchestrator.getTask('job/cut'))?.status === 'running', "the record to say 'running'");
    const killedAt = Date.now();
    await victim.kill();
    const others = workers.filter((c) => c !== victim);
    const second = await Promise.any(others.map((c) => c.next('started', (m) => m.taskId === 'job/cut' && m.attempt === 2)));
    console.log(`SIGKILL → attempt 2 started in ${second.name} after ${Date.now() - killedAt} ms`);
    expect(second.name).not.toBe(victim.name);
    await expect(handle.result()).resolves.toBe(second.pid);
    expect(await orchestrator.getTask('job/cut')).toMatchObject({ status: 'done', attempt: 2, interrupted: 1, outcome: { ok: true, value: second.pid } });
    await Promise.all(others.map((c) => c.shutdown()));
    await shutdown();
  });

  // Fails on the engine as of b4cd4e9: the worker starts before its 'running' record is in the job, so a worker
  // that kills its process at once leaves the job saying 'pending', attempt 0; every re-run is attempt 1 again and
  // the task never ends (see the report for the fix). It passes with that fix applied to bullmq-engine.ts.
  it('a task that kills its own process every time stops after maxAttempts and ends done with a WorkFailedError', async () => {
    const target = sharedTarget(backend, 'procs-killself');
    let workers = await fleet(target, 2);
    let spawned = workers.length;
    // Keep two workers alive: replace each one the task kills.
    let keeping = true;
    const keep = (c: Child): void => {
      void c.exited.then(() => {
        if (!keeping) return;
        const replacement = new Child(`c${spawned++}`, target);
        workers = [...workers, replacement];
        keep(replacement);
      });
    };
    workers.forEach(keep);
    const { orchestrator, shutdown } = await producerOn(target);
    const handle = await orchestrator.schedule({ taskId: 'job/suicide', input: input('killSelf'), backoff: { maxAttempts: 2 } });
    // Bounded: each cut-off run comes back within about lockDuration + stalledInterval (1.5 s) plus a respawn.
    const error = await handle.result({ signal: AbortSignal.timeout(20_000) }).then(
      () => null,
      (e: unknown) => e,
    );
    keeping = false;
    const runs = workers.flatMap((c) => c.runs()).filter(([t]) => t === 'job/suicide');
    const task = await orchestrator.getTask('job/suicide');
    console.log(`killSelf: runs [taskId, attempt] ${JSON.stringify(runs)}, processes spawned ${spawned}, ended ${String(error)}, task ${JSON.stringify(task)}`);
    expect(error, `ran ${runs.length} times and did not end within 20 s: ${String(error)}`).toBeInstanceOf(WorkFailedError);
    expect(task).toMatchObject({ status: 'done', interrupted: 2, outcome: { ok: false } });
    // Exactly maxAttempts runs: the one that would be the third is not started.
    expect(runs).toHaveLength(2);
    await Promise.all(workers.filter((c) => c.alive).map((c) => c.shutdown()));
    await shutdown();
  });
});

/** A server of the test's own that it may kill: redis-server with an fsynced append-only file, or a PostgreSQL cluster. */
interface KillableServer {
  target: Target;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function killableServer(backend: Backend): Promise<KillableServer> {
  if (backend === 'redis') {
    const server = await startRedisServer();
    return { target: { backend, host: server.host, port: server.port, prefix: 'errand' }, kill: () => server.kill(), restart: () => server.restart(), stop: () => server.stop() };
  }
  const server = await startPostgresServer();
  return { target: { backend, connectionString: server.connectionString, schema: 'errand' }, kill: () => server.kill(), restart: () => server.restart(), stop: () => server.stop() };
}

describe.each<Backend>(['redis', 'postgres'])('errand on BullMQ (%s) across a server restart', { timeout: 90_000 }, (backend) => {
  let server: KillableServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('SIGKILL of the server mid-run: every acknowledged task still runs, workers reconnect, every shutdown() settles', async () => {
    server = await killableServer(backend);
    const { target } = server;
    const workers = await fleet(target, 2, 20);
    const { orchestrator, shutdown } = await producerOn(target);
    const N = 400;
    const acknowledged = new Set<string>();
    let refused = 0;
    const scheduling = (async () => {
      for (let i = 0; i < N; i += 20) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, j) => {
            const taskId = `job/r${i + j}`;
            // Redis queues commands while it is down, so schedule() waits the outage out; PostgreSQL's
            // transaction fails: schedule() rejects with StoreWriteError (not acknowledged) and a caller retries.
            for (;;) {
              try {
                await orchestrator.schedule({ taskId, input: input('sleep', 200) });
                break;
              } catch (error) {
                expect(error).toBeInstanceOf(StoreWriteError);
                refused++;
                await new Promise((r) => setTimeout(r, 100));
              }
            }
            acknowledged.add(taskId);
          }),
        );
      }
    })();
    const ran = (): Set<string> => new Set(workers.flatMap((c) => c.runs().map(([t]) => t)));
    await until(() => ran().size >= 100, '100 runs before the kill');
    const runsAtKill = ran().size;
    await server.kill();
    await new Promise((r) => setTimeout(r, 500));
    await server.restart();
    const restartedAt = Date.now();
    await scheduling;
    expect(acknowledged.size).toBe(N);
    await until(() => [...acknowledged].every((t) => ran().has(t)), 'every acknowledged task to run', 30_000);
    const runs = workers.flatMap((c) => c.runs());
    console.log(`${backend} restart: ${runsAtKill} ran before the kill; all ${N} acknowledged ran ${Date.now() - restartedAt} ms after the restart; ${runs.length - new Set(runs.map(([t]) => t)).size} re-runs; ${refused} schedule() calls refused while it was down`);
    // Both workers started work after the restart: they reconnected.
    for (const c of workers) {
      expect(c.alive).toBe(true);
      expect(c.messages.some((m) => m.type === 'started' && m.at > restartedAt)).toBe(true);
    }
    // The side channel came back too (ioredis resubscribes; errand's LISTEN connection is opened again):
    // a cancel from this process reaches the worker process running the task.
    await orchestrator.schedule({ taskId: 'job/after', input: input('hang') });
    const started = await Promise.any(workers.map((c) => c.next('started', (m) => m.taskId === 'job/after', 30_000)));
    const holder = workers.find((c) => c.name === started.name)!;
    await orchestrator.cancel('job/after');
    await holder.next('aborted', (m) => m.taskId === 'job/after');
    expect(await holder.next('ended', (m) => m.taskId === 'job/after')).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled' });
    const t0 = Date.now();
    const shutdownMs = await Promise.all([...workers.map((c) => c.shutdown(15_000)), within(shutdown(), 15_000, "the producer's shutdown()").then(() => Date.now() - t0)]);
    console.log(`${backend} restart: shutdown took ${shutdownMs.join('/')} ms`);
  });
});
