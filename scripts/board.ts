// `npm run board -- <queue>[,<queue>...]`: serves bull-board for errand's BullMQ queues on 127.0.0.1.
//   BOARD_QUEUE   queue name(s), comma-separated, if not given as the argument
//   REDIS_URL     default redis://127.0.0.1:6379
//   BOARD_PREFIX  BullMQ key prefix, default 'bull'
//   PORT          default 3000 (0: any free port); BOARD_PORT wins over PORT
// Prints `bull-board: <url>` once it listens; stops on SIGINT/SIGTERM.
import { startBoard } from './board-server.js';

const names = (process.argv[2] ?? process.env.BOARD_QUEUE ?? '').split(',').filter((name) => name.length > 0);
if (names.length === 0) {
  console.error('usage: npm run board -- <queue>[,<queue>...]   (or BOARD_QUEUE=...)');
  process.exit(2);
}
const port = Number(process.env.BOARD_PORT ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`board: bad port ${String(process.env.BOARD_PORT ?? process.env.PORT)}`);
  process.exit(2);
}
const prefix = process.env.BOARD_PREFIX;
const board = await startBoard({
  queueNames: names,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  port,
  ...(prefix ? { prefix } : {}),
});
console.log(`bull-board: ${board.url} (queues: ${names.join(', ')})`);

const stop = (): void => {
  void board.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
