/**
 * Traverses the model with @xstate/graph and picks a bounded set of event sequences that
 * together walk every abstract model state, every machine transition the model reaches and
 * every (machine state, event) pair the model enables (ignored events included).
 */
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths, type TraversalOptions } from '@xstate/graph';
import type { TransitionSnapshot } from 'xstate';
import {
  eventLabel,
  initialModel,
  modelEvents,
  modelKey,
  modelLogic,
  modelStep,
  type ModelContext,
  type ModelEvent,
} from './task-model.js';

type ModelSnapshot = TransitionSnapshot<ModelContext>;

const traversal: TraversalOptions<ModelSnapshot, ModelEvent, undefined> = {
  events: (snapshot) => modelEvents(snapshot.context),
  serializeState: (snapshot) => modelKey(snapshot.context),
};

/** One transition of the model graph: reached by the shortest path to `from`, then `event`. */
export interface ModelEdge {
  from: ModelContext;
  event: ModelEvent;
  to: ModelContext;
  /** Shortest event sequence that ends with this edge. */
  events: ModelEvent[];
}

export interface ModelGraph {
  states: Map<string, ModelContext>;
  edges: ModelEdge[];
}

export function exploreModel(): ModelGraph {
  const adjacency = getAdjacencyMap(modelLogic, traversal);
  const shortest = new Map<string, ModelEvent[]>();
  for (const path of getShortestPaths(modelLogic, traversal)) {
    // Steps as @xstate/graph returns them: [initial, then each state with the event that led to it].
    shortest.set(
      modelKey(path.state.context),
      path.steps.slice(1).map((step) => step.event),
    );
  }
  const states = new Map<string, ModelContext>();
  for (const { state } of Object.values(adjacency)) states.set(modelKey(state.context), state.context);
  const edges = adjacencyMapToArray(adjacency).map(({ state, event, nextState }): ModelEdge => {
    const prefix = shortest.get(modelKey(state.context));
    if (!prefix) throw new Error(`no shortest path to ${modelKey(state.context)}`);
    return { from: state.context, event, to: nextState.context, events: [...prefix, event] };
  });
  return { states, edges };
}

/** Replays events from the initial model state, returning the state after each step. */
export function replay(events: readonly ModelEvent[]): ModelContext[] {
  const states: ModelContext[] = [];
  let c = initialModel;
  for (const event of events) {
    c = modelStep(c, event);
    states.push(c);
  }
  return states;
}

const machineState = (c: ModelContext): string => (c.task ? `${String(c.task.value)}${c.task.status === 'active' ? '' : '(final)'}` : '(none)');

/** What walking an edge covers. */
export function goalsOf(edge: ModelEdge): string[] {
  return [
    `state ${modelKey(edge.to)}`,
    `pair ${machineState(edge.from)} × ${eventLabel(edge.event)}`,
    ...edge.to.edges.map((id) => `edge ${id}`),
  ];
}

/**
 * Greedy cover, shortest first: keeps an edge's path if it covers a goal no kept path covers,
 * then drops paths that are prefixes of other kept paths.
 */
export function planPaths(graph: ModelGraph): ModelEvent[][] {
  const covered = new Set<string>();
  const kept: ModelEvent[][] = [];
  const byLength = [...graph.edges].sort((a, b) => a.events.length - b.events.length);
  for (const edge of byLength) {
    const goals = goalsOf(edge);
    if (goals.every((goal) => covered.has(goal))) continue;
    for (const goal of goals) covered.add(goal);
    kept.push(edge.events);
  }
  const labels = kept.map((events) => events.map(eventLabel).join(' > '));
  return kept.filter((_, i) => !labels.some((other, j) => j !== i && other.startsWith(`${labels[i]} > `)));
}
