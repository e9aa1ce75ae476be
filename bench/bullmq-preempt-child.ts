// The worker process of bench/bullmq-preempt.bench.ts: an orchestrator on bullmqEngine whose task runs
// until its signal aborts. Prints `started <taskId>` when a run begins and `aborted <taskId> <epoch ms>`
// when its signal aborts (the parent calls runNow in between); exits when stdin closes.
import { createOrchestrator, defineTask } from '../src/index.js';
import { bullmqEngine } from '../src/bullmq/index.js';

const [queue, prefix] = process.argv.slice(2);
if (!queue || !prefix) throw new Error('usage: bullmq-preempt-child.ts <queue> <prefix>');

const hold = defineTask({
  id: 'hold',
  run: ({ taskId, signal }) =>
    new Promise<never>((_, reject) => {
      process.stdout.write(`started ${taskId}\n`);
      signal.addEventListener('abort', () => {
        process.stdout.write(`aborted ${taskId} ${Date.now()}\n`);
        reject(signal.reason);
      });
    }),
});
const orchestrator = createOrchestrator({ engine: bullmqEngine({ connection: { host: '127.0.0.1', port: 6379 }, queue, prefix }), logger: { warn() {}, error() {} } }).register(hold);
await orchestrator.start();
process.stdout.write('READY\n');
process.stdin.resume();
process.stdin.on('end', () => void orchestrator.shutdown({ timeoutMs: 2_000 }).then(() => process.exit(0)));
