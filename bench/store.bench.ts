// Durable schedule() throughput with the SQLite store, against better-sqlite3 inserting the same
// records directly (same file layout, same pragmas, same row text) in the same process. The baseline
// builds its records before the clock starts and times encoding, inserting and committing: the floor
// any SQLite-backed schedule() could reach, without validation, actors or the persister.
// Sequential: one await per call, so one commit (and one fsync under synchronous=FULL) per call.
// Concurrent: waves of 1,000 schedule() calls awaited together; the persister puts each wave in one
// transaction, and the baseline inserts each wave in one transaction too.
// Dormant schedule rate (the store-first goals): every task here is due in an hour, so after the
// redesign each concurrent schedule() leaves a dormant record, not an actor. The closing lines set the
// concurrent rates beside their baselines from the same run: errand on memoryStore against bare idle
// XState actors (goal >= 2x) and on sqliteStore (synchronous=full, the default) against the direct
// inserts (goal >= 0.6x).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'superjson';
import { createActor, fromTransition, setup, type AnyActorRef } from 'xstate';
import { openSqlite } from '../adapters/stores/sqlite-driver.js';
import { rowParams, UPSERT_SQL } from '../adapters/stores/sqlite-rows.js';
import { sqliteStore } from '../adapters/stores/sqlite-store.js';
import { createOrchestrator, memoryStore } from '../src/index.js';
import { taskRecordSchema, type TaskRecord } from '../src/core/schemas.js';

const SEQUENTIAL = 1_000;
const WAVE = 1_000;
const WAVES = 10;
const ROUNDS = 5;
/** Far enough ahead that nothing runs while the bench measures storing. */
const DELAY_MS = 3_600_000;

type Sync = 'full' | 'normal';
type Shape = 'sequential' | 'concurrent';

const gc = (globalThis as { gc?: () => void }).gc;

