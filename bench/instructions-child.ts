// The workload bench/instructions.bench.ts counts under callgrind, bundled to plain JS first so
// valgrind never runs tsx. `node <bundle> <mode> <N>`:
//   errand  N no-op oneTime tasks due now through schedule() on the memory store, run to completion
//   limited the same with worker limits set far above N (per task and orchestrator-wide): never reached
//   xstate  N bare XState actors: core.bench.ts's XState floor (create, run a no-op promise, final)
//   machine N actors of errand's own task machine, due now, with a no-op worker: no orchestrator,
//           no store, no index (what the six-state lifecycle costs in XState by itself)
//   empty   loads the same bundle and does nothing: the startup both figures share
// Exits non-zero unless the worker (or the actor's action) ran exactly N times.
import { createActor, fromTransition, setup, type AnyActorRef } from 'xstate';
import type { TaskEnvironment } from '../machines/task-environment.js';
import { taskMachine } from '../machines/task-machine.js';
import { unconstrainedConditions } from '../src/core/conditions.js';
import { taskRequestSchema } from '../src/core/schemas.js';
import { createOrchestrator, defineTask } from '../src/index.js';

function counter(n: number): { tick: () => void; done: Promise<void>; count: () => number } {
  let finished = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  if (n === 0) resolve();
  return { tick: () => void (++finished === n && resolve()), done, count: () => finished };
}

async function errand(n: number, limited = false): Promise<number> {
  const { tick, done, count } = counter(n);
  const never = 10 * n + 1;
  const orchestrator = createOrchestrator(limited ? { maxConcurrentWorkers: never } : {});
  orchestrator.register(defineTask({ id: 'noop', concurrency: limited ? never : undefined, run: async () => tick() }));
  await orchestrator.start();
  for (let i = 0; i < n; i++) void orchestrator.schedule({ taskId: `noop/${i}` });
  await done;
  await orchestrator.shutdown();
  return count();
}

// The same floor as bench/core.bench.ts: one actor per task under a shared host per 32 actors.
let floorTick: () => void = () => {};
const floorMachine = setup({
  actions: {
    run: ({ self }) => void Promise.resolve(floorTick()).then(() => self.send({ type: 'DONE' })),
  },
}).createMachine({ initial: 'running', states: { running: { entry: 'run', on: { DONE: 'done' } }, done: { type: 'final' } } });
const hostLogic = fromTransition((state: null) => state, null);

async function xstate(n: number): Promise<number> {
  const { tick, done, count } = counter(n);
  floorTick = tick;
  let host: AnyActorRef = createActor(hostLogic).start();
  for (let i = 0; i < n; i++) {
    if (i % 32 === 0) host = createActor(hostLogic).start();
    createActor(floorMachine, { parent: host }).start();
  }
  await done;
  return count();
}

// The task machine alone: the environment an orchestrator would give it, reduced to constants.
async function machine(n: number): Promise<number> {
  const { tick, done, count } = counter(n);
  const env: TaskEnvironment = {
    now: () => 0,
    conditions: () => unconstrainedConditions,
    gateOpen: () => true,
    paused: () => false,
    random: () => 0,
    track: () => {},
    untrack: () => {},
    // No limits: every slot is free, nothing is counted.
    slots: { free: () => true, take: () => {}, release: () => {}, wait: () => {}, leave: () => {} },
  };
  const request = taskRequestSchema.parse({ taskId: 'noop' });
  const work = { request, inputText: null, input: undefined, run: async () => tick() };
  let host: AnyActorRef = createActor(hostLogic).start();
  for (let i = 0; i < n; i++) {
    if (i % 32 === 0) host = createActor(hostLogic).start();
    createActor(taskMachine, { input: { taskId: `noop/${i}`, env, work, nextRunAt: 0 }, parent: host }).start();
  }
  await done;
  return count();
}

const [mode, arg] = process.argv.slice(2);
const n = Number(arg ?? 0);
const run: Record<string, () => Promise<number> | number> = {
  errand: () => errand(n),
  limited: () => errand(n, true),
  machine: () => machine(n),
  xstate: () => xstate(n),
  empty: () => 0,
};
const ran = mode !== undefined && run[mode] ? await run[mode]() : -1;
if (ran !== n) {
  console.error(`instructions-child ${mode} ${n}: ran ${ran} of ${n}`);
  process.exit(1);
}
