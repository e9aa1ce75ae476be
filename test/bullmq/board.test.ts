// `npm run board` against a queue with jobs in four states: bull-board, an independent client reading the
// queue through BullMQ, reports each job in the state it is in (asserted through bull-board's HTTP API).
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_REDIS, deleteKeys, uniqueName } from './redis-names.js';
import { boardQueue, startBoardProcess } from './board-process.js';

const prefix = uniqueName('board');
const queueName = 'board-q';

interface ApiQueue {
  name: string;
  counts: Record<string, number>;
  jobs: { id: string; name: string; failedReason?: string }[];
}


describe('npm run board (bull-board 9.10 on a BullMQ queue)', () => {
  const queue = new Queue(queueName, { connection: SHARED_REDIS, prefix });
  const admin = new Redis(SHARED_REDIS);
  let board: { child: ChildProcess; url: string } | undefined;

  beforeAll(async () => {
    // One completed and one failed job first (a worker runs them and stops), then one waiting and one delayed.
    const worker = new Worker(
      queueName,
      async (job) => {
        if (job.name === 'fails') throw new Error('boom');
        return 'done';
      },
      { connection: { ...SHARED_REDIS, maxRetriesPerRequest: null }, prefix },
    );
    const settled = new Promise<void>((resolve) => {
      let n = 0;
      const one = (): void => void (++n === 2 && resolve());
      worker.on('completed', one);
      worker.on('failed', one);
    });
    await queue.add('succeeds', {}, { jobId: 't_done' });
    await queue.add('fails', {}, { jobId: 't_failed', attempts: 1 });
    await settled;
    await worker.close();
    await queue.add('waits', {}, { jobId: 't_waiting' });
    await queue.add('later', {}, { jobId: 't_delayed', delay: 3_600_000 });
    board = await startBoardProcess([queueName], { BOARD_PREFIX: prefix, REDIS_URL: `redis://${SHARED_REDIS.host}:${SHARED_REDIS.port}` });
  });

  afterAll(async () => {
    if (board) {
      board.child.kill('SIGTERM');
      if (board.child.exitCode === null) await once(board.child, 'exit');
    }
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  const api = (query: string): Promise<ApiQueue> => boardQueue<ApiQueue['jobs'][number]>(board?.url ?? '', queueName, query);

  it('serves the dashboard page', async () => {
    const response = await fetch(board?.url ?? '');
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });

  it('counts one job in each of waiting, delayed, completed, failed', async () => {
    const { counts } = await api('');
    expect(counts).toMatchObject({ waiting: 1, delayed: 1, completed: 1, failed: 1, active: 0 });
  });

  it.each([
    ['waiting', 't_waiting'],
    ['delayed', 't_delayed'],
    ['completed', 't_done'],
    ['failed', 't_failed'],
  ])('lists the %s job under that status', async (status, jobId) => {
    const { jobs } = await api(`activeQueue=${encodeURIComponent(queueName)}&status=${status}&page=1&jobsPerPage=10`);
    expect(jobs.map((job) => job.id)).toEqual([jobId]);
    if (status === 'failed') expect(jobs[0]?.failedReason).toBe('boom');
  });
});