function freshPath(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'errand-bench-'));
  return { path: join(dir, 'bench.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const inputOf = (i: number) => ({ n: i, at: new Date(1_767_225_600_000 + i), tags: ['bench'] });

/** schedule() calls per second through the orchestrator and sqliteStore (or memoryStore: no store cost). */
async function errandRound(shape: Shape, synchronous: Sync | 'memory'): Promise<number> {
  const { path, cleanup } = freshPath();
  const store = synchronous === 'memory' ? memoryStore() : sqliteStore({ path, synchronous });
  const orchestrator = createOrchestrator({ store });
  orchestrator.register('job', () => undefined);
  await orchestrator.start();
  const count = shape === 'sequential' ? SEQUENTIAL : WAVE * WAVES;
  const started = performance.now();
  if (shape === 'sequential') {
    for (let i = 0; i < count; i++) await orchestrator.schedule({ taskId: `job/${i}`, initialDelayMs: DELAY_MS, input: inputOf(i) });
  } else {
    for (let w = 0; w < WAVES; w++) {
      const wave: Promise<unknown>[] = [];
      for (let i = w * WAVE; i < (w + 1) * WAVE; i++) {
        wave.push(orchestrator.schedule({ taskId: `job/${i}`, initialDelayMs: DELAY_MS, input: inputOf(i) }));
      }
      await Promise.all(wave);
    }
  }
  const perSecond = count / ((performance.now() - started) / 1000);
  await orchestrator.shutdown();
  cleanup();
  return perSecond;
}

/** The least an idle task can cost as an XState actor: a context and one delayed transition. */
const idleFloorMachine = setup({
  types: { context: {} as { taskId: string; nextRunAt: number }, input: {} as { taskId: string } },
  delays: { untilDue: ({ context }) => context.nextRunAt - Date.now() },
}).createMachine({
  context: ({ input }) => ({ taskId: input.taskId, nextRunAt: Date.now() + DELAY_MS }),
  initial: 'pending',
  states: { pending: { after: { untilDue: 'done' }, on: { CANCEL: 'done' } }, done: { type: 'final' } },
});
const hostLogic = fromTransition((state: null) => state, null);

/** Idle actors per second, created in the concurrent shape's waves (a macrotask between waves). */
async function idleFloorRound(): Promise<number> {
  const actors: AnyActorRef[] = [];
  let host: AnyActorRef = createActor(hostLogic).start();
  const started = performance.now();
  for (let i = 0; i < WAVE * WAVES; i++) {
    if (i % 32 === 0) host = createActor(hostLogic).start();
    actors.push(createActor(idleFloorMachine, { parent: host, id: `job/${i}`, input: { taskId: `job/${i}` } }).start());
    if (i % WAVE === WAVE - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  const perSecond = (WAVE * WAVES) / ((performance.now() - started) / 1000);
  for (const actor of actors) actor.send({ type: 'CANCEL' });
  return perSecond;
}

/** The records errand would write, serialized and inserted with better-sqlite3 directly. */
async function directRound(shape: Shape, synchronous: Sync): Promise<number> {
  const { path, cleanup } = freshPath();
  // Let sqliteStore create the same tables and meta row, then write to them behind its back.
  const setup = sqliteStore({ path, synchronous });
  await setup.open();
  await setup.close();
  const db = openSqlite(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  const upsert = db.prepare(UPSERT_SQL);
  const insertMany = db.transaction((records: TaskRecord[]) => {
    for (const record of records) upsert.run(...rowParams(record));
  });
  const recordOf = (i: number): TaskRecord => {
    const now = Date.now();
    return taskRecordSchema.parse({
      version: 2,
      taskId: `job/${i}`,
      request: { taskId: `job/${i}`, initialDelayMs: DELAY_MS },
      input: stringify(inputOf(i)),
      attempt: 0,
      interrupted: 0,
      runCount: 0,
      status: 'pending',
      dueAt: now + DELAY_MS,
      held: null,
      updatedAt: now,
    });
  };
  const count = shape === 'sequential' ? SEQUENTIAL : WAVE * WAVES;
  const records = Array.from({ length: count }, (_, i) => recordOf(i));
  const started = performance.now();
  if (shape === 'sequential') {
    for (const record of records) {
      insertMany.immediate([record]);
      await Promise.resolve();
    }
  } else {
    for (let w = 0; w < WAVES; w++) {
      insertMany.immediate(records.slice(w * WAVE, (w + 1) * WAVE));
      await Promise.resolve();
    }
  }
  const perSecond = count / ((performance.now() - started) / 1000);
  db.close();
  cleanup();
  return perSecond;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Figures {
  errand: number;
  direct: number;
  memory: number | null;
}

/** Alternating rounds of each side, so drift in the machine affects all alike. */
async function measure(shape: Shape, synchronous: Sync, withMemory: boolean): Promise<Figures> {
  await errandRound(shape, synchronous); // warm-up
  await directRound(shape, synchronous);
  if (withMemory) await errandRound(shape, 'memory');
  const errand: number[] = [];
  const direct: number[] = [];
  const memory: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc?.();
    errand.push(await errandRound(shape, synchronous));
    gc?.();
    direct.push(await directRound(shape, synchronous));
    if (withMemory) {
      gc?.();
      memory.push(await errandRound(shape, 'memory'));
    }
  }
  return { errand: median(errand), direct: median(direct), memory: withMemory ? median(memory) : null };
}

export default async function storeBench(): Promise<void> {
  console.log(
    `durable schedule() per second, sqliteStore vs better-sqlite3 direct (WAL, same rows), ` +
      `median of ${ROUNDS} alternating rounds; sequential: ${fmt(SEQUENTIAL)} awaited calls, ` +
      `concurrent: ${WAVES} waves of ${fmt(WAVE)}`,
  );
  console.log("  (errand on memoryStore: the same calls with no store cost, to tell the store's share from the orchestrator's)");
  const goal = 20_000;
  let memoryRate: number | null = null;
  let durable: Figures | null = null;
  for (const synchronous of ['full', 'normal'] as const) {
    for (const shape of ['sequential', 'concurrent'] as const) {
      const { errand, direct, memory } = await measure(shape, synchronous, synchronous === 'full');
      const verdict = shape === 'concurrent' && synchronous === 'full' ? `  goal ≥ ${fmt(goal)}/s: ${errand >= goal ? 'met' : 'NOT met'}` : '';
      const vsMemory = memory === null ? '' : `  errand on memoryStore ${fmt(memory).padStart(8)}/s  sqlite/memory ${(errand / memory).toFixed(2)}`;
      console.log(
        `  synchronous=${synchronous.padEnd(6)} ${shape.padEnd(10)}  errand ${fmt(errand).padStart(8)}/s  ` +
          `direct ${fmt(direct).padStart(8)}/s  errand/direct ${(errand / direct).toFixed(2)}${vsMemory}${verdict}`,
      );
      if (memory !== null && shape === 'concurrent') memoryRate = memory;
      if (synchronous === 'full' && shape === 'concurrent') durable = { errand, direct, memory };
    }
  }
  await idleFloorRound(); // warm-up
  const floors: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc?.();
    floors.push(await idleFloorRound());
  }
  const floor = median(floors);
  console.log(
    `  XState floor: bare idle actors (a context, one delayed transition) in the same waves ${fmt(floor).padStart(8)}/s` +
      (memoryRate === null ? '' : `  floor / errand on memoryStore ${(floor / memoryRate).toFixed(2)}`),
  );
  if (memoryRate === null || durable === null) return;
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  const vsFloor = memoryRate / floor;
  const vsDirect = durable.errand / durable.direct;
  console.log(`dormant schedule() (due in 1 h), concurrent, ${WAVES} waves of ${fmt(WAVE)}, medians above:`);
  console.log(
    `  memoryStore ${fmt(memoryRate).padStart(8)}/s vs bare idle XState actors ${fmt(floor).padStart(8)}/s: ` +
      `${vsFloor.toFixed(2)}x   goal >= 2x: ${verdict(vsFloor >= 2)}`,
  );
  console.log(
    `  sqliteStore ${fmt(durable.errand).padStart(8)}/s vs better-sqlite3 direct   ${fmt(durable.direct).padStart(8)}/s: ` +
      `${vsDirect.toFixed(2)}x   goal >= 0.6x: ${verdict(vsDirect >= 0.6)}`,
  );
}
