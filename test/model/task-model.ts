/**
 * An executable model of ONE TaskId as the orchestrator drives it: the real `taskMachine`
 * (stepped with `taskMachine.transition`, no actor) plus a small world around it — ready gate,
 * network, simulated time, the XState timers the machine arms, the worker calls it starts and
 * the runNow callers it settles. `modelLogic` is an XState actor logic, so `@xstate/graph`
 * can traverse it.
 *
 * Model events are things a user of the orchestrator (or its platform, clock or worker) does;
 * each becomes zero or more task-machine events exactly as the orchestrator would send them:
 *
 *   START            orchestrator.start()                    -> GATE_OPENED (if a task is live)
 *   SCHEDULE A|B     orchestrator.schedule(request A|B)      -> spawn, or SCHEDULE
 *   RUN_NOW          orchestrator.runNow(...)                -> spawn if needed, RUN_NOW
 *   CANCEL           orchestrator.cancel()                   -> CANCEL {reason: 'cancelled'}
 *   SHUTDOWN         orchestrator.shutdown()                 -> CANCEL {reason: 'shutdown'}
 *   CALLER_ABORTED   abort the current runNow caller signal  -> CALLER_ABORTED {ticket}
 *   NETWORK on|off   platform.push({type: 'network'})        -> CONDITIONS_CHANGED (if watched)
 *   TIMER            clock.advance to the next timer         -> xstate.after.untilNextRun.*
 *   WORK_DONE        resolve a worker call's promise          -> WORK_DONE {runId, output}
 *   WORK_FAILED      reject a worker call's promise           -> WORK_FAILED {runId, error}
 *   PROGRESS         ctx.setProgress(0.5) in the worker       -> PROGRESS {runId, value}
 *   OTHER_RUN        runNow('other') holds the only worker slot (maxConcurrentWorkers: 1)
 *   OTHER_DONE       that runNow resolves: its slot is freed    -> SLOT_FREE (if the task waits for one)
 *
 * The last three exist for the current call and for a superseded ('stale') one; a superseded
 * call was aborted, and run-attempt.ts drops what an aborted call reports.
 *
 * Side effects of the machine's actions are not executed (the actor scope records them);
 * the model applies their meaning itself: timers armed/cancelled, worker calls started and
 * aborted, runNow callers resolved or rejected.
 */
import {
  createEmptyActor,
  fromTransition,
  type AnyActorScope,
  type AnyTransitionDefinition,
  type ExecutableActionObject,
  type InspectionEvent,
} from 'xstate';
import { taskMachine, type TaskContext, type TaskEvent, type TaskMachineSnapshot } from '../../machines/task-machine.js';
import type { TaskEnvironment } from '../../machines/task-environment.js';
import { workDone } from '../../machines/run-attempt.js';
import { hasConstraints, unconstrainedConditions, type Conditions } from '../../src/core/conditions.js';
import { TaskCancelledError, type CancelReason } from '../../src/core/errors.js';
import { scheduleRequestSchema, type ScheduleRequest, type TaskRequest } from '../../src/core/schemas.js';
import { WorkResult } from '../../src/core/work-result.js';

export const TASK_ID = 'job';
/** A second TaskId whose runNow takes the worker slot (runNow is counted, never limited). */
export const OTHER_ID = 'other';
/** Both the model and the real test clock start here. */
export const T0 = Date.UTC(2026, 0, 1);
/** Backoff jitter is off; this is what `random` returns anyway. */
export const RANDOM = 0.5;
export const PROGRESS_VALUE = 0.5;

/** What workers settle with; the same objects are used by the model and the real workers. */
export const OUTPUTS = {
  value: 'the result',
  retry: WorkResult.retry('try again'),
  failure: WorkResult.failure('broken for good'),
} as const;
export const THROWN = new Error('worker threw');
export type OutputKind = keyof typeof OUTPUTS;

/**
 * Two requests for the same TaskId between them enable every guard of the machine:
 *  A: one-time, due at once, backoff 0 ms  -> `always` in pending/backoff, one-time endings.
 *  B: periodic, due in 100 ms, backoff 50  -> `after` in pending/backoff, periodic endings.
 * Both need a network (so conditions matter) and allow 2 attempts (retry, then exhausted).
 */
