import { assign, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { backoffDelayMs } from '../src/core/backoff.js';
import { MAX_TIMER_MS } from '../src/core/clock.js';
import { unmetConstraints, type ConstraintName } from '../src/core/conditions.js';
import { TaskCancelledError, WorkFailedError, type CancelReason } from '../src/core/errors.js';
import { abortRun, ActiveRun, startRun } from './run-attempt.js';
import type { TaskRequest } from '../src/core/schemas.js';
import type { InstantFn, Outcome, WorkerFn } from '../src/core/types.js';
import { isWorkResult, type WorkResult } from '../src/core/work-result.js';
import type { TaskEnvironment } from './task-environment.js';


/** Scheduled work: the stored request (with the input as given), the parsed input and the worker. */
export interface ScheduledWork {
  request: TaskRequest;
  /** `request.input` parsed by the task's schema: what the worker receives. */
  input: unknown;
  run: WorkerFn;
}

/** A runNow in flight: its function and how to settle its caller's promise. */
export interface InstantRun {
  ticket: number;
  fn: InstantFn<unknown>;
  settle(outcome: Outcome): void;
}

export interface TaskContext {
  taskId: string;
  env: TaskEnvironment;
  work: ScheduledWork | null;
  instant: InstantRun | null;
  attempt: number;
  nextRunAt: number | null;
  /** Became due while the ready gate was closed; dispatches on GATE_OPENED. */
  overdue: boolean;
  /** The worker call of the current attempt; its id tells a superseded run's events apart. */
  run: ActiveRun | null;
  runCount: number;
  progress: number | null;
  unmet: readonly ConstraintName[];
  outcome: Outcome | null;
  cancelReason: CancelReason | null;
}

export interface TaskInput {
  taskId: string;
  env: TaskEnvironment;
  work?: ScheduledWork;
  /** Restored work: attempts already made and when it is next due. */
  attempt?: number;
  nextRunAt?: number | null;
}

export type TaskEvent =
  | { type: 'SCHEDULE'; work: ScheduledWork }
  | { type: 'RUN_NOW'; instant: InstantRun }
  | { type: 'CANCEL'; reason: 'cancelled' | 'shutdown' }
  | { type: 'CALLER_ABORTED'; ticket: number }
  | { type: 'CONDITIONS_CHANGED' }
  | { type: 'GATE_OPENED' }
  | { type: 'PROGRESS'; runId: number; value: number }
  /** `kind` classifies `output` once, where the run settles: a plain value, or a WorkResult's kind. */
  | { type: 'WORK_DONE'; runId: number; output: unknown; kind: 'value' | WorkResult['kind'] }
  | { type: 'WORK_FAILED'; runId: number; error: unknown };

const doneOutput = (event: TaskEvent): unknown => (event.type === 'WORK_DONE' ? event.output : undefined);
const thrownError = (event: TaskEvent): unknown => (event.type === 'WORK_FAILED' ? event.error : undefined);

/** Shared by every context with nothing unmet (most of them), instead of a new empty array each. */
const NO_UNMET: readonly ConstraintName[] = Object.freeze([]);

const outcomeOf = (value: unknown): Outcome => ({ ok: true, value });
const cancelledError = (taskId: string, reason: CancelReason) => new TaskCancelledError(taskId, reason);
const failureOf = (error: unknown): Outcome => ({ ok: false, error });

// Guards that combine conditions are single named guards rather than and()/not() of named ones:
// XState evaluates each combinator as one more guard call with its own arguments, and these run
// on every task's way through (the eventless check on entering pending, each worker result).

/** Due (delay elapsed): wait for the ready gate, then run or wait for constraints. */
const whenDue = [
  { guard: 'gateClosed', actions: 'markOverdue' },
  { guard: 'constraintsMet', target: 'running' },
  { target: 'constrained' },
] as const;

/** Entered already due (no delay, a restored overdue record): dispatch without waiting for a timer. */
const whenEnteredDue = [
  { guard: 'dueAndConstraintsMet', target: 'running' },
  { guard: 'dueWithGateOpen', target: 'constrained' },
] as const;

const whenGateOpens = [
  { guard: 'overdueAndConstraintsMet', target: 'running' },
  { guard: 'isOverdue', target: 'constrained' },
] as const;

const isDue = (context: TaskContext) =>
  context.work !== null && context.nextRunAt !== null && context.nextRunAt <= context.env.now();
const constraintsMet = (context: TaskContext) =>
  context.work === null || unmetConstraints(context.work.request.constraints, context.env.conditions()).length === 0;
const hasAttemptsLeft = (context: TaskContext) =>
  context.work !== null && context.attempt < context.work.request.backoff.maxAttempts;
const isPeriodic = (context: TaskContext) => context.work?.request.kind === 'periodic';
const doneKind = (event: TaskEvent) => (event.type === 'WORK_DONE' ? event.kind : undefined);

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    events: {} as TaskEvent,
    input: {} as TaskInput,
  },
  delays: {
    untilNextRun: ({ context }) =>
      context.work === null || context.nextRunAt === null
        ? MAX_TIMER_MS
        : Math.max(0, context.nextRunAt - context.env.now()),
  },
  guards: {
    /** The ready gate is closed (before `start()`): due work waits, marked overdue. */
    gateClosed: ({ context }) => !context.env.isOpen(),
    isOverdue: ({ context }) => context.overdue,
    constraintsMet: ({ context }) => constraintsMet(context),
    /** Gate open, due now, constraints met. */
    dueAndConstraintsMet: ({ context }) => context.env.isOpen() && isDue(context) && constraintsMet(context),
    /** Gate open and due now. */
    dueWithGateOpen: ({ context }) => context.env.isOpen() && isDue(context),
    overdueAndConstraintsMet: ({ context }) => context.overdue && constraintsMet(context),
    isInstant: ({ context }) => context.instant !== null,
    /** Scheduled work (not a runNow) whose constraints no longer hold. */
    scheduledAndConstrained: ({ context }) => context.instant === null && !constraintsMet(context),
    isPeriodic: ({ context }) => isPeriodic(context),
    hasAttemptsLeft: ({ context }) => hasAttemptsLeft(context),
    requestedRetry: ({ event }) => doneKind(event) === 'retry',
    /** Asked for a retry (WorkResult.retry) and has attempts left. */
    retryWithAttemptsLeft: ({ context, event }) => doneKind(event) === 'retry' && hasAttemptsLeft(context),
    /** Asked for a retry with none left, on periodic work: the period ends failed. */
    retryOnPeriodic: ({ context, event }) => doneKind(event) === 'retry' && isPeriodic(context),
    reportedFailure: ({ event }) => doneKind(event) === 'failure',
    failureOnPeriodic: ({ context, event }) => doneKind(event) === 'failure' && isPeriodic(context),
    isCurrentCaller: ({ context, event }) =>
      event.type === 'CALLER_ABORTED' && context.instant?.ticket === event.ticket,
    isCurrentRun: ({ context, event }) => 'runId' in event && event.runId === context.run?.runId,
    /** A result or progress of a run the machine already left (superseded or aborted). */
    isStaleRun: ({ context, event }) => !('runId' in event && event.runId === context.run?.runId),
  },
  actions: {
    adoptRequest: assign(({ context, event }) => {
      if (event.type !== 'SCHEDULE') return {};
      return {
        work: event.work,
        instant: null,
        attempt: 0,
        nextRunAt: context.env.now() + event.work.request.initialDelayMs,
        overdue: false,
        outcome: null,
      };
    }),
    // runNow takes the TaskId over: any scheduled request for it is dropped.
    adoptInstant: assign(({ event }) => (event.type === 'RUN_NOW' ? { instant: event.instant, work: null } : {})),
    preemptCaller: ({ context }) => {
      context.instant?.settle(failureOf(cancelledError(context.taskId, 'preempted')));
    },
    rejectCaller: ({ context }, params: { reason: CancelReason }) => {
      context.instant?.settle(failureOf(cancelledError(context.taskId, params.reason)));
    },
    resolveCaller: ({ context, event }) => {
      context.instant?.settle(outcomeOf(doneOutput(event)));
    },
    rejectCallerWithError: ({ context, event }) => {
      context.instant?.settle(failureOf(thrownError(event)));
    },
    markOverdue: assign({ overdue: true }),
    startRun: ({ context, self }) => {
      if (context.run) startRun(context, context.run, (event) => self.send(event));
    },
    abortRun: ({ context }) => abortRun(context.run),
    beginAttempt: assign(({ context }) => ({
      attempt: context.instant ? 1 : context.attempt + 1,
      run: new ActiveRun(context.runCount + 1),
      runCount: context.runCount + 1,
      nextRunAt: null,
      overdue: false,
      progress: null,
      unmet: NO_UNMET,
    })),
    // Stopped because constraints no longer hold: that attempt does not count.
    uncountAttempt: assign(({ context }) => ({ attempt: Math.max(0, context.attempt - 1) })),
    recordUnmet: assign(({ context }) => ({
      unmet: context.work ? unmetConstraints(context.work.request.constraints, context.env.conditions()) : [],
    })),
    recordProgress: assign(({ context, event }) => ({
      progress: event.type === 'PROGRESS' ? event.value : context.progress,
    })),
    scheduleRetry: assign(({ context }) => ({
      nextRunAt:
        context.env.now() +
        (context.work ? backoffDelayMs(context.work.request.backoff, context.attempt - 1, context.env.random) : 0),
      overdue: false,
    })),
    startNextPeriod: assign(({ context }) => ({
      attempt: 0,
      nextRunAt: context.env.now() + (context.work?.request.intervalMs ?? 0),
      overdue: false,
    })),
    recordSuccess: assign(({ event }) => ({ outcome: outcomeOf(doneOutput(event)) })),
    recordError: assign(({ event }) => ({ outcome: failureOf(thrownError(event)) })),
    recordReportedFailure: assign(({ context, event }) => {
      const output = doneOutput(event);
      const reason = isWorkResult(output) ? output.reason : 'failure reported';
      return { outcome: failureOf(new WorkFailedError(context.taskId, reason)) };
    }),
    // The last attempt asked for a retry (WorkResult.retry) or threw; none are left.
    recordExhausted: assign(({ context, event }) => {
      const cause = thrownError(event) ?? doneOutput(event);
      const plural = context.attempt === 1 ? '' : 's';
      return {
        outcome: failureOf(new WorkFailedError(context.taskId, `gave up after ${context.attempt} attempt${plural}`, cause)),
      };
    }),
    recordCancel: assign((_, params: { reason: CancelReason }) => ({ cancelReason: params.reason })),
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
    taskId: input.taskId,
    env: input.env,
    work: input.work ?? null,
    instant: null,
    attempt: input.attempt ?? 0,
    nextRunAt:
      input.nextRunAt !== undefined
        ? input.nextRunAt
        : input.work
          ? input.env.now() + input.work.request.initialDelayMs
          : null,
    overdue: false,
    run: null,
    runCount: 0,
    progress: null,
    unmet: NO_UNMET,
    outcome: null,
    cancelReason: null,
  }),
  initial: 'pending',
  on: {
    SCHEDULE: { target: '.pending', reenter: true, actions: ['preemptCaller', 'adoptRequest'] },
    RUN_NOW: { target: '.running', reenter: true, actions: ['preemptCaller', 'adoptInstant'] },
    CANCEL: {
      target: '.cancelled',
      actions: [
        { type: 'rejectCaller', params: ({ event }) => ({ reason: event.reason }) },
        { type: 'recordCancel', params: ({ event }) => ({ reason: event.reason }) },
      ],
    },
    CALLER_ABORTED: {
      guard: 'isCurrentCaller',
      target: '.cancelled',
      actions: [
        { type: 'rejectCaller', params: { reason: 'cancelled' } },
        { type: 'recordCancel', params: { reason: 'cancelled' } },
      ],
    },
  },
  states: {
    /** Waiting to become due: initial delay, period, or (restored) stored due time. */
    pending: {
      always: whenEnteredDue,
      after: { untilNextRun: whenDue },
      on: { GATE_OPENED: whenGateOpens },
    },
    /** Due, but the platform does not meet its constraints yet. */
    constrained: {
      entry: 'recordUnmet',
      on: {
        CONDITIONS_CHANGED: [{ guard: 'constraintsMet', target: 'running' }, { actions: 'recordUnmet' }],
      },
    },
    /** A worker call is in flight; leaving this state any other way than its result aborts it. */
    running: {
      entry: ['beginAttempt', 'startRun'],
      exit: 'abortRun',
      on: {
        WORK_DONE: [
          { guard: 'isStaleRun' },
          { guard: 'isInstant', target: 'done', actions: ['recordSuccess', 'resolveCaller'] },
          { guard: 'retryWithAttemptsLeft', target: 'backoff' },
          { guard: 'retryOnPeriodic', target: 'pending', actions: ['recordExhausted', 'startNextPeriod'] },
          { guard: 'requestedRetry', target: 'done', actions: 'recordExhausted' },
          { guard: 'failureOnPeriodic', target: 'pending', actions: ['recordReportedFailure', 'startNextPeriod'] },
          { guard: 'reportedFailure', target: 'done', actions: 'recordReportedFailure' },
          { guard: 'isPeriodic', target: 'pending', actions: ['recordSuccess', 'startNextPeriod'] },
          { target: 'done', actions: 'recordSuccess' },
        ],
        WORK_FAILED: [
          { guard: 'isStaleRun' },
          { guard: 'isInstant', target: 'done', actions: ['recordError', 'rejectCallerWithError'] },
          { guard: 'hasAttemptsLeft', target: 'backoff' },
          { guard: 'isPeriodic', target: 'pending', actions: ['recordExhausted', 'startNextPeriod'] },
          { target: 'done', actions: 'recordExhausted' },
        ],
        CONDITIONS_CHANGED: {
          guard: 'scheduledAndConstrained',
          target: 'constrained',
          actions: 'uncountAttempt',
        },
        PROGRESS: { guard: 'isCurrentRun', actions: 'recordProgress' },
      },
    },
    /** A failed attempt waits out its backoff delay. */
    backoff: {
      entry: 'scheduleRetry',
      always: whenEnteredDue,
      after: { untilNextRun: whenDue },
      on: { GATE_OPENED: whenGateOpens },
    },
    cancelled: { type: 'final' },
    done: { type: 'final' },
  },
});

export type TaskMachine = typeof taskMachine;
export type TaskActor = ActorRefFrom<TaskMachine>;
export type TaskMachineSnapshot = SnapshotFrom<TaskMachine>;
