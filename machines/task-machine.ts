import { assign, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { backoffDelayMs } from '../src/core/backoff.js';
import { MAX_TIMER_MS } from '../src/core/clock.js';
import { unmetConstraints } from '../src/core/conditions.js';
import { WorkFailedError, type CancelReason } from '../src/core/errors.js';
import { isWorkResult } from '../src/core/work-result.js';
import {
  cancelledError, constraintsMet, doneOutput, doneResult, failureOf, hasAttemptsLeft, isDue, isPeriodic,
  mayRun, NO_UNMET, outcomeOf, outOfAttempts, thrownError, WAITING_FOR_SLOT,
} from './task-facts.js';
import { ActiveRun } from './active-run.js';
import { abortRun, startRun } from './run-attempt.js';
import type { TaskContext, TaskEvent, TaskInput } from './task-types.js';

export type { ScheduledWork, InstantRun, TaskContext, TaskEvent, TaskInput } from './task-types.js';

// Guards that combine conditions are single named guards rather than and()/not() of named ones:
// XState evaluates each combinator as one more guard call with its own arguments, and these run
// on every task's way through (the eventless check on entering pending, each worker result).

/** Due (delay elapsed): wait for the ready gate, then run or wait for constraints or a worker slot. */
const whenDue = [
  { guard: 'gateClosed', actions: 'markOverdue' },
  { guard: 'mayRun', target: 'running' },
  { target: 'constrained' },
] as const;

/** Entered already due (no delay, a restored overdue record): dispatch without waiting for a timer. */
const whenEnteredDue = [
  { guard: 'dueAndMayRun', target: 'running' },
  { guard: 'dueWithGateOpen', target: 'constrained' },
] as const;

/**
 * Entering pending, where an activated record may resume: in backoff, or with its last attempt
 * cut off by a crash and none left (the attempt limit holds across restarts).
 */
const whenEnteredPending = [
  { guard: 'resumesInBackoff', target: 'backoff', actions: 'resumeBackoff' },
  { guard: 'interruptedOnPeriodic', target: 'pending', reenter: true, actions: ['recordInterrupted', 'startNextPeriod'] },
  { guard: 'interruptedWithNoAttemptsLeft', target: 'done', actions: 'recordInterrupted' },
  ...whenEnteredDue,
] as const;

const whenGateOpens = [
  { guard: 'overdueAndMayRun', target: 'running' },
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
        ? MAX_TIMER_MS
        : Math.max(0, context.nextRunAt - context.env.now()),
  },
  guards: {
    /** The ready gate is closed (before `start()`): due work waits, marked overdue. */
    gateClosed: ({ context }) => !context.env.gateOpen(),
    isOverdue: ({ context }) => context.overdue,
    resumesInBackoff: ({ context }) => context.resumeInBackoff,
    /** Activated after a crash cut off its last allowed attempt. */
    interruptedWithNoAttemptsLeft: ({ context }) => outOfAttempts(context),
    interruptedOnPeriodic: ({ context }) => outOfAttempts(context) && isPeriodic(context),
    constraintsMet: ({ context }) => constraintsMet(context),
    mayRun: ({ context }) => mayRun(context),
    /** Gate open, due now, constraints met, a worker slot free. */
    dueAndMayRun: ({ context }) => context.env.gateOpen() && isDue(context) && mayRun(context),
    /** Gate open and due now. */
    dueWithGateOpen: ({ context }) => context.env.gateOpen() && isDue(context),
    overdueAndMayRun: ({ context }) => context.overdue && mayRun(context),
    isInstant: ({ context }) => context.instant !== null,
    /** Scheduled work (not a runNow) whose constraints no longer hold. */
    scheduledAndConstrained: ({ context }) => context.instant === null && !constraintsMet(context),
    isPeriodic: ({ context }) => isPeriodic(context),
    hasAttemptsLeft: ({ context }) => hasAttemptsLeft(context),
    requestedRetry: ({ event }) => doneResult(event) === 'retry',
    /** Asked for a retry (WorkResult.retry) and has attempts left. */
    retryWithAttemptsLeft: ({ context, event }) => doneResult(event) === 'retry' && hasAttemptsLeft(context),
    /** Asked for a retry with none left, on periodic work: the period ends failed. */
    retryOnPeriodic: ({ context, event }) => doneResult(event) === 'retry' && isPeriodic(context),
    reportedFailure: ({ event }) => doneResult(event) === 'failure',
    failureOnPeriodic: ({ context, event }) => doneResult(event) === 'failure' && isPeriodic(context),
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
        interrupted: 0,
        nextRunAt: event.nextRunAt,
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
    resumeBackoff: assign({ resumeInBackoff: false }),
    // The slot is counted here and given back in endRun, so every way into and out of running pairs up.
    startRun: ({ context, self }) => {
      context.env.slots.take(context.taskId);
      if (context.run) startRun(context, context.run, (event) => self.send(event));
    },
    endRun: ({ context }) => {
      abortRun(context.run);
      context.env.slots.release(context.taskId);
    },
    /** In line for a worker slot exactly while nothing else holds the task back. */
    queueForSlot: ({ context, self }) => {
      if (context.unmet === WAITING_FOR_SLOT) context.env.slots.wait(context.taskId, context.nextRunAt ?? context.env.now(), self);
      else context.env.slots.leave(context.taskId);
    },
    leaveSlotQueue: ({ context }) => context.env.slots.leave(context.taskId),
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
    // Constrained with every constraint met: only a worker slot is missing.
    recordUnmet: assign(({ context }) => {
      const unmet = context.work ? unmetConstraints(context.work.request.constraints, context.env.conditions()) : NO_UNMET;
      if (context.work && context.env.paused()) return { unmet: ['paused', ...unmet] as const };
      return { unmet: unmet.length > 0 ? unmet : WAITING_FOR_SLOT };
    }),
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
      interrupted: 0,
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
    recordInterrupted: assign(({ context }) => {
      const plural = context.attempt === 1 ? '' : 's';
      const reason = `gave up after ${context.attempt} attempt${plural}: the last was interrupted (the process ended while it ran)`;
      return { outcome: failureOf(new WorkFailedError(context.taskId, reason)) };
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
    interrupted: input.interrupted ?? 0,
    nextRunAt: input.work ? (input.nextRunAt ?? input.env.now() + input.work.request.initialDelayMs) : null,
    overdue: false,
    resumeInBackoff: input.resumeInBackoff ?? false,
    run: null,
    runCount: input.runCount ?? 0,
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
      always: whenEnteredPending,
      after: { untilNextRun: whenDue },
      on: { GATE_OPENED: whenGateOpens },
    },
    /** Due, but the platform does not meet its constraints yet, or no worker slot is free. */
    constrained: {
      entry: ['recordUnmet', 'queueForSlot'],
      exit: 'leaveSlotQueue',
      on: {
        CONDITIONS_CHANGED: [{ guard: 'mayRun', target: 'running' }, { actions: ['recordUnmet', 'queueForSlot'] }],
        // The slot is this task's: worker-slots.ts hands it over only while its constraints hold.
        SLOT_FREE: { guard: 'constraintsMet', target: 'running' },
      },
    },
    /** A worker call is in flight, holding a worker slot; leaving this state any other way than its result aborts it. */
    running: {
      entry: ['beginAttempt', 'startRun'],
      exit: 'endRun',
      on: {
        WORK_DONE: [
          { guard: 'isStaleRun' },
          { guard: 'isInstant', target: 'done', actions: ['recordSuccess', 'resolveCaller'] },
          { guard: 'retryWithAttemptsLeft', target: 'backoff', actions: 'scheduleRetry' },
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
          { guard: 'hasAttemptsLeft', target: 'backoff', actions: 'scheduleRetry' },
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
