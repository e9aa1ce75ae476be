// What BullMQ 6.7 itself does at the edges errand's engine has to build on, tried on the shared Redis so the
// core engineer's design rests on observed behaviour, not on reading alone (see the report for the sources).
import { DelayedError, Job, Queue, UnrecoverableError, Worker, type RedisQueueBackend } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_REDIS, deleteKeys, uniqueName } from './redis-names.js';

const prefix = uniqueName('prims');
const admin = new Redis(SHARED_REDIS);
const opened: { close(): Promise<void> }[] = [];
const workerConnection = { ...SHARED_REDIS, maxRetriesPerRequest: null };

function queueOf(name: string): Queue {
  const queue = new Queue(name, { connection: SHARED_REDIS, prefix });
  opened.push(queue);
  return queue;
}

afterAll(async () => {
  for (const item of opened.reverse()) await item.close();
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

/**
 * One MULTI: BullMQ's own removeJob script (refuses a locked, i.e. active, job and returns 0) followed by its
 * own add script for the same jobId (a duplicate id is ignored). No other client runs between the two, so a
 * waiting/delayed job is replaced with no window, and an active one is left alone and reported.
 */
async function replaceUnlessActive(queue: Queue, jobId: string, data: object, delay: number): Promise<'replaced' | 'active'> {
  const backend: RedisQueueBackend = queue.getBackend();
  const multi = (await backend.client).multi();
  void backend.execCommand(multi, 'removeJob', [queue.toKey(jobId), queue.toKey('repeat'), jobId, 0, queue.toKey('')]);
  void new Job(queue, 'task', data, { delay }, jobId).addJob(multi);
  const results = await multi.exec();
  if (!results) throw new Error('MULTI aborted');
  for (const [error] of results) if (error) throw error;
  return results[0]?.[1] === 1 ? 'replaced' : 'active';
}

/**
 * errand's own guard, run first in the same MULTI: if the job is active (its lock exists) it records the
 * replacement on the job hash, where the worker that holds the job will find it even if the pub/sub nudge
 * reached it before its processor started; otherwise it does nothing and removeJob + addJob replace the job.
 */
const GUARD = 'errandMarkIfActive';
const GUARD_LUA = `
if redis.call('EXISTS', KEYS[1] .. ':lock') == 1 then
  redis.call('HSET', KEYS[1], 'errandIntent', ARGV[1])
  return 1
end
return 0`;

async function replaceOrMark(queue: Queue, jobId: string, data: object): Promise<'replaced' | 'marked'> {
  const backend: RedisQueueBackend = queue.getBackend();
  const client = await backend.client;
  client.defineCommand(GUARD, { numberOfKeys: 1, lua: GUARD_LUA });
  const multi = client.multi();
  multi.runCommand(GUARD, [queue.toKey(jobId), JSON.stringify(data)]);
  void backend.execCommand(multi, 'removeJob', [queue.toKey(jobId), queue.toKey('repeat'), jobId, 0, queue.toKey('')]);
  void new Job(queue, 'task', data, {}, jobId).addJob(multi);
  const results = await multi.exec();
  if (!results) throw new Error('MULTI aborted');
  for (const [error] of results) if (error) throw error;
  return results[0]?.[1] === 1 ? 'marked' : 'replaced';
}

describe('atomic replace of a waiting/delayed job (MULTI removeJob + addJob)', () => {
  it('replaces a delayed job: new data, new delay, same id; leaves an active job untouched', async () => {
    const queue = queueOf('replace');
    await queue.add('task', { v: 1 }, { jobId: 't_d', delay: 60_000 });
    expect(await replaceUnlessActive(queue, 't_d', { v: 2 }, 120_000)).toBe('replaced');
    const replaced = await queue.getJob('t_d');
    expect(replaced?.data).toEqual({ v: 2 });
    expect(replaced?.delay).toBe(120_000);
    expect(await queue.getJobState('t_d')).toBe('delayed');

    await queue.add('task', { v: 1 }, { jobId: 't_w' });
    expect(await replaceUnlessActive(queue, 't_w', { v: 3 }, 0)).toBe('replaced');
    expect((await queue.getJob('t_w'))?.data).toEqual({ v: 3 });
    expect(await queue.getJobState('t_w')).toBe('waiting');
    // The "changeDelay" route does not exist for a waiting job: BullMQ's changeDelay only moves delayed ones.
    await expect((await queue.getJob('t_w'))?.changeDelay(5_000)).rejects.toThrow(/not in the delayed state|-3/);

    // Make t_w active: a manual worker takes it and holds its lock.
    await queue.remove('t_d');
    const manual = new Worker(queue.name, null, { connection: workerConnection, prefix, autorun: false });
    opened.push(manual);
    const active = await manual.getNextJob('tok-1');
    expect(active?.id).toBe('t_w');
    expect(await replaceUnlessActive(queue, 't_w', { v: 4 }, 0)).toBe('active');
    expect((await queue.getJob('t_w'))?.data).toEqual({ v: 3 });
    expect(await queue.getJobState('t_w')).toBe('active');
    // With errand's guard first in the MULTI, the active case leaves a durable intent on the job instead.
    expect(await replaceOrMark(queue, 't_w', { v: 5 })).toBe('marked');
    expect(await admin.hget(queue.toKey('t_w'), 'errandIntent')).toBe('{"v":5}');
    expect((await queue.getJob('t_w'))?.data).toEqual({ v: 3 });
    await active?.moveToCompleted('done', 'tok-1', false);
    await queue.add('task', { v: 1 }, { jobId: 't_x', delay: 60_000 });
    expect(await replaceOrMark(queue, 't_x', { v: 6 })).toBe('replaced');
    expect((await queue.getJob('t_x'))?.data).toEqual({ v: 6 });
    expect(await queue.getJobState('t_x')).toBe('waiting');
  });
});

describe('ending an active job', () => {
  it('UnrecoverableError: failed at once, no retry, attemptsMade 1 of 3', async () => {
    const queue = queueOf('unrecoverable');
    let runs = 0;
    const worker = new Worker(
      queue.name,
      async () => {
        runs++;
        throw new UnrecoverableError('cancelled');
      },
      { connection: workerConnection, prefix },
    );
    opened.push(worker);
    const failed = new Promise<Job>((resolve) => worker.on('failed', (job) => job && resolve(job)));
    await queue.add('task', {}, { jobId: 't_u', attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    const job = await failed;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe('cancelled');
    await worker.close();
    expect(runs).toBe(1);
    expect(await queue.getJobState('t_u')).toBe('failed');
  });

  it('moveToDelayed + DelayedError: back to delayed, data kept, attemptsMade not counted, attemptsStarted is', async () => {
    const queue = queueOf('delayed');
    const seen: { attemptsMade: number; attemptsStarted: number; data: unknown }[] = [];
    const worker = new Worker(
      queue.name,
      async (job, token) => {
        seen.push({ attemptsMade: job.attemptsMade, attemptsStarted: job.attemptsStarted, data: job.data });
        if (seen.length === 1) {
          await job.moveToDelayed(Date.now() + 50, token);
          throw new DelayedError();
        }
        return 'ok';
      },
      { connection: workerConnection, prefix },
    );
    opened.push(worker);
    const completed = new Promise<Job>((resolve) => worker.on('completed', (job) => resolve(job)));
    await queue.add('task', { keep: 'me' }, { jobId: 't_md', attempts: 2 });
    const job = await completed;
    await worker.close();
    expect(seen).toEqual([
      { attemptsMade: 0, attemptsStarted: 1, data: { keep: 'me' } },
      { attemptsMade: 0, attemptsStarted: 2, data: { keep: 'me' } },
    ]);
    expect(job.attemptsMade).toBe(1);
  });
});

describe('stalled job (its worker stopped renewing the lock)', () => {
  it('goes back to wait with stalledCounter 1; attemptsMade unchanged; attemptsStarted counts the dead run', async () => {
    const queue = queueOf('stalled');
    await queue.add('task', {}, { jobId: 't_s', attempts: 1 });
    // A "dead" worker: takes the job with a short lock and never renews it.
    const dead = new Worker(queue.name, null, { connection: workerConnection, prefix, autorun: false, lockDuration: 300 });
    opened.push(dead);
    expect((await dead.getNextJob('dead-token'))?.id).toBe('t_s');
    await dead.close();

    const seen: { attemptsMade: number; attemptsStarted: number; stalledCounter: number }[] = [];
    const stalledIds: string[] = [];
    const live = new Worker(
      queue.name,
      async (job) => {
        seen.push({ attemptsMade: job.attemptsMade, attemptsStarted: job.attemptsStarted, stalledCounter: job.stalledCounter });
        return 'ok';
      },
      { connection: workerConnection, prefix, stalledInterval: 200, maxStalledCount: 1 },
    );
    opened.push(live);
    live.on('stalled', (jobId) => stalledIds.push(jobId));
    await new Promise<void>((resolve) => live.on('completed', () => resolve()));
    await live.close();
    expect(stalledIds).toEqual(['t_s']);
    expect(seen).toEqual([{ attemptsMade: 0, attemptsStarted: 2, stalledCounter: 1 }]);
  });
});

describe('pre-empting an active job from inside its worker', () => {
  it('updateData + moveToDelayed + DelayedError: same id, new data and delay, no attempt counted', async () => {
    const queue = queueOf('preempt');
    const runs: unknown[] = [];
    let release: () => void = () => undefined;
    const preempted = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(
      queue.name,
      async (job, token) => {
        runs.push({ data: job.data, attemptsMade: job.attemptsMade });
        if (runs.length === 1) {
          // Here errand's worker would have been told (pub/sub) that the TaskId was replaced while running.
          await job.updateData({ v: 'new' });
          await job.moveToDelayed(Date.now() + 100, token);
          release();
          throw new DelayedError();
        }
        return 'ok';
      },
      { connection: workerConnection, prefix },
    );
    opened.push(worker);
    const completed = new Promise<Job>((resolve) => worker.on('completed', (job) => resolve(job)));
    const failed: string[] = [];
    worker.on('failed', (job) => failed.push(job?.id ?? '?'));
    await queue.add('task', { v: 'old' }, { jobId: 't_p', attempts: 1 });
    await preempted;
    expect(await queue.getJobState('t_p')).toBe('delayed');
    await completed;
    await worker.close();
    expect(runs).toEqual([
      { data: { v: 'old' }, attemptsMade: 0 },
      { data: { v: 'new' }, attemptsMade: 0 },
    ]);
    // attempts: 1 and yet it ran twice: the pre-empted run was neither a failure nor an attempt.
    expect(failed).toEqual([]);
  });
});

describe('counting a run that killed its worker (errand: a stall is an attempt)', () => {
  it('worker option maxStartedAttempts fails the job, unrun, once it has been started that many times', async () => {
    const queue = queueOf('started');
    await queue.add('task', {}, { jobId: 't_k', attempts: 5 });
    const connection = workerConnection;
    // Two "dead" workers in a row take the job and never renew its lock (each start counts in attemptsStarted).
    for (const token of ['dead-1', 'dead-2']) {
      const dead = new Worker(queue.name, null, { connection, prefix, autorun: false, lockDuration: 200 });
      opened.push(dead);
      expect((await dead.getNextJob(token))?.id).toBe('t_k');
      await dead.close();
      const checker = new Worker(queue.name, null, { connection, prefix, autorun: false, stalledInterval: 100, maxStalledCount: 10 });
      opened.push(checker);
      // Stalled detection is two passes: mark active jobs, then move those whose lock has expired.
      await checker.startStalledCheckTimer();
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (let i = 0; i < 20 && (await queue.getJobState('t_k')) !== 'waiting'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await checker.close();
      expect(await queue.getJobState('t_k')).toBe('waiting');
    }
    let ran = 0;
    const live = new Worker(queue.name, async () => void ran++, { connection, prefix, maxStartedAttempts: 2 });
    opened.push(live);
    const failed = new Promise<Job>((resolve) => live.on('failed', (job) => job && resolve(job)));
    const job = await failed;
    await live.close();
    expect(ran).toBe(0);
    expect(job.failedReason).toBe('job started more than allowable limit');
    expect(job.attemptsStarted).toBe(3);
    expect(job.stalledCounter).toBe(2);
  });
});
