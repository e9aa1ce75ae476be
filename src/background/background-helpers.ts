import { createActor, type Actor, type AnyStateMachine, type EventFromLogic, type InputFrom } from 'xstate';
import { backgroundJobMachine } from '../../machines/background/background-job.js';
import { foreverLoopMachine } from '../../machines/background/forever-loop.js';
import type { HelperEnvironment } from '../../machines/background/helper-environment.js';
import { inboxMachine, type MessageHandlerFn } from '../../machines/background/inbox-machine.js';
import type { ActorSystemPool } from '../actor-systems.js';
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { IOPool, workerFilename } from './io-pool.js';
import type {
  BackgroundDiagnostics,
  BackgroundFn,
  BackgroundItemFn,
  BackgroundOptions,
  IOOptions,
  IOPoolOptions,
  IOWorkerModule,
  MessageActor,
  MessageActorOptions,
  MessageHandler,
  ParallelActorOptions,
  RunForeverHandle,
} from './types.js';

/** The orchestrator method that started a helper: its actor's id when it has no name, and its log lines' first word. */
type Helper = 'fireAndForget' | 'fireAndForgetAll' | 'fireAndForgetIO' | 'runForever' | 'serialActor' | 'parallelActor';

/** Which helper an actor is: the method that started it, the caller's `name`, and fireAndForgetAll's item index. */
interface HelperIdentity {
  helper: Helper;
  name: string | undefined;
  item?: number;
}

/** A helper actor, started. */
interface StartedHelper<TMachine extends AnyStateMachine> {
  actor: Actor<TMachine>;
  /** Sends the actor its stop event, if it has not ended. */
  stop(): void;
  /** Resolves once the actor has ended and every call it started has settled. */
  finished(): Promise<void>;
}

/**
 * The orchestrator's background helpers. Each helper is an XState actor parented by the
 * orchestrator's ActorSystemPool, so it runs on the orchestrator's clock and shows in its
 * inspection stream. `shutdown` cancels them all.
 */
export class BackgroundHelpers {
  /** How to stop each helper actor that has not ended. */
  private readonly live = new Set<() => void>();
  /** Calls of helper functions that have not settled; a cancelled actor's calls can outlive it. */
  private readonly calls = new Set<Promise<unknown>>();
  private readonly io = new IOPool();
  private closed = false;

  constructor(
    private readonly systems: ActorSystemPool,
    private readonly logger: Logger,
  ) {}

  /** `fn(signal)` on its own actor; returns at once. */
  fireAndForget(fn: BackgroundFn, options: BackgroundOptions = {}): void {
    assertFunction(fn, 'fn');
    this.job({ helper: 'fireAndForget', name: options.name }, fn);
  }

  /** `fn(item, signal)` for each item, each on its own actor, all at once. */
  fireAndForgetAll<T>(items: Iterable<T>, fn: BackgroundItemFn<T>, options: BackgroundOptions = {}): void {
    assertFunction(fn, 'fn');
    if (items == null || typeof (items as Partial<Iterable<T>>)[Symbol.iterator] !== 'function') {
      throw new ValidationError('items', 'must be iterable');
    }
    let item = 0;
    for (const value of items) {
      this.job({ helper: 'fireAndForgetAll', name: options.name, item: item++ }, (signal) => fn(value, signal));
    }
  }

  /**
   * Runs `module`'s default export with `input` on a pool thread, from a job actor; returns at
   * once. `input` crosses to the thread by structured clone; the result is dropped.
   */
  fireAndForgetIO(module: IOWorkerModule, input: unknown, options: IOOptions = {}): void {
    const filename = workerFilename(module);
    this.job({ helper: 'fireAndForgetIO', name: options.name }, (signal) => this.io.run(filename, input, signal));
  }

  configureIO(options: IOPoolOptions): void {
    this.io.configure(options);
  }