export const VARIANTS = {
  A: {
    taskId: TASK_ID,
    kind: 'oneTime',
    initialDelayMs: 0,
    constraints: { network: 'any' },
    backoff: { initialDelayMs: 0, maxAttempts: 2 },
  },
  B: {
    taskId: TASK_ID,
    kind: 'periodic',
    initialDelayMs: 100,
    intervalMs: 1_000,
    constraints: { network: 'any' },
    backoff: { initialDelayMs: 50, maxAttempts: 2 },
  },
} as const satisfies Record<string, ScheduleRequest>;
export type VariantName = keyof typeof VARIANTS;

/** The request as `orchestrator.schedule` stores it (defaults applied, no conflict policy). */
export function parsedRequest(variant: VariantName): TaskRequest {
  const { onConflict: _onConflict, ...request } = scheduleRequestSchema.parse(VARIANTS[variant]);
  return request;
}
const REQUESTS: Record<VariantName, TaskRequest> = { A: parsedRequest('A'), B: parsedRequest('B') };
const neverRuns = (): never => {
  throw new Error('the model never runs workers');
};

export type ModelEvent =
  | { type: 'START' }
  | { type: 'SCHEDULE'; variant: VariantName }
  | { type: 'RUN_NOW' }
  | { type: 'CANCEL' }
  | { type: 'SHUTDOWN' }
  | { type: 'CALLER_ABORTED' }
  | { type: 'NETWORK'; online: boolean }
  | { type: 'TIMER' }
  | { type: 'WORK_DONE'; run: 'current' | 'stale'; output: OutputKind }
  | { type: 'WORK_FAILED'; run: 'current' | 'stale' }
  | { type: 'PROGRESS'; run: 'current' | 'stale' }
  | { type: 'OTHER_RUN' }
  | { type: 'OTHER_DONE' };

/** One worker (or runNow function) call; `index` is its position among all calls of the path. */
export interface ModelRun {
  index: number;
  incarnation: number;
  runId: number;
  instant: boolean;
  /** WorkContext.attempt the worker was called with (null for runNow functions). */
  attempt: number | null;
  /** ActiveRun.settled: its result arrived or it was aborted. */
  settled: boolean;
  aborted: boolean;
  /** Its promise was settled by the test. */
  resolved: boolean;
}

export type CallerState =
  | { state: 'pending' }
  | { state: 'resolved'; value: unknown }
  | { state: 'rejected'; error: unknown };

export interface StoredRecord {
  taskId: string;
  status: string;
  attempt: number;
  dueAt: number;
  request: TaskRequest;
}

export interface ModelTimer {
  id: string;
  dueAt: number;
}

export interface ModelContext {
  /** The live (or last finished) task actor's snapshot; null before the TaskId was ever used. */
  task: TaskMachineSnapshot | null;
  /** How many actors the TaskId has had (a finished task is respawned by schedule/runNow). */
  incarnation: number;
  open: boolean;
  online: boolean;
  stopped: boolean;
  now: number;
  timers: readonly ModelTimer[];
  runs: readonly ModelRun[];
  /** runNow callers by ticket - 1. */
  callers: readonly CallerState[];
  /** The record the store should hold for the TaskId. */
  stored: StoredRecord | null;
  /** A runNow of another TaskId holds the orchestrator's only worker slot. */
  other: boolean;
  /** The task is in line for a worker slot (its `queueForSlot` / `leaveSlotQueue` actions). */
  waiting: boolean;
  /** Machine transitions taken by the last step, as edge ids (see `edgeId`). */
  edges: readonly string[];
  /** Custom actions the machine executed that this model does not know (must stay empty). */
  unknownActions: readonly string[];
}

export const initialModel: ModelContext = {
  task: null,
  incarnation: 0,
  open: false,
  online: true,
  stopped: false,
  now: T0,
  timers: [],
  runs: [],
  callers: [],
  stored: null,
  other: false,
  waiting: false,
  edges: [],
  unknownActions: [],
};

// ---------------------------------------------------------------------------------------------
// Edges: one id per transition definition of the machine, per source state.

const labelOf = (t: AnyTransitionDefinition): string =>
  t.eventType === '' ? 'always' : t.eventType.startsWith('xstate.after.') ? `after(${t.eventType.split('.')[2]})` : t.eventType;

