// bull-board (an independent BullMQ client) pointed at errand's own queue: every task errand keeps on
// BullMQ is listed by `npm run board` in the BullMQ state that matches what orchestrator.getTask() reports.
//
// The mapping (also in README, "Scaling out: bull-board"):
//   getTask status                         BullMQ state (bull-board tab)   job fields
//   pending, due later (initialDelayMs)    delayed                         data.record.dueAt, delay
//   pending, due now, no free worker slot  waiting                         data.record
//   running                                active                          data.record.status 'running'
//   backoff (retry due later)              delayed                         data.record.status 'backoff'
//   done, ok                               completed                       returnvalue = the worker's value
//   done, failed (failure / throw)         failed                          failedReason = outcome error message
//   cancelled while it ran                 failed                          failedReason 'errand: cancelled'
//   cancelled before it ran                (no job: removed)
// Every jobId is `t_` + the TaskId (job-ids.ts encodes characters BullMQ refuses).
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullmqEngine, encodeJobId } from '../../src/bullmq/index.js';
import { createOrchestrator, WorkResult, type TaskSnapshot } from '../../src/index.js';
import { deferred, failOnUnhandledRejections } from '../support.js';
import { SHARED_REDIS, deleteKeys, uniqueName } from './redis-names.js';
import { boardQueue, startBoardProcess } from './board-process.js';

failOnUnhandledRejections();

const prefix = uniqueName('errand-board');
const queue = 'errand-work';
const quiet = { warn: () => {}, error: () => {} };

const BULL_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized', 'paused', 'waiting-children'] as const;
type BullState = (typeof BULL_STATES)[number];

interface ApiJob {
  id: string;
  name: string;
  failedReason?: string;
  returnValue?: unknown;
  delay?: number;
  data?: { record?: { taskId?: string; status?: string; dueAt?: number } };
}
interface ApiQueue {
  name: string;
  counts: Record<string, number>;
  jobs: ApiJob[];
}

/** What bull-board must show for a task in this getTask state (the mapping above). */
function expectedState(snapshot: TaskSnapshot, dueNow: boolean): BullState | 'absent' {
  switch (snapshot.status) {
    case 'pending':
      return dueNow ? 'waiting' : 'delayed';
    case 'backoff':
    case 'constrained':
      return 'delayed';
    case 'running':
      return 'active';
    case 'done':
      return snapshot.outcome?.ok ? 'completed' : 'failed';
    case 'cancelled':
      return snapshot.attempt > 0 ? 'failed' : 'absent';
  }
}