  /** Calls `fn` now, then `delayMs` after each call ends, until stopped or shut down. */
  runForever(fn: BackgroundFn, delayMs: number, options: BackgroundOptions = {}): RunForeverHandle {
    assertFunction(fn, 'fn');
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
      throw new ValidationError('delayMs', 'must be a finite number of milliseconds, 0 or more');
    }
    const who: HelperIdentity = { helper: 'runForever', name: options.name };
    const loop = this.start(foreverLoopMachine, who, (env) => ({ env, fn, delayMs }), { type: 'STOP' });
    return {
      actor: loop.actor,
      stop() {
        loop.stop();
        return loop.finished();
      },
    };
  }

  /** Handles one message at a time, in arrival order. */
  serialActor<T>(handler: MessageHandler<T>, options: MessageActorOptions<T> = {}): MessageActor<T> {
    return this.messageActor({ helper: 'serialActor', name: options.name }, handler, options.source, 1);
  }

  /** Handles messages concurrently, at most `concurrency` at once when given. */
  parallelActor<T>(handler: MessageHandler<T>, options: ParallelActorOptions<T> = {}): MessageActor<T> {
    const { concurrency = Number.POSITIVE_INFINITY } = options;
    if (concurrency !== Number.POSITIVE_INFINITY && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new ValidationError('concurrency', 'must be a whole number of 1 or more');
    }
    return this.messageActor({ helper: 'parallelActor', name: options.name }, handler, options.source, concurrency);
  }

  diagnostics(): BackgroundDiagnostics {
    return { helpers: this.live.size, runningCalls: this.calls.size, ioThreads: this.io.threads };
  }

  /**
   * Cancels every helper (signals abort, queued messages drop, later calls are refused),
   * destroys the worker-thread pool, and puts each call still settling in `inflight` (until it
   * settles), the orchestrator's set of work that shutdown waits for within its timeout.
   */
  async shutdown(inflight: Set<Promise<unknown>>): Promise<void> {
    this.closed = true;
    for (const stop of [...this.live]) stop();
    for (const work of this.calls) holdUntilSettled(work, inflight);
    await this.io.destroy().catch((error: unknown) => this.logger.error('errand: worker-thread pool failed to stop', error));
  }

  /** One call nobody waits for; after shutdown it is cancelled before `fn` is called. */
  private job(who: HelperIdentity, fn: BackgroundFn): void {
    this.start(backgroundJobMachine, who, (env) => ({ env, fn }), { type: 'CANCEL' });
  }

  private messageActor<T>(
    who: HelperIdentity,
    handler: MessageHandler<T>,
    source: AsyncIterable<T> | undefined,
    concurrency: number,
  ): MessageActor<T> {
    if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function');
    if (source !== undefined && !isAsyncIterable(source)) throw new ValidationError('source', 'must be an AsyncIterable');
    // A refused actor must not touch its source: starting to read it would run the caller's generator.
    const read = this.closed ? null : (source ?? null);
    // The machine holds messages as unknown; only this actor's `send` and source feed it Ts.
    const input = (env: HelperEnvironment) => ({ env, handler: handler as MessageHandlerFn, concurrency, source: read });
    const { actor, finished } = this.start(inboxMachine, who, input, { type: 'CANCEL' });
    const active = () => actor.getSnapshot().status === 'active';
    return {
      actor,
      send(message: T): boolean {
        if (!active() || !actor.getSnapshot().matches('open')) return false;
        actor.send({ type: 'MESSAGE', message });
        return true;
      },
      close(): Promise<void> {
        if (active()) actor.send({ type: 'CLOSE' });
        return finished();
      },
    };
  }

  /**
   * Creates and starts a helper actor on the orchestrator's actor systems, and keeps it in
   * `live` until it ends. After shutdown it is started and stopped at once, with a warning.
   */
  private start<TMachine extends AnyStateMachine>(
    machine: TMachine,
    who: HelperIdentity,
    input: (env: HelperEnvironment) => InputFrom<TMachine>,
    stopEvent: EventFromLogic<TMachine>,
  ): StartedHelper<TMachine> {
    const label = labelOf(who);
    const ownCalls = new Set<Promise<unknown>>();
    const env: HelperEnvironment = {
      failed: (error, detail) => this.logger.error(`errand: ${label} failed${detail ? ` (${detail})` : ''}`, error),
      track: (work) => holdUntilSettled(work, this.calls, ownCalls),
    };
    const parent = this.systems.next();
    const actor = createActor(machine, { input: input(env), parent, id: actorIdOf(who) });
    // A helper actor has a parent, so nobody can stop() it: it ends only by completing or failing.
    let running = true;
    const stop = () => {
      if (running) actor.send(stopEvent);
    };
    const ended = new Promise<void>((resolve) => {
      const end = () => {
        running = false;
        this.live.delete(stop);
        this.systems.release(parent);
        resolve();
      };
      actor.subscribe({
        complete: end,
        error: (error: unknown) => {
          this.logger.error(`errand: ${label} actor failed`, error);
          end();
        },
      });
    });
    this.live.add(stop);
    actor.start();
    if (this.closed) {
      this.logger.warn(`errand: ${label} called after shutdown; not run`);
      stop();
    }
    return { actor, stop, finished: () => ended.then(() => allSettled(ownCalls)) };
  }
}

/** The actor's id: its name (else the helper), with `[item]` for one of fireAndForgetAll's runs. */
function actorIdOf({ helper, name, item }: HelperIdentity): string {
  return `${name ?? helper}${item === undefined ? '' : `[${item}]`}`;
}

/** How log lines call a helper: `fireAndForget "metrics"`, `fireAndForgetAll "notify" (item 3)`, or just the helper. */
function labelOf({ helper, name, item }: HelperIdentity): string {
  return `${helper}${name === undefined ? '' : ` "${name}"`}${item === undefined ? '' : ` (item ${item})`}`;
}

/** Keeps `work` in each of `sets` until it settles. */
function holdUntilSettled(work: Promise<unknown>, ...sets: Set<Promise<unknown>>[]): void {
  for (const set of sets) set.add(work);
  const release = () => {
    for (const set of sets) set.delete(work);
  };
  work.then(release, release);
}

/** Waits until every promise in `work`, including ones added meanwhile, has settled. */
async function allSettled(work: ReadonlySet<Promise<unknown>>): Promise<void> {
  while (work.size > 0) await Promise.allSettled([...work]);
}

function assertFunction(value: unknown, field: string): void {
  if (typeof value !== 'function') throw new ValidationError(field, 'must be a function');
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}
