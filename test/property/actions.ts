import fc from 'fast-check';
import type { Conditions, PlatformEvent, ScheduleRequest } from '../../src/index.js';

/** How a worker call (scheduled worker or runNow function) ends. */
export type WorkerOutcome = 'succeed' | 'throw' | 'retry' | 'failure';

/**
 * When it ends: 'sync' returns or throws before the call returns, 'micro' on a microtask,
 * a number after that many ms of simulated clock, 'deferred' when a `release` action lets it.
 * Every non-sync call rejects as soon as its AbortSignal aborts.
 */
export type WorkerTiming = 'sync' | 'micro' | 'deferred' | number;

export interface Behaviour {
  outcome: WorkerOutcome;
  timing: WorkerTiming;
}

export type Action =
  | {
      type: 'schedule';
      taskId: string;
      request: Omit<ScheduleRequest, 'taskId' | 'input'>;
      /** Attempt n runs plan[(n - 1) % plan.length]. */
      plan: Behaviour[];
    }
  /**
   * signal: 'none' passes no signal, 'new' a fresh AbortController's, 'shared' the signal of
   * the latest runNow made with one (several callers on one signal; it may be aborted already).
   */
  | { type: 'runNow'; taskId: string; behaviour: Behaviour; signal: 'none' | 'new' | 'shared' }
  /** Aborts the `nth` AbortController handed to runNow so far (modulo their count). */
  | { type: 'abortCaller'; nth: number }
  | { type: 'cancel'; taskId: string }
  | { type: 'cancelAll' }
  | { type: 'platform'; event: PlatformEvent }
  | { type: 'advance'; ms: number }
  | { type: 'flush' }
  /** Lets the `nth` worker waiting on a deferred (modulo their count) finish with its outcome. */
  | { type: 'release'; nth: number }
  /** orchestrator.start() (again, maybe: a second call rejects with AlreadyStartedError). */
  | { type: 'start' }
  /** orchestrator.shutdown() at any point (maybe while start() is pending); later calls reject or do nothing. */
  | { type: 'shutdown' }
  /** Arms a store fault for the next write: 'reject' fails it, 'hang' holds it until `releaseWrites`. */
  | { type: 'storeFault'; fault: 'reject' | 'hang' }
  /** Lets every write held by a 'hang' fault through to the memory store. */
  | { type: 'releaseWrites' }
  /** orchestrator.pause() / resume(): scheduled work held (running workers aborted), runNow not. */
  | { type: 'pause' }
  | { type: 'resume' };

export interface Scenario {
  taskIds: readonly string[];
  /** Whether start() is called (and awaited) before the actions; if not, only a `start` action starts it. */
  startFirst: boolean;
  initial: Partial<Conditions>;
  /** What `random()` returns for backoff jitter (fixed, so a run replays exactly). */
  random: number;
  actions: Action[];
}

const behaviour: fc.Arbitrary<Behaviour> = fc.record({
  outcome: fc.constantFrom<WorkerOutcome>('succeed', 'throw', 'retry', 'failure'),
  timing: fc.oneof(
    fc.constantFrom<WorkerTiming>('sync', 'micro', 'deferred', 'deferred'),
    fc.constantFrom<WorkerTiming>(1, 10, 100, 1_000),
  ),
});

const constraints = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        network: fc.constantFrom('none' as const, 'any' as const, 'unmetered' as const),
        charging: fc.boolean(),
        batteryNotLow: fc.boolean(),
        idle: fc.boolean(),
        foreground: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  },
);

const backoff = fc
  .record({
    policy: fc.constantFrom('exponential' as const, 'linear' as const),
    initialDelayMs: fc.constantFrom(0, 10, 100, 1_000),
    extraMs: fc.constantFrom(0, 500, 5_000),
    maxAttempts: fc.integer({ min: 1, max: 4 }),
    jitter: fc.constantFrom(0, 0.5),
  })
  .map(({ extraMs, ...b }) => ({ ...b, maxDelayMs: b.initialDelayMs + extraMs }));

const delay = fc.constantFrom(0, 0, 1, 50, 1_000);

const request: fc.Arbitrary<Omit<ScheduleRequest, 'taskId' | 'input'>> = fc
  .record({
    kind: fc.constantFrom('oneTime' as const, 'periodic' as const),
    initialDelayMs: delay,
    intervalMs: fc.constantFrom(50, 500, 5_000),
    constraints,
    backoff: fc.option(backoff, { nil: undefined }),
    onConflict: fc.constantFrom('replace' as const, 'keep' as const, undefined),
  })
  .map(({ kind, intervalMs, backoff: b, onConflict, ...rest }) => ({
    ...rest,
    kind,
    ...(kind === 'periodic' ? { intervalMs } : {}),
    ...(b ? { backoff: b } : {}),
    ...(onConflict ? { onConflict } : {}),
  }));

const platformEvent: fc.Arbitrary<PlatformEvent> = fc.oneof(
  fc.record({ type: fc.constant('network' as const), online: fc.boolean(), metered: fc.option(fc.boolean(), { nil: undefined }) }),
  fc.record(
    { type: fc.constant('power' as const), charging: fc.boolean(), batteryLow: fc.boolean() },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('lifecycle' as const), foreground: fc.boolean() }),
  fc.record({ type: fc.constant('idle' as const), idle: fc.boolean() }),
);

function action(taskId: fc.Arbitrary<string>): fc.Arbitrary<Action> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constant('schedule' as const),
        taskId,
        request,
        plan: fc.array(behaviour, { minLength: 1, maxLength: 3 }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constant('runNow' as const),
        taskId,
        behaviour,
        signal: fc.constantFrom('none' as const, 'new' as const, 'new' as const, 'shared' as const),
      }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('abortCaller' as const), nth: fc.nat(7) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), taskId }) },
    { weight: 1, arbitrary: fc.constant({ type: 'cancelAll' as const }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('platform' as const), event: platformEvent }) },
    {
      weight: 4,
      arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 10, 50, 100, 1_000, 3_000) }),
    },
    { weight: 2, arbitrary: fc.constant({ type: 'flush' as const }) },
    { weight: 4, arbitrary: fc.record({ type: fc.constant('release' as const), nth: fc.nat(7) }) },
    { weight: 2, arbitrary: fc.constant({ type: 'start' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'shutdown' as const }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('storeFault' as const), fault: fc.constantFrom('reject' as const, 'hang' as const) }) },
    { weight: 2, arbitrary: fc.constant({ type: 'releaseWrites' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'pause' as const }) },
    { weight: 2, arbitrary: fc.constant({ type: 'resume' as const }) },
  );
}

const initialConditions: fc.Arbitrary<Partial<Conditions>> = fc.record(
  {
    online: fc.boolean(),
    metered: fc.boolean(),
    charging: fc.boolean(),
    batteryLow: fc.boolean(),
    foreground: fc.boolean(),
    idle: fc.boolean(),
  },
  { requiredKeys: [] },
);

export const scenario: fc.Arbitrary<Scenario> = fc
  .constantFrom(['job/a', 'job/b'], ['job/a', 'job/b', 'job/c'])
  .chain((taskIds) =>
    fc.record({
      taskIds: fc.constant(taskIds),
      startFirst: fc.boolean(),
      initial: initialConditions,
      random: fc.constantFrom(0, 0.5, 0.999),
      actions: fc.array(action(fc.constantFrom(...taskIds)), { minLength: 1, maxLength: Number(process.env.PROPERTY_MAX_ACTIONS ?? 50), size: 'max' }),
    }),
  );
