// The far end of bench/bullmq.bench.ts's pub/sub round trip, in its own process as a remote worker would be:
// subscribes to <ping>, answers every message on <pong> with the same payload. Prints READY once subscribed,
// exits when stdin closes (so a dying parent never leaves it behind).
import { Redis } from 'ioredis';

const [url, ping, pong] = process.argv.slice(2);
if (!url || !ping || !pong) throw new Error('usage: bullmq-pubsub-child.ts <redis-url> <ping> <pong>');

const sub = new Redis(url);
const pub = new Redis(url);
sub.on('message', (_channel: string, message: string) => void pub.publish(pong, message));
await sub.subscribe(ping);
process.stdout.write('READY\n');
process.stdin.resume();
process.stdin.on('end', () => {
  sub.disconnect();
  pub.disconnect();
});