/** `running --WORK_DONE#2--> backoff`: source state, event, index among its candidates, target. */
export function edgeId(from: string, t: AnyTransitionDefinition): string {
  const candidates: readonly AnyTransitionDefinition[] =
    t.eventType === '' ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? []);
  const to = t.target ? t.target.map((node) => node.key).join(',') : '(stays)';
  return `${from} --${labelOf(t)}#${candidates.indexOf(t)}--> ${to}`;
}

/** The edges one microstep took from state `from`, and the state it ended in. */
export function followMicrostep(from: string, transitions: readonly AnyTransitionDefinition[]): { edges: string[]; to: string } {
  let to = from;
  const edges = transitions.map((t) => {
    if (t.target?.[0]) to = t.target[0].key;
    return edgeId(from, t);
  });
  return { edges, to };
}

/** Edge ids of the transitions inside one macrostep, given the state it started in. */
export function edgesOfMicrosteps(from: string, microsteps: readonly (readonly AnyTransitionDefinition[])[]): string[] {
  const edges: string[] = [];
  let current = from;
  for (const transitions of microsteps) {
    const step = followMicrostep(current, transitions);
    edges.push(...step.edges);
    current = step.to;
  }
  return edges;
}

/** The state a newly spawned task actor starts in (before its `always` transitions). */
export const INITIAL_STATE = String(taskMachine.config.initial);

/** Every state of the machine. */
export const ALL_STATES: readonly string[] = Object.keys(taskMachine.root.states);

/** Every transition definition of the machine, from every non-final state (root `on` included). */
export function allMachineEdges(): string[] {
  const root = taskMachine.root;
  const edges: string[] = [];
  for (const [key, node] of Object.entries(root.states)) {
    if (node.type === 'final') continue;
    for (const owner of [node, root]) {
      for (const candidates of owner.transitions.values()) for (const t of candidates) edges.push(edgeId(key, t));
      for (const t of owner.always ?? []) edges.push(edgeId(key, t));
    }
  }
  return edges;
}

// ---------------------------------------------------------------------------------------------
// Stepping the machine without an actor.

/** The world the machine's guards read while the model steps it. */
let world: { now: number; online: boolean; open: boolean; other: boolean } = { now: T0, online: true, open: false, other: false };
const conditionsOf = (online: boolean): Conditions => ({ ...unconstrainedConditions, online });
const env: TaskEnvironment = {
  now: () => world.now,
  conditions: () => conditionsOf(world.online),
  gateOpen: () => world.open,
  paused: () => false,
  random: () => RANDOM,
  track: () => {},
  untrack: () => {},
  // One worker slot in all: free unless the other TaskId's runNow holds it (the task holds none while
  // it asks). Counting and the line are the recorded startRun/endRun/queueForSlot actions.
  slots: {
    free: () => !world.other,
    take: () => {},
    release: () => {},
    wait: () => {},
    leave: () => {},
  },
};

const recorder = createEmptyActor();
let microsteps: (readonly AnyTransitionDefinition[])[] = [];
let executed: ExecutableActionObject[] = [];
recorder.system.inspect((event: InspectionEvent) => {
  if (event.type === '@xstate.microstep') microsteps.push(event._transitions);
});
/** Actions are recorded, not executed: the model interprets them in `applyActions`. */
const scope: AnyActorScope = {
  self: recorder,
  id: TASK_ID,
  sessionId: 'model',
  logger: () => {},
  defer: () => {},
  emit: () => {},
  system: recorder.system,
  stopChild: () => {},
  actionExecutor: (action) => void executed.push(action),
};

interface MachineStep {
  snapshot: TaskMachineSnapshot;
  edges: string[];
  actions: ExecutableActionObject[];
}

function runMachine(c: ModelContext, from: string, compute: () => TaskMachineSnapshot): MachineStep {
  world = { now: c.now, online: c.online, open: c.open && !c.stopped, other: c.other };
  microsteps = [];
  executed = [];
  const snapshot = compute();
  if (snapshot.status === 'error') throw new Error(`task machine errored: ${String(snapshot.error)}`);
  return { snapshot, edges: edgesOfMicrosteps(from, microsteps), actions: executed };
}

const KNOWN_ACTIONS = new Set([
  'startRun',
  'endRun',
  'queueForSlot',
  'leaveSlotQueue',
  'preemptCaller',
  'rejectCaller',
  'resolveCaller',
  'rejectCallerWithError',
]);

