import type { InspectionEvent, Observer } from 'xstate';
import { z } from 'zod';
import { MAX_TIMER_MS, type Clock } from './clock.js';
import { ValidationError } from './errors.js';
import type { PlatformPort, StorePort } from './ports.js';
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

type Fn = (...args: never[]) => unknown;
const isFunction = (value: unknown): value is Fn => typeof value === 'function';
const isObject = (value: unknown): value is object => (typeof value === 'object' && value !== null) || typeof value === 'function';

const fn = <T extends Fn>(what: string) => z.custom<T>(isFunction, { error: `must be a function (${what})` });

/**
 * An object with these methods, passed through as given (not copied: ports are often class
 * instances whose methods need their `this`). Each missing method is an issue at its own path.
 */
function port<T extends object>(what: string, required: readonly string[], optional: readonly string[] = []) {
  return z.custom<T>(isObject, { error: `must be an object (${what})` }).superRefine((value, ctx) => {
    const members = value as Record<string, unknown>;
    for (const name of required) {
      if (!isFunction(members[name])) ctx.addIssue({ code: 'custom', path: [name], message: `must be a function (${what} needs ${required.join(', ')})` });
    }
    for (const name of optional) {
      if (members[name] !== undefined && !isFunction(members[name])) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a function when given' });
    }
  });
}

const OBSERVER_METHODS = ['next', 'error', 'complete'] as const;
const isObserver = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  OBSERVER_METHODS.some((name) => (value as Record<string, unknown>)[name] !== undefined) &&
  OBSERVER_METHODS.every((name) => {
    const member = (value as Record<string, unknown>)[name];
    return member === undefined || isFunction(member);
  });

const wholeMs = (what: string, max: number) =>
  z.number({ error: `must be a whole number of milliseconds (${what})` }).int({ error: `must be a whole number of milliseconds (${what})` }).min(0, { error: 'must be 0 or more' }).max(max, { error: `must be at most ${max.toLocaleString('en-US')}` });

/** Names the known options when a key is not one of them (a typo, or an option of another version). */
const unknownOption = (what: string, shape: object) => ({
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys' ? `is not an option of ${what} (known: ${Object.keys(shape).join(', ')})` : undefined,
});

const orchestratorShape = {
  platform: port<PlatformPort>('a platform adapter', ['current', 'subscribe']).optional(),
  store: port<StorePort>('a store adapter', ['open', 'write', 'get', 'due', 'nextDueAt', 'list', 'held'], ['close']).optional(),
  // `clock: {}` would be accepted by types from JS and leave every timer unset: nothing would ever run.
  clock: port<Clock>('a clock', ['now', 'setTimeout', 'clearTimeout']).optional(),
  inspect: z
    .custom<Inspect>((value) => isFunction(value) || isObserver(value), {
      error: 'must be a function or an observer ({ next, error, complete }, each a function when given)',
    })
    .optional(),
  logger: port<Logger>('a logger', ['warn', 'error'], ['debug', 'info']).optional(),
  // NaN or a fraction here reached an array constructor as a RangeError.
  retainFinished: z
    .number({ error: 'must be a whole number of tasks, 0 or more' })
    .int({ error: 'must be a whole number of tasks, 0 or more' })
    .min(0, { error: 'must be 0 or more' })
    .max(2 ** 32 - 1, { error: 'must be at most 4,294,967,295' })
    .optional(),
  random: fn<() => number>('returning a number in [0, 1)').optional(),
  activationHorizonMs: wholeMs('how long before its due time a dormant task is activated', MAX_TIMER_MS).optional(),
};
const orchestratorOptionsSchema = z.strictObject(orchestratorShape, unknownOption('createOrchestrator', orchestratorShape));

const shutdownShape = { timeoutMs: wholeMs('how long to wait for workers to settle', MAX_TIMER_MS).optional() };
const shutdownOptionsSchema = z.strictObject(shutdownShape, unknownOption('shutdown', shutdownShape));

function parseWith<T extends z.ZodType>(schema: T, options: unknown, what: string): z.output<T> {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ValidationError('options', `must be an object (${what})`);
  }
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

/** Checks every option of `createOrchestrator` up front; each failure is a ValidationError naming the option (`clock.now`, `retainFinished`). */
export function parseOrchestratorOptions(options: unknown): ResolvedOrchestratorOptions {
  const parsed = parseWith(orchestratorOptionsSchema, options, 'orchestrator options');
  return {
    platform: parsed.platform,
    store: parsed.store,
    clock: parsed.clock,
    inspect: parsed.inspect,
    logger: parsed.logger ?? console,
    retainFinished: parsed.retainFinished ?? DEFAULT_RETAIN_FINISHED,
    random: parsed.random ?? Math.random,
    activationHorizonMs: parsed.activationHorizonMs ?? DEFAULT_ACTIVATION_HORIZON_MS,
  };
}

/** Checks `shutdown()`'s options: `timeoutMs` a whole number of ms, 0 to MAX_TIMER_MS. */
export function parseShutdownOptions(options: unknown): ResolvedShutdownOptions {
  const parsed = parseWith(shutdownOptionsSchema, options, 'shutdown options');
  return { timeoutMs: parsed.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS };
}