const until = async (check: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  for (let i = 0; i < 1_000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  if (!(await check())) throw new Error(`timed out waiting for ${what}`);
};

describe("npm run board on errand's BullMQ queue: each job in the state getTask reports", { timeout: 60_000 }, () => {
  const admin = new Redis(SHARED_REDIS);
  const release = deferred<string>();
  const runningStarted = deferred();
  const cancelStarted = deferred();
  // One worker slot: while job/running holds it, job/waiting (due now) stays waiting.
  const worker = createOrchestrator({ engine: bullmqEngine({ connection: SHARED_REDIS, queue, prefix, concurrency: 1 }), logger: quiet });
  // An API server's process: schedules, cancels and reads, runs nothing.
  const producer = createOrchestrator({ engine: bullmqEngine({ connection: SHARED_REDIS, queue, prefix, takesWork: false }), logger: quiet });
  for (const o of [worker, producer]) {
    o.register('job', async ({ taskId, signal }) => {
      switch (taskId) {
        case 'job/ok':
          return { rows: 3 };
        case 'job/failure':
          return WorkResult.failure('disk full');
        case 'job/throws':
          throw new Error('boom');
        case 'job/retry':
          return WorkResult.retry('busy');
        case 'job/cancel-running':
          cancelStarted.resolve();
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          throw new Error('aborted');
        case 'job/running':
          runningStarted.resolve();
          return await release.promise;
        default:
          return 'other';
      }
    });
  }
  let board: { child: ChildProcess; url: string } | undefined;
  /** TaskId -> whether it was due now when scheduled (tells waiting from delayed for `pending`). */
  const tasks = new Map<string, boolean>();

  beforeAll(async () => {
    await producer.start();
    await worker.start();
    // Finished work first, one at a time through the single slot.
    expect(await (await producer.schedule({ taskId: 'job/ok' })).result()).toEqual({ rows: 3 });
    await expect((await producer.schedule({ taskId: 'job/failure' })).result()).rejects.toThrow();
    await expect((await producer.schedule({ taskId: 'job/throws', backoff: { maxAttempts: 1 } })).result()).rejects.toThrow();
    const cancelled = await producer.schedule({ taskId: 'job/cancel-running' });
    const cancelledResult = cancelled.result().catch((error: unknown) => error);
    await cancelStarted.promise;
    await producer.cancel('job/cancel-running');
    await cancelledResult;
    // A retry far out: backoff, its job delayed.
    await producer.schedule({ taskId: 'job/retry', backoff: { policy: 'linear', initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 3, jitter: 0 } });
    await until(async () => (await producer.getTask('job/retry'))?.status === 'backoff', 'job/retry to back off');
    // Cancelled before it ever ran: its job is removed.
    await producer.schedule({ taskId: 'job/cancel-pending', initialDelayMs: 60_000 });
    await producer.cancel('job/cancel-pending');
    // Then the slot is taken and held.
    await producer.schedule({ taskId: 'job/running' });
    await runningStarted.promise;
    await producer.schedule({ taskId: 'job/pending-later', initialDelayMs: 60_000 });
    await producer.schedule({ taskId: 'job/waiting' });
    for (const [id, dueNow] of [
      ['job/ok', false],
      ['job/failure', false],
      ['job/throws', false],
      ['job/cancel-running', false],
      ['job/retry', false],
      ['job/running', true],
      ['job/pending-later', false],
      ['job/waiting', true],
    ] as const)
      tasks.set(id, dueNow);
    board = await startBoardProcess([], { BOARD_QUEUE: queue, BOARD_PREFIX: prefix, REDIS_URL: `redis://${SHARED_REDIS.host}:${SHARED_REDIS.port}` });
  });

  afterAll(async () => {
    if (board) {
      board.child.kill('SIGTERM');
      if (board.child.exitCode === null) await once(board.child, 'exit');
    }
    release.resolve('released');
    await producer.shutdown({ timeoutMs: 2_000 });
    await worker.shutdown({ timeoutMs: 2_000 });
    await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  const api = (query: string): Promise<ApiQueue> => boardQueue<ApiQueue['jobs'][number]>(board?.url ?? '', queue, query);

  async function listed(status: BullState): Promise<ApiJob[]> {
    return (await api(`activeQueue=${encodeURIComponent(queue)}&status=${status}&page=1&jobsPerPage=100`)).jobs;
  }

  it('getTask reports the states the test set up', async () => {
    const status = async (id: string) => (await producer.getTask(id))?.status;
    expect(await status('job/ok')).toBe('done');
    expect(await status('job/failure')).toBe('done');
    expect(await status('job/throws')).toBe('done');
    expect(await status('job/cancel-running')).toBe('cancelled');
    expect(await status('job/retry')).toBe('backoff');
    // job/cancel-pending: getTask reports undefined, not 'cancelled' (engine bug, test/bullmq/engine-faults.test.ts).
    expect(await status('job/running')).toBe('running');
    expect(await status('job/pending-later')).toBe('pending');
    expect(await status('job/waiting')).toBe('pending');
    // The worker's process sees the same (the fleet's view, not one process's memory).
    expect((await worker.getTask('job/waiting'))?.status).toBe('pending');
    expect((await worker.getTask('job/ok'))?.status).toBe('done');
  });

  it('bull-board counts the jobs per state', async () => {
    const { counts } = await api('');
    expect(counts).toMatchObject({ waiting: 1, delayed: 2, active: 1, completed: 1, failed: 3 });
  });

  it('bull-board lists every job under the BullMQ state matching getTask (from the producer and the worker)', async () => {
    const where = new Map<string, { state: BullState; job: ApiJob }>();
    for (const state of BULL_STATES) for (const job of await listed(state)) where.set(job.id, { state, job });
    for (const [taskId, dueNow] of tasks) {
      for (const o of [producer, worker]) {
        const snapshot = await o.getTask(taskId);
        if (!snapshot) throw new Error(`getTask(${taskId}) is undefined`);
        const expected = expectedState(snapshot, dueNow);
        expect({ taskId, state: where.get(encodeJobId(taskId))?.state ?? 'absent' }).toEqual({ taskId, state: expected });
      }
    }
    expect(where.size).toBe(8);
    // Cancelled before it ran: BullMQ's job is removed.
    expect(where.has(encodeJobId('job/cancel-pending'))).toBe(false);
  });

  it("bull-board shows errand's record, the worker's value and the failure reason", async () => {
    const completed = await listed('completed');
    expect(completed.map((j) => j.id)).toEqual(['t_job/ok']);
    expect(completed[0]?.returnValue).toEqual({ rows: 3 });

    const failed = new Map((await listed('failed')).map((j) => [j.id, j.failedReason]));
    expect(failed.get('t_job/cancel-running')).toBe('errand: cancelled');
    for (const id of ['job/failure', 'job/throws']) {
      const snapshot = await producer.getTask(id);
      const error = snapshot?.outcome && !snapshot.outcome.ok ? snapshot.outcome.error : undefined;
      expect(error).toBeInstanceOf(Error);
      expect(failed.get(encodeJobId(id))).toBe((error as Error).message);
    }
    expect(failed.get('t_job/failure')).toMatch(/disk full/);

    const active = await listed('active');
    expect(active.map((j) => [j.id, j.data?.record?.status])).toEqual([['t_job/running', 'running']]);
    const delayed = new Map((await listed('delayed')).map((j) => [j.id, j]));
    expect(delayed.get('t_job/retry')?.data?.record?.status).toBe('backoff');
    expect(delayed.get('t_job/pending-later')?.data?.record?.status).toBe('pending');
    const later = await producer.getTask('job/pending-later');
    expect(delayed.get('t_job/pending-later')?.data?.record?.dueAt).toBe(later?.nextRunAt);
    expect((await listed('waiting')).map((j) => j.id)).toEqual(['t_job/waiting']);
  });

  it('once released, the running job completes and the waiting one runs: bull-board follows', async () => {
    release.resolve('released');
    await until(async () => (await producer.getTask('job/waiting'))?.status === 'done', 'job/waiting to run');
    const completed = new Map((await listed('completed')).map((j) => [j.id, j.returnValue]));
    expect(completed.get('t_job/running')).toBe('released');
    expect(completed.get('t_job/waiting')).toBe('other');
    expect((await api('')).counts).toMatchObject({ waiting: 0, active: 0, delayed: 2, completed: 3 });
  });
});