/** Applies what the recorded actions would have done. */
function applyActions(c: ModelContext, step: MachineStep): ModelContext {
  let timers = [...c.timers];
  const runs = c.runs.map((run) => ({ ...run }));
  const callers = [...c.callers];
  const unknownActions = [...c.unknownActions];
  let waiting = c.waiting;
  const settleCaller = (context: TaskContext, state: CallerState) => {
    const ticket = context.instant?.ticket;
    if (ticket !== undefined && callers[ticket - 1]?.state === 'pending') callers[ticket - 1] = state;
  };
  const runOf = (context: TaskContext) =>
    runs.find((run) => run.incarnation === c.incarnation && run.runId === context.run?.runId);
  for (const action of step.actions) {
    const context = action.info.context as TaskContext;
    const event = action.info.event as TaskEvent;
    switch (action.type) {
      case 'xstate.raise': {
        const { id, delay } = action.params as { id: string; delay: unknown };
        if (typeof delay === 'number') timers = [...timers.filter((t) => t.id !== id), { id, dueAt: c.now + delay }];
        break;
      }
      case 'xstate.cancel': {
        const { sendId } = action.params as { sendId: string };
        timers = timers.filter((t) => t.id !== sendId);
        break;
      }
      case 'startRun':
        runs.push({
          index: runs.length,
          incarnation: c.incarnation,
          runId: context.run?.runId ?? -1,
          instant: context.instant !== null,
          attempt: context.instant ? null : context.attempt,
          settled: false,
          aborted: false,
          resolved: false,
        });
        break;
      case 'queueForSlot':
        waiting = context.unmet.includes('concurrency');
        break;
      case 'leaveSlotQueue':
        waiting = false;
        break;
      case 'endRun': {
        const run = runOf(context);
        if (run && !run.settled) {
          run.settled = true;
          run.aborted = true;
        }
        break;
      }
      case 'preemptCaller':
        settleCaller(context, { state: 'rejected', error: new TaskCancelledError(TASK_ID, 'preempted') });
        break;
      case 'rejectCaller': {
        const { reason } = action.params as { reason: CancelReason };
        settleCaller(context, { state: 'rejected', error: new TaskCancelledError(TASK_ID, reason) });
        break;
      }
      case 'resolveCaller':
        settleCaller(context, { state: 'resolved', value: event.type === 'WORK_DONE' ? event.output : undefined });
        break;
      case 'rejectCallerWithError':
        settleCaller(context, { state: 'rejected', error: event.type === 'WORK_FAILED' ? event.error : undefined });
        break;
      default:
        if (!action.type.startsWith('xstate.') && !KNOWN_ACTIONS.has(action.type)) unknownActions.push(action.type);
    }
  }
  return { ...c, task: step.snapshot, timers, runs, callers, unknownActions, waiting, edges: [...c.edges, ...step.edges] };
}

const PERSISTED = new Set(['pending', 'constrained', 'running', 'backoff']);

/** What the store holds once the step's writes are durable (the orchestrator's persist rule). */
function storedAfter(c: ModelContext): StoredRecord | null {
  const task = c.task;
  if (!task) return c.stored;
  const { work, attempt, nextRunAt, cancelReason } = task.context;
  const status = String(task.value);
  if (work && PERSISTED.has(status)) {
    // A record keeps the due time its work had while it runs or waits for conditions (recordOf).
    const dueAt = nextRunAt ?? (c.stored?.request === work.request ? c.stored.dueAt : c.now);
    return { taskId: TASK_ID, status, attempt, dueAt, request: work.request };
  }
  // Shutdown keeps stored work for the next start.
  if (status === 'cancelled' && cancelReason === 'shutdown') return c.stored;
  return null;
}

const isLive = (c: ModelContext): c is ModelContext & { task: TaskMachineSnapshot } => c.task?.status === 'active';

/** The orchestrator sends CONDITIONS_CHANGED only to tasks whose state depends on conditions. */
function watched(task: TaskMachineSnapshot): boolean {
  const { work } = task.context;
  return task.value === 'constrained' || (task.value === 'running' && work !== null && hasConstraints(work.request.constraints));
}

