import type { InspectionEvent, Observer } from 'xstate';
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { MAX_TIMER_MS, type Clock } from './clock.js';
import { functionOption, isFunction, methodsOption, optionsObject, parseOptions } from './option-checks.js';
import type { CoordinatorPort, DispatchPort, Engine, PlatformPort, StorePort } from './ports.js';
import { workerLimitSchema } from './schemas.js';
import type { Logger } from './types.js';

export type Inspect = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/** What `createOrchestrator` accepts. */
export interface OrchestratorOptions {
  /** OS or host events; without one every constraint counts as met. */
  platform?: PlatformPort;
  /** Where scheduled work is kept; defaults to `memoryStore()` (lost with the process). */
  store?: StorePort;
  /** Defaults to the system clock; `errand/testing` has a simulated one. */
  clock?: Clock;
  /** XState inspection observer (Stately inspector, devtools), attached to every task actor. */
  inspect?: Inspect;
  /** Defaults to `console` for warnings and errors. */
  logger?: Logger;
  /** How many finished tasks `getTask` still answers for (oldest forgotten first). Default 10,000. */
  retainFinished?: number;
  /** Source of randomness for backoff jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  /** How long before its due time a dormant task (only a store record) is made an actor. Default 1,000 ms. */
  activationHorizonMs?: number;
  /**
   * At most this many workers at once, all tasks together; runNow counts but is never held back.
   * Due work waits `constrained` with 'concurrency', earliest due first. Default: no limit.
   */
  maxConcurrentWorkers?: number;
  /**
   * Shares the store with the app's other contexts (tabs, a service worker): one of them, the leader,
   * runs stored work, the others forward their calls to it. `tabCoordinator()` from errand/browser.
   */
  coordinator?: CoordinatorPort;
  /**
   * An engine that keeps the work and decides when and where it runs, across processes (`bullmqEngine`
   * from errand/bullmq), in place of `store` and errand's own wake-up timer.
   */
  engine?: Engine;
}

/**
 * The options once checked, constant defaults filled. `platform`, `store` and `clock` stay
 * undefined when not given: their defaults are objects the orchestrator makes itself.
 */
export interface ResolvedOrchestratorOptions {
  readonly platform: PlatformPort | undefined;
  readonly store: StorePort | undefined;
  readonly clock: Clock | undefined;
  readonly inspect: Inspect | undefined;
  readonly logger: Logger;
  readonly retainFinished: number;
  readonly random: () => number;
  readonly activationHorizonMs: number;
  readonly maxConcurrentWorkers: number | undefined;
  readonly coordinator: CoordinatorPort | undefined;
  readonly engine: Engine | undefined;
}

export interface ShutdownOptions {
  /** How long to wait for aborted workers to settle. Default 10,000 ms. */
  timeoutMs?: number;
}

export interface ResolvedShutdownOptions {
  readonly timeoutMs: number;
}

export const DEFAULT_RETAIN_FINISHED = 10_000;
export const DEFAULT_ACTIVATION_HORIZON_MS = 1_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

const OBSERVER_METHODS = ['next', 'error', 'complete'] as const;
const isObserver = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  OBSERVER_METHODS.some((name) => (value as Record<string, unknown>)[name] !== undefined) &&
  OBSERVER_METHODS.every((name) => {
    const member = (value as Record<string, unknown>)[name];
    return member === undefined || isFunction(member);
  });

const wholeMs = (what: string, max: number) => {
  const error = `must be a whole number of milliseconds (${what})`;
  return z
    .number({ error })
    .int({ error })
    .min(0, { error: 'must be 0 or more' })
    .max(max, { error: `must be at most ${max.toLocaleString('en-US')}` });
};

const STORE_METHODS = ['open', 'write', 'get', 'due', 'nextDueAt', 'list', 'held'] as const;

const orchestratorShape = {
  platform: methodsOption<PlatformPort>('a platform adapter', ['current', 'subscribe']).optional(),
  store: methodsOption<StorePort>('a store adapter', STORE_METHODS, ['close']).optional(),
  // `clock: {}` would be accepted by types from JS and leave every timer unset: nothing would ever run.
  clock: methodsOption<Clock>('a clock', ['now', 'setTimeout', 'clearTimeout']).optional(),
  inspect: z
    .custom<Inspect>((value) => isFunction(value) || isObserver(value), {
      error: 'must be a function or an observer ({ next, error, complete }, each a function when given)',
    })
    .optional(),
  logger: methodsOption<Logger>('a logger', ['warn', 'error'], ['debug', 'info']).optional(),
  // NaN or a fraction here reached an array constructor as a RangeError.
  retainFinished: z
    .number({ error: 'must be a whole number of tasks, 0 or more' })
    .int({ error: 'must be a whole number of tasks, 0 or more' })
    .min(0, { error: 'must be 0 or more' })
    .max(2 ** 32 - 1, { error: 'must be at most 4,294,967,295' })
    .optional(),
  random: functionOption<() => number>('returning a number in [0, 1)').optional(),
  activationHorizonMs: wholeMs('how long before its due time a dormant task is activated', MAX_TIMER_MS).optional(),
  maxConcurrentWorkers: workerLimitSchema.optional(),
  coordinator: methodsOption<CoordinatorPort>('a coordinator', ['openSession', 'lead', 'post', 'subscribe', 'close']).optional(),
  engine: z
    .object({
      store: methodsOption<StorePort>('a store adapter', STORE_METHODS, ['close']),
      dispatch: methodsOption<DispatchPort>('a dispatcher', ['start', 'dormant', 'finished', 'claim']),
    })
    .optional(),
};
const orchestratorOptionsSchema = optionsObject('createOrchestrator', orchestratorShape);

const shutdownShape = { timeoutMs: wholeMs('how long to wait for workers to settle', MAX_TIMER_MS).optional() };
const shutdownOptionsSchema = optionsObject('shutdown', shutdownShape);

/** Checks every option of `createOrchestrator` up front; each failure is a ValidationError naming the option (`clock.now`, `retainFinished`). */
export function parseOrchestratorOptions(options: unknown): ResolvedOrchestratorOptions {
  const parsed = parseOptions(orchestratorOptionsSchema, options, 'createOrchestrator');
  // The engine keeps the work: a second place to keep it would be one the engine never reads.
  if (parsed.engine && parsed.store) throw new ValidationError('store', 'cannot be given with engine (the engine keeps the work)');
  if (parsed.engine && parsed.coordinator) throw new ValidationError('coordinator', 'cannot be given with engine (every process of the engine runs work)');
  return {
    platform: parsed.platform,
    store: parsed.store,
    clock: parsed.clock,
    inspect: parsed.inspect,
    logger: parsed.logger ?? console,
    retainFinished: parsed.retainFinished ?? DEFAULT_RETAIN_FINISHED,
    random: parsed.random ?? Math.random,
    activationHorizonMs: parsed.activationHorizonMs ?? DEFAULT_ACTIVATION_HORIZON_MS,
    maxConcurrentWorkers: parsed.maxConcurrentWorkers,
    coordinator: parsed.coordinator,
    engine: parsed.engine,
  };
}

/** Checks `shutdown()`'s options: `timeoutMs` a whole number of ms, 0 to MAX_TIMER_MS. */
export function parseShutdownOptions(options: unknown): ResolvedShutdownOptions {
  const parsed = parseOptions(shutdownOptionsSchema, options, 'shutdown');
  return { timeoutMs: parsed.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS };
}
