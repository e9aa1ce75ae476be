// bull-board (the independent dashboard most BullMQ users already run) on errand's queues: a person can look
// at what a fleet is doing, and tests can ask bull-board's own HTTP API what state it sees a job in.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';

export interface BoardOptions {
  queueNames: readonly string[];
  redisUrl: string;
  /** BullMQ key prefix of the queues (BullMQ's default is 'bull'). */
  prefix?: string;
  /** 0 picks a free port. */
  port: number;
  /** Where the dashboard is mounted; '/' by default. */
  basePath?: string;
}

export interface Board {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBoard(options: BoardOptions): Promise<Board> {
  if (options.queueNames.length === 0) throw new Error('board: name at least one queue');
  const basePath = options.basePath ?? '/';
  // One connection for every queue the board shows; null retries so a Redis restart does not crash the board.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queues = options.queueNames.map(
    (name) => new Queue(name, { connection, ...(options.prefix ? { prefix: options.prefix } : {}) }),
  );
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });

  const app = express();
  const router: express.Router = serverAdapter.getRouter() as express.Router;
  app.use(basePath, router);
  // Loopback only: the dashboard can retry, remove and add jobs, and has no authentication of its own.
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath === '/' ? '/' : `${basePath}/`}`,
    close: async () => {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await Promise.all(queues.map((queue) => queue.close()));
      connection.disconnect();
    },
  };
}
