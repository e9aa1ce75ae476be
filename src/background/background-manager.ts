import { fireAndForget, fireAndForgetAll } from './fire-and-forget.js';
import { fireAndForgetIO } from './fire-and-forget-io.js';
import { HelperRuntime, type BackgroundDeps } from './helper-runtime.js';
import { parallelActor, serialActor } from './inbox.js';
import { IOPool } from './io-pool.js';
import { runForever } from './run-forever.js';
import type {
  BackgroundDiagnostics,
  BackgroundFn,
  BackgroundItemFn,
  BackgroundOptions,
  Inbox,
  InboxOptions,
  IOOptions,
  IOPoolOptions,
  IOWorkerModule,
  MessageHandler,
  ParallelInboxOptions,
  RunForeverHandle,
} from './types.js';

export type * from './types.js';
export type { BackgroundDeps } from './helper-runtime.js';

/**
 * The orchestrator's server-style background helpers. Each helper runs as an XState actor
 * parented by the orchestrator's actor system pool, so it runs on the orchestrator's clock and
 * shows in its inspection stream. `shutdown` cancels them all.
 */
export class BackgroundManager {
  private readonly runtime: HelperRuntime;
  private readonly pool = new IOPool();

  /** `deps` is read on first use, so the orchestrator can build this before its own fields. */
  constructor(deps: () => BackgroundDeps) {
    this.runtime = new HelperRuntime(deps);
  }

  fireAndForget(fn: BackgroundFn, options?: BackgroundOptions): void {
    fireAndForget(this.runtime, fn, options);
  }

  fireAndForgetAll<T>(items: Iterable<T>, fn: BackgroundItemFn<T>, options?: BackgroundOptions): void {
    fireAndForgetAll(this.runtime, items, fn, options);
  }

  fireAndForgetIO(module: IOWorkerModule, input?: unknown, options?: IOOptions): void {
    fireAndForgetIO(this.runtime, this.pool, module, input, options);
  }

  configureIO(options: IOPoolOptions): void {
    this.pool.configure(options);
  }

  runForever(fn: BackgroundFn, delayMs: number, options?: BackgroundOptions): RunForeverHandle {
    return runForever(this.runtime, fn, delayMs, options);
  }

  serialActor<T>(handler: MessageHandler<T>, options?: InboxOptions<T>): Inbox<T> {
    return serialActor(this.runtime, handler, options);
  }

  parallelActor<T>(handler: MessageHandler<T>, options?: ParallelInboxOptions<T>): Inbox<T> {
    return parallelActor(this.runtime, handler, options);
  }

  diagnostics(): BackgroundDiagnostics {
    return { helpers: this.runtime.helpers, runningCalls: this.runtime.runningCalls, ioThreads: this.pool.threads };
  }

  /**
   * Cancels every helper (signals abort, queued messages drop, later calls are refused),
   * destroys the worker-thread pool, and hands each call still settling to `track` so the
   * orchestrator's shutdown waits for it within its timeout.
   */
  async shutdown(track: (work: Promise<unknown>) => void): Promise<void> {
    const running = this.runtime.cancelAll();
    for (const work of running) track(work);
    await this.pool.destroy().catch((error: unknown) => this.runtime.logger.error('errand: worker-thread pool failed to stop', error));
  }
}