function send(c: ModelContext, event: TaskEvent): ModelContext {
  if (!isLive(c)) return c;
  const task = c.task;
  return applyActions(c, runMachine(c, String(task.value), () => taskMachine.transition(task, event, scope)));
}

function spawn(c: ModelContext, work: TaskRequest | null): ModelContext {
  const next = { ...c, incarnation: c.incarnation + 1 };
  const input = work ? { taskId: TASK_ID, env, work: { request: work, inputText: null, input: undefined, run: neverRuns } } : { taskId: TASK_ID, env };
  return applyActions(next, runMachine(next, INITIAL_STATE, () => taskMachine.getInitialSnapshot(scope, input)));
}

/** The worker call the running task is waiting for. */
export function currentRun(c: ModelContext): ModelRun | undefined {
  if (!isLive(c) || c.task.value !== 'running') return undefined;
  const runId = c.task.context.run?.runId;
  return c.runs.find((run) => run.incarnation === c.incarnation && run.runId === runId && !run.resolved);
}

/** The newest superseded call of this task actor whose promise is still open. */
export function staleRun(c: ModelContext): ModelRun | undefined {
  if (!isLive(c)) return undefined;
  const current = currentRun(c);
  return [...c.runs].reverse().find((run) => run.incarnation === c.incarnation && !run.resolved && run !== current);
}

/** The runNow caller the task would settle now. */
export function currentTicket(c: ModelContext): number | undefined {
  if (!isLive(c)) return undefined;
  const ticket = c.task.context.instant?.ticket;
  return ticket !== undefined && c.callers[ticket - 1]?.state === 'pending' ? ticket : undefined;
}

export function modelStep(before: ModelContext, event: ModelEvent): ModelContext {
  let c: ModelContext = { ...before, edges: [] };
  switch (event.type) {
    case 'START':
      c = send({ ...c, open: true }, { type: 'GATE_OPENED' });
      break;
    case 'SCHEDULE': {
      const request = REQUESTS[event.variant];
      c = isLive(c) ? send(c, { type: 'SCHEDULE', work: { request, inputText: null, input: undefined, run: neverRuns }, nextRunAt: c.now + request.initialDelayMs }) : spawn(c, request);
      break;
    }
    case 'RUN_NOW': {
      const ticket = c.callers.length + 1;
      c = { ...c, callers: [...c.callers, { state: 'pending' }] };
      if (!isLive(c)) c = spawn(c, null);
      c = send(c, { type: 'RUN_NOW', instant: { ticket, fn: neverRuns, settle: () => {} } });
      break;
    }
    case 'CANCEL':
      c = send(c, { type: 'CANCEL', reason: 'cancelled' });
      break;
    case 'SHUTDOWN':
      c = send({ ...c, stopped: true }, { type: 'CANCEL', reason: 'shutdown' });
      break;
    case 'CALLER_ABORTED': {
      const ticket = currentTicket(c);
      if (ticket === undefined) throw new Error('no runNow caller to abort');
      c = send(c, { type: 'CALLER_ABORTED', ticket });
      break;
    }
    case 'NETWORK':
      c = { ...c, online: event.online };
      if (isLive(c) && watched(c.task)) c = send(c, { type: 'CONDITIONS_CHANGED' });
      break;
    case 'TIMER': {
      const timer = nextTimer(c);
      if (!timer) throw new Error('no timer to fire');
      c = { ...c, now: Math.max(c.now, timer.dueAt), timers: c.timers.filter((t) => t !== timer) };
      // The delayed event `after` is keyed by; it is not part of TaskEvent's public union.
      c = send(c, { type: timer.id } as unknown as TaskEvent);
      break;
    }
    case 'WORK_DONE':
    case 'WORK_FAILED': {
      const run = event.run === 'current' ? currentRun(c) : staleRun(c);
      if (!run) throw new Error(`no ${event.run} run to settle`);
      c = { ...c, runs: c.runs.map((r) => (r === run ? { ...r, settled: true, resolved: true } : r)) };
      // run-attempt.ts drops the result of a run that already settled (was aborted).
      if (run.settled) break;
      c = send(
        c,
        event.type === 'WORK_DONE'
          ? workDone(run.runId, OUTPUTS[event.output])
          : { type: 'WORK_FAILED', runId: run.runId, error: THROWN },
      );
      break;
    }
    case 'OTHER_RUN':
      c = { ...c, other: true };
      break;
    case 'OTHER_DONE':
      // The freed slot goes to the task if it waits for one (worker-slots.ts drains after the release).
      c = { ...c, other: false };
      if (c.waiting) c = send({ ...c, waiting: false }, { type: 'SLOT_FREE' });
      break;
    case 'PROGRESS': {
      const run = event.run === 'current' ? currentRun(c) : staleRun(c);
      if (!run) throw new Error(`no ${event.run} run to report progress`);
      // setProgress of a settled (aborted) run is dropped.
      if (!run.settled) c = send(c, { type: 'PROGRESS', runId: run.runId, value: PROGRESS_VALUE });
      break;
    }
  }
  return { ...c, stored: storedAfter(c) };
}

