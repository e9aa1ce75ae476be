/**
 * Model-based tests of the task machine against the real orchestrator.
 *
 * test/model/task-model.ts wraps the real `taskMachine` in a model of one TaskId as the
 * orchestrator drives it (gate, network, one worker slot another TaskId can hold, simulated time,
 * worker calls, runNow callers).
 * @xstate/graph traverses that model; test/model/plan.ts picks a bounded set of paths that
 * walk every model state, every machine transition the model reaches and every
 * (machine state, event) pair. Each path is then replayed on a real orchestrator (test clock,
 * test platform, memory store) and after every step the real task must match the model:
 * getTask() snapshot (status, attempt, nextRunAt, progress, outcome, ...), the machine
 * transitions taken (read through the orchestrator's `inspect` option), worker calls (attempt,
 * aborted), runNow callers' settlement, the stored record, the clock's armed timers.
 *
 * Coverage is checked against the machine definition itself, so a new state or transition
 * that the walk does not reach fails the suite.
 */
import { describe, expect, it } from 'vitest';
import { ALL_STATES, allMachineEdges, eventLabel, initialModel, modelKey, modelStep, type ModelEvent } from './model/task-model.js';
import { exploreModel, planPaths, replay } from './model/plan.js';
import { RealTask } from './model/real-task.js';

/**
 * Transitions the orchestrator can never take, with why. The model test below proves the
 * model does not reach them either, so this list cannot go stale silently.
 */
const UNREACHABLE: Record<string, string> = {
  'pending --CALLER_ABORTED#0--> cancelled':
    'a runNow caller exists only in running: RUN_NOW targets running and every way out of running clears or finishes it',
  'constrained --CALLER_ABORTED#0--> cancelled': 'same: instant work never waits for constraints',
  'backoff --CALLER_ABORTED#0--> cancelled': 'same: instant work never retries (WORK_FAILED with isInstant ends in done)',
  'backoff --after(untilNextRun)#0--> (stays)':
    'backoff follows a run, runs need the ready gate open, and the gate only closes at shutdown, which cancels in the same tick',
  'backoff --GATE_OPENED#0--> running': 'GATE_OPENED is sent once, by start(), before anything could have run',
  'backoff --GATE_OPENED#1--> constrained': 'same',
  'running --WORK_DONE#0--> (stays)':
    'run-attempt.ts drops the result of an aborted run; a run is aborted whenever running is left before its result, and a result reaches the machine in the same tick it settles, so a non-current runId never arrives (the guard is defensive)',
  'running --WORK_FAILED#0--> (stays)': 'same',
  'pending --always#0--> backoff':
    'only an actor activated from a record saved in backoff resumes there (test/lifecycle.test.ts, activation tests)',
  'pending --always#1--> pending':
    'only an actor activated from a record whose last allowed attempt a crash cut off, on periodic work (activation tests)',
  'pending --always#2--> done': 'the same on one-time work (test/lifecycle.test.ts)',
};

const graph = exploreModel();
const paths = planPaths(graph);
const reachable = allMachineEdges().filter((edge) => !(edge in UNREACHABLE));

/** What the walks on the real orchestrator covered, for the final coverage check. */
const walked = { edges: new Set<string>(), states: new Set<string>(), paths: 0 };

async function walk(events: readonly ModelEvent[]): Promise<void> {
  const real = new RealTask();
  let model = initialModel;
  real.expectMatches(model, 'initially');
  for (const [i, event] of events.entries()) {
    const before = model;
    model = modelStep(before, event);
    await real.apply(event, before);
    real.expectMatches(model, `step ${i + 1} (${eventLabel(event)})`);
    for (const edge of real.edges) walked.edges.add(edge);
  }
  for (const state of real.statesEntered) walked.states.add(state);
  walked.paths++;
}

describe('task machine model', () => {
  it('reaches every state and every transition of the machine but the documented unreachable ones', () => {
    const modelEdges = new Set(graph.edges.flatMap((edge) => edge.to.edges));
    const modelStates = new Set([...graph.states.values()].flatMap((c) => (c.task ? [String(c.task.value)] : [])));
    expect([...modelStates].sort()).toEqual([...ALL_STATES].sort());
    expect([...modelEdges].sort()).toEqual([...reachable].sort());
    // The unreachable list names real transitions of the machine, none of which the model takes.
    const all = allMachineEdges();
    for (const edge of Object.keys(UNREACHABLE)) {
      expect(all, edge).toContain(edge);
      expect(modelEdges.has(edge), edge).toBe(false);
    }
    expect(graph.edges.flatMap((edge) => edge.to.unknownActions)).toEqual([]);
  });

  it('is deterministic: replaying each shortest path reaches the state the traversal found', () => {
    for (const edge of graph.edges) {
      const states = replay(edge.events);
      expect(modelKey(states[states.length - 1] ?? initialModel), edge.events.map(eventLabel).join(' > ')).toBe(modelKey(edge.to));
    }
  });

  it('walks a bounded number of paths', () => {
    expect(graph.states.size).toBeGreaterThan(50);
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.length).toBeLessThan(250);
  });
});

describe('real orchestrator follows the task machine model', () => {
  for (const [i, events] of paths.entries()) {
    it(`path ${i + 1}: ${events.map(eventLabel).join(' > ')}`, () => walk(events));
  }

  it('the walks visited every state and every reachable transition', () => {
    expect(walked.paths, 'every path walked').toBe(paths.length);
    expect([...walked.states].sort()).toEqual([...ALL_STATES].sort());
    expect([...walked.edges].sort()).toEqual([...reachable].sort());
  });
});
