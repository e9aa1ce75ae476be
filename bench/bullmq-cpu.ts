// CPU time per task of raw BullMQ and of errand on BullMQ (producer and worker in this one process, the
// shared Redis), measured with process.cpuUsage() around one run after a warm-up: on a shared, noisy
// machine CPU per task moves far less than jobs/s, and at concurrency 50 CPU is what bounds both.
//
//   npx tsx bench/bullmq-cpu.ts [raw|errand] [jobs=5000]
import { errandOnBullmq, rawBullmq } from './bullmq.bench.js';

const mode = process.argv[2] === 'raw' ? rawBullmq : errandOnBullmq;
const jobs = Number(process.argv[3] ?? 5_000);
await mode.run(1_000, 50);
const before = process.cpuUsage();
const rate = await mode.run(jobs, 50);
const used = process.cpuUsage(before);
console.log(`${mode.name}: ${rate.toFixed(0)} jobs/s, ${((used.user + used.system) / 1000 / jobs).toFixed(3)} ms CPU per task (${jobs} jobs)`);
process.exit(0);
