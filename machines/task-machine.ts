import { and, assign, not, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { backoffDelayMs } from '../src/backoff.js';
import { unmetConstraints, type ConstraintName } from '../src/conditions.js';
import { TaskCancelledError, WorkFailedError, type CancelReason } from '../src/errors.js';
import { abortRun, ActiveRun, startRun } from './run-attempt.js';
import type { TaskRequest } from '../src/schemas.js';
import type { InstantFn, Outcome, WorkerFn } from '../src/types.js';
import { isWorkResult } from '../src/work-result.js';
import type { TaskEnvironment } from './task-environment.js';

/** Longest single timer Node and browsers honour (2^31 - 1 ms); longer waits are re-armed by the clock. */
const NEVER_MS = 2_147_483_647;

/** Scheduled work: the stored request and the registered worker that runs it. */
export interface ScheduledWork {
  request: TaskRequest;
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
  | { type: 'WORK_DONE'; runId: number; output: unknown }
  | { type: 'WORK_FAILED'; runId: number; error: unknown };

const doneOutput = (event: TaskEvent): unknown => (event.type === 'WORK_DONE' ? event.output : undefined);
const thrownError = (event: TaskEvent): unknown => (event.type === 'WORK_FAILED' ? event.error : undefined);
const workResultKind = (event: TaskEvent) => {
  const output = doneOutput(event);
  return isWorkResult(output) ? output.kind : undefined;
};

const outcomeOf = (value: unknown): Outcome => ({ ok: true, value });
const cancelledError = (taskId: string, reason: CancelReason) => new TaskCancelledError(taskId, reason);
const failureOf = (error: unknown): Outcome => ({ ok: false, error });

/** Due (delay elapsed): wait for the ready gate, then run or wait for constraints. */
const whenDue = [
  { guard: not('gateOpen'), actions: 'markOverdue' },
  { guard: 'constraintsMet', target: 'running' },
  { target: 'constrained' },
] as const;

/** Entered already due (no delay, a restored overdue record): dispatch without waiting for a timer. */
const whenEnteredDue = [
  { guard: and(['gateOpen', 'isDue', 'constraintsMet']), target: 'running' },
  { guard: and(['gateOpen', 'isDue']), target: 'constrained' },
] as const;

const whenGateOpens = [
  { guard: and(['isOverdue', 'constraintsMet']), target: 'running' },
  { guard: 'isOverdue', target: 'constrained' },
] as const;

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    events: {} as TaskEvent,
    input: {} as TaskInput,
  },
  delays: {
    untilNextRun: ({ context }) =>
      context.work === null || context.nextRunAt === null
        ? NEVER_MS
        : Math.max(0, context.nextRunAt - context.env.now()),
  },
  guards: {
    gateOpen: ({ context }) => context.env.isOpen(),
    isOverdue: ({ context }) => context.overdue,
    isDue: ({ context }) => context.work !== null && context.nextRunAt !== null && context.nextRunAt <= context.env.now(),
    constraintsMet: ({ context }) =>
      context.work === null ||
      unmetConstraints(context.work.request.constraints, context.env.conditions()).length === 0,
    isInstant: ({ context }) => context.instant !== null,
    isPeriodic: ({ context }) => context.work?.request.kind === 'periodic',
    hasAttemptsLeft: ({ context }) =>
      context.work !== null && context.attempt < context.work.request.backoff.maxAttempts,
    requestedRetry: ({ event }) => workResultKind(event) === 'retry',
    reportedFailure: ({ event }) => workResultKind(event) === 'failure',
    isCurrentCaller: ({ context, event }) =>
      event.type === 'CALLER_ABORTED' && context.instant?.ticket === event.ticket,
    isCurrentRun: ({ context, event }) => 'runId' in event && event.runId === context.run?.runId,
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
      unmet: [],
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
    unmet: [],
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
          { guard: not('isCurrentRun') },
          { guard: 'isInstant', target: 'done', actions: ['recordSuccess', 'resolveCaller'] },
          { guard: and(['requestedRetry', 'hasAttemptsLeft']), target: 'backoff' },
          { guard: and(['requestedRetry', 'isPeriodic']), target: 'pending', actions: ['recordExhausted', 'startNextPeriod'] },
          { guard: 'requestedRetry', target: 'done', actions: 'recordExhausted' },
          {
            guard: and(['reportedFailure', 'isPeriodic']),
            target: 'pending',
            actions: ['recordReportedFailure', 'startNextPeriod'],
          },
          { guard: 'reportedFailure', target: 'done', actions: 'recordReportedFailure' },
          { guard: 'isPeriodic', target: 'pending', actions: ['recordSuccess', 'startNextPeriod'] },
          { target: 'done', actions: 'recordSuccess' },
        ],
        WORK_FAILED: [
          { guard: not('isCurrentRun') },
          { guard: 'isInstant', target: 'done', actions: ['recordError', 'rejectCallerWithError'] },
          { guard: 'hasAttemptsLeft', target: 'backoff' },
          { guard: 'isPeriodic', target: 'pending', actions: ['recordExhausted', 'startNextPeriod'] },
          { target: 'done', actions: 'recordExhausted' },
        ],
        CONDITIONS_CHANGED: {
          guard: and([not('isInstant'), not('constraintsMet')]),
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
