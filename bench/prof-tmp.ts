import { errandOnBullmq, rawBullmq } from './bullmq.bench.js';
const mode = process.argv[2] === 'raw' ? rawBullmq : errandOnBullmq;
const n = Number(process.argv[3] ?? 5000);
await mode.run(1000, 50);
const t = process.cpuUsage();
const rate = await mode.run(n, 50);
const c = process.cpuUsage(t);
console.log(mode.name, rate.toFixed(0), '/s; cpu ms/task', ((c.user + c.system) / 1000 / n).toFixed(3));
process.exit(0);