export function nextTimer(c: ModelContext): ModelTimer | undefined {
  return [...c.timers].sort((a, b) => a.dueAt - b.dueAt)[0];
}

/** The events a test can cause in this situation. */
export function modelEvents(c: ModelContext): ModelEvent[] {
  if (c.stopped) return [];
  const events: ModelEvent[] = [];
  if (!c.open) events.push({ type: 'START' });
  events.push({ type: 'SCHEDULE', variant: 'A' }, { type: 'SCHEDULE', variant: 'B' });
  if (c.open) events.push({ type: 'RUN_NOW' });
  events.push({ type: 'NETWORK', online: false }, { type: 'NETWORK', online: true });
  if (c.timers.length > 0) events.push({ type: 'TIMER' });
  if (isLive(c)) events.push({ type: 'CANCEL' }, { type: 'SHUTDOWN' });
  const current = currentRun(c);
  if (current) {
    for (const output of Object.keys(OUTPUTS) as OutputKind[]) events.push({ type: 'WORK_DONE', run: 'current', output });
    events.push({ type: 'WORK_FAILED', run: 'current' });
    if (!current.instant) events.push({ type: 'PROGRESS', run: 'current' });
  }
  if (currentTicket(c) !== undefined) events.push({ type: 'CALLER_ABORTED' });
  if (c.open) events.push({ type: c.other ? 'OTHER_DONE' : 'OTHER_RUN' });
  const stale = staleRun(c);
  if (stale) {
    events.push({ type: 'WORK_DONE', run: 'stale', output: 'value' }, { type: 'WORK_FAILED', run: 'stale' });
    if (!stale.instant) events.push({ type: 'PROGRESS', run: 'stale' });
  }
  return events;
}

const variantOf = (request: TaskRequest | undefined): string | null =>
  request === REQUESTS.A ? 'A' : request === REQUESTS.B ? 'B' : request ? 'other' : null;

/**
 * The abstract state: everything that decides what can happen next, with times relative to
 * now (so periodic work does not make the state space infinite). Progress, outcomes and
 * counters are left out; each path is replayed concretely anyway.
 */
export function modelKey(c: ModelContext): string {
  const task = c.task;
  const context = task?.context;
  return JSON.stringify({
    open: c.open,
    online: c.online,
    stopped: c.stopped,
    timers: c.timers.map((t) => t.dueAt - c.now),
    value: task?.value ?? null,
    work: variantOf(context?.work?.request),
    instant: context ? context.instant !== null : null,
    attempt: context?.attempt ?? null,
    overdue: context?.overdue ?? null,
    due: context?.nextRunAt == null ? null : context.nextRunAt - c.now,
    unmet: context?.unmet ?? null,
    current: currentRun(c) !== undefined,
    stale: staleRun(c) !== undefined,
    caller: currentTicket(c) !== undefined,
    other: c.other,
    waiting: c.waiting,
  });
}

export const eventLabel = (event: ModelEvent): string => {
  switch (event.type) {
    case 'SCHEDULE':
      return `SCHEDULE ${event.variant}`;
    case 'NETWORK':
      return `NETWORK ${event.online ? 'on' : 'off'}`;
    case 'WORK_DONE':
      return `WORK_DONE ${event.run} ${event.output}`;
    case 'WORK_FAILED':
    case 'PROGRESS':
      return `${event.type} ${event.run}`;
    default:
      return event.type;
  }
};

/** The model as actor logic for @xstate/graph. */
export const modelLogic = fromTransition((c: ModelContext, event: ModelEvent) => modelStep(c, event), initialModel);
