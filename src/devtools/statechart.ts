// The task machine as a statechart: states and transitions read from the machine's own
// definition (so the drawing follows the machine), laid out by hand for the states errand has.
import { taskMachine } from '../../machines/task-machine.js';

/** What the chart reads of an XState state node (a machine's `root` and its `states`). */
export interface StateNodeLike {
  readonly key: string;
  readonly type: string;
  readonly path: readonly string[];
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
}

interface TransitionLike {
  readonly target?: readonly { readonly path: readonly string[] }[] | undefined;
}

export interface MachineLike {
  readonly root: StateNodeLike;
}

/** Where transitions defined on the machine's root (taken from any state) start. */
export const ANY_STATE = '*';

export interface ChartState {
  key: string;
  final: boolean;
  /** Centre of the node, in the chart's coordinates. */
  x: number;
  y: number;
}

export interface ChartEdge {
  /** `${from}>${to}` */
  id: string;
  /** A top-level state's key, or ANY_STATE. */
  from: string;
  to: string;
  /** Event labels, in definition order: event types, "after <delay>", "always". */
  events: readonly string[];
  /** SVG path data of the arc. */
  path: string;
  /** Where the label's first line goes (text centred on x). */
  label: { x: number; y: number };
}

export interface Statechart {
  width: number;
  height: number;
  /** Where ANY_STATE's marker is (the source of the machine's root transitions). */
  any: { x: number; y: number };
  states: readonly ChartState[];
  edges: readonly ChartEdge[];
}

export const NODE_WIDTH = 104;
export const NODE_HEIGHT = 34;
const SPACING = 124;
const MARGIN = 70;
const LINE = 11;

// Layout: an arc diagram. The states sit on one line in the machine's own order (after the
// "any state" marker); a transition to a later state arcs above the line, to an earlier one
// below, higher the further it goes, its label at the top of its arc. It needs no hand
// placement, so a state added to the machine is drawn like the others.

/** The label of a transition's event: delayed events by their delay's name. */
export function eventLabel(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after?.[1]) return `after ${after[1]}`;
  return eventType;
}

function topKey(target: { path: readonly string[] }): string | undefined {
  return target.path[0];
}

/** The machine's top-level states and the transitions between them (targetless ones left out). */
export function statechartOf(machine: MachineLike = taskMachine): Statechart {
  const keys = Object.keys(machine.root.states);
  const found = new Map<string, { from: string; to: string; events: string[] }>();
  const add = (from: string, to: string, label: string) => {
    const id = `${from}>${to}`;
    let edge = found.get(id);
    if (!edge) found.set(id, (edge = { from, to, events: [] }));
    if (!edge.events.includes(label)) edge.events.push(label);
  };
  const collect = (from: string, node: StateNodeLike) => {
    for (const [eventType, transitions] of node.transitions) {
      for (const t of transitions) for (const target of t.target ?? []) {
        const to = topKey(target);
        if (to !== undefined) add(from, to, eventLabel(eventType));
      }
    }
    for (const t of node.always ?? []) for (const target of t.target ?? []) {
      const to = topKey(target);
      if (to !== undefined) add(from, to, 'always');
    }
  };
  collect(ANY_STATE, machine.root);
  for (const key of keys) {
    const node = machine.root.states[key];
    if (node) collect(key, node);
  }
  const edgesList = [...found.values()];
  const indexOf = (key: string) => (key === ANY_STATE ? 0 : keys.indexOf(key) + 1);
  const xOf = (key: string) => MARGIN + indexOf(key) * SPACING;
  const heightOf = (span: number) => 16 + span * 38;
  const above = Math.max(0, ...edgesList.filter((e) => indexOf(e.to) > indexOf(e.from)).map((e) => heightOf(indexOf(e.to) - indexOf(e.from)) + e.events.length * LINE));
  const below = Math.max(0, ...edgesList.filter((e) => indexOf(e.to) < indexOf(e.from)).map((e) => heightOf(indexOf(e.from) - indexOf(e.to)) + e.events.length * LINE));
  const y = Math.max(above, 60) + 24;
  const states: ChartState[] = keys.map((key) => ({ key, final: machine.root.states[key]?.type === 'final', x: xOf(key), y }));
  const edges: ChartEdge[] = edgesList.map((e) => {
    const x1 = xOf(e.from);
    const x2 = xOf(e.to);
    const id = `${e.from}>${e.to}`;
    const half = NODE_HEIGHT / 2;
    if (x1 === x2) {
      // A loop over the node's top right corner.
      const sx = x1 + 18;
      const top = y - half;
      return { id, ...e, path: `M ${sx - 10} ${top} C ${sx - 22} ${top - 44}, ${sx + 34} ${top - 44}, ${sx + 14} ${top}`, label: { x: sx + 34, y: top - 38 } };
    }
    const forward = x2 > x1;
    const rise = heightOf(Math.abs(indexOf(e.to) - indexOf(e.from)));
    // Forward arcs leave a node's top right of centre and land left of centre; backward ones mirror that below.
    // Longer arcs leave and land further out, so arcs sharing a node fan out instead of stacking.
    const span = Math.abs(indexOf(e.to) - indexOf(e.from));
    const spread = Math.min(NODE_WIDTH / 2 - 8, 6 + span * 7);
    const sx = x1 + (forward ? spread : -spread);
    const ex = x2 + (forward ? -spread : spread);
    const edgeY = forward ? y - half : y + half;
    const cy = forward ? edgeY - (rise * 4) / 3 : edgeY + (rise * 4) / 3;
    const path = `M ${sx} ${edgeY} C ${sx} ${cy}, ${ex} ${cy}, ${ex} ${edgeY}`;
    const apex = forward ? edgeY - rise : edgeY + rise;
    const labelY = forward ? apex - 4 - (e.events.length - 1) * LINE : apex + 11;
    return { id, ...e, path, label: { x: (sx + ex) / 2, y: labelY } };
  });
  const width = MARGIN * 2 + keys.length * SPACING;
  return { width, height: y + NODE_HEIGHT / 2 + Math.max(below, 20) + 8, any: { x: xOf(ANY_STATE), y }, states, edges };
}

/** The last transition as the chart marks it. */
export interface ChartStep {
  from: string | null;
  to: string;
  type: string;
}

/**
 * The edges a step went along: a root transition from ANY_STATE (then an eventless one from its
 * target when the task moved on at once), else the edge between the two states with that event.
 */
export function edgesOfStep(chart: Statechart, step: ChartStep | null): string[] {
  if (!step || step.from === null) return [];
  const label = eventLabel(step.type);
  const fromAny = chart.edges.find((e) => e.from === ANY_STATE && e.events.includes(label));
  if (fromAny) {
    if (fromAny.to === step.to) return [fromAny.id];
    const onward = chart.edges.find((e) => e.from === fromAny.to && e.to === step.to && e.events.includes('always'));
    return onward ? [fromAny.id, onward.id] : [fromAny.id];
  }
  if (step.from === step.to) return chart.edges.some((e) => e.id === `${step.from}>${step.to}` && e.events.includes(label)) ? [`${step.from}>${step.to}`] : [];
  const direct = chart.edges.find((e) => e.from === step.from && e.to === step.to);
  return direct ? [direct.id] : [];
}
