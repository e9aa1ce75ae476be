import type { Logger } from './core/types.js';
import type { ActorSystemPool } from './actor-systems.js';
import { BackgroundHelpers } from './background/background-helpers.js';
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
} from './background/types.js';

/**
 * The orchestrator's server-style helpers, as methods of the orchestrator itself. They run as
 * XState actors on its actor systems (its clock and inspector), and its `shutdown()` cancels them.
 */
export abstract class BackgroundApi {
  private readonly background: BackgroundHelpers;

  protected constructor(systems: ActorSystemPool, logger: Logger) {
    this.background = new BackgroundHelpers(systems, logger);
  }

  /**
   * Runs `fn(signal)` in the background and returns at once. A throw or rejection is logged
   * with the helper's name; `signal` aborts on shutdown.
   */
  fireAndForget(fn: BackgroundFn, options?: BackgroundOptions): void {
    this.background.fireAndForget(fn, options);
  }

  /** Runs `fn(item, signal)` for every item, all concurrently, and returns at once. */
  fireAndForgetAll<T>(items: Iterable<T>, fn: BackgroundItemFn<T>, options?: BackgroundOptions): void {
    this.background.fireAndForgetAll(items, fn, options);
  }

  /**
   * Runs blocking work on a pool of worker threads and returns at once: `module` (absolute
   * path or file: URL) default-exports the function, called with a structured clone of
   * `input`. Shutdown terminates its thread.
   */
  fireAndForgetIO(module: IOWorkerModule, input?: unknown, options?: IOOptions): void {
    this.background.fireAndForgetIO(module, input, options);
  }

  /** Options for fireAndForgetIO's worker-thread pool; only before its first use. */
  configureIO(options: IOPoolOptions): void {
    this.background.configureIO(options);
  }

  /** Calls `fn(signal)` now and again `delayMs` after each call ends; a failure is logged and the loop goes on. */
  runForever(fn: BackgroundFn, delayMs: number, options?: BackgroundOptions): RunForeverHandle {
    return this.background.runForever(fn, delayMs, options);
  }

  /** An actor whose messages `handler` takes one at a time, in arrival order. */
  serialActor<T>(handler: MessageHandler<T>, options?: MessageActorOptions<T>): MessageActor<T> {
    return this.background.serialActor(handler, options);
  }

  /** An actor whose messages `handler` takes concurrently, at most `concurrency` at once when given. */
  parallelActor<T>(handler: MessageHandler<T>, options?: ParallelActorOptions<T>): MessageActor<T> {
    return this.background.parallelActor(handler, options);
  }

  /** Live background helpers, their unsettled calls and the worker threads alive. */
  backgroundDiagnostics(): BackgroundDiagnostics {
    return this.background.diagnostics();
  }

  /** Cancels every helper; each call still settling is put in `inflight` for shutdown to wait on. */
  protected shutdownBackground(inflight: Set<Promise<unknown>>): Promise<void> {
    return this.background.shutdown(inflight);
  }
}
