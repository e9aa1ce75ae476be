import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

describe('private redis-server: an acknowledged job survives SIGKILL', () => {
  let server: RedisServer;
  let queue: Queue;
  const connectionErrors: string[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    // maxRetriesPerRequest: null is what BullMQ asks for: commands wait for the reconnect instead of failing.
    queue = new Queue('restart', {
      connection: { host: server.host, port: server.port, maxRetriesPerRequest: null, retryStrategy: () => 50 },
    });
    // Without a listener BullMQ prints every reconnect error; the kill makes some on purpose. (Whether one
    // arrives before the restart is a race, so the test does not assert on them.)
    queue.on('error', (error) => connectionErrors.push(error.message));
  });

  afterAll(async () => {
    await queue.close();
    await server.stop();
  });

  it('kill -9 after add; after restart the job is there and the same connection works again', async () => {
    const added = await queue.add('work', { n: 1 }, { jobId: 't_survivor', delay: 60_000 });
    expect(added.id).toBe('t_survivor');
    await server.kill();
    // A command issued while the server is down waits (null retries) and completes after the restart.
    const pending = queue.getJob('t_survivor');
    await server.restart();
    const job = await pending;
    expect(job?.data).toEqual({ n: 1 });
    expect(await queue.getJobState('t_survivor')).toBe('delayed');
    expect(await queue.getJobCounts('delayed')).toEqual({ delayed: 1 });
  });
});
