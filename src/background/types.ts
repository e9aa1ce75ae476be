/** Worker-thread heap limits (the fields of Node's `ResourceLimits`, restated so the root types need no @types/node). */
export interface ResourceLimits {
  maxYoungGenerationSizeMb?: number;
  maxOldGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}
import type { BackgroundJobActor } from '../../machines/background/background-job.js';
import type { ForeverLoopActor } from '../../machines/background/forever-loop.js';
import type { InboxActor } from '../../machines/background/inbox-machine.js';

export type { BackgroundJobActor, ForeverLoopActor, InboxActor };

/** Options every background helper takes. */
export interface BackgroundOptions {
  /** Shown in log lines about this helper and used as its actor's id. Defaults to the method's name, e.g. `runForever`. */
  name?: string;
}

/** Work run in the background; `signal` aborts on shutdown (or when its helper is stopped). */
export type BackgroundFn = (signal: AbortSignal) => unknown;

/** `fireAndForgetAll`'s function, called once per item. */
export type BackgroundItemFn<T> = (item: T, signal: AbortSignal) => unknown;

/** Handles one message sent to a `MessageActor`; `signal` aborts on shutdown. */
export type MessageHandler<T> = (message: T, signal: AbortSignal) => unknown;

/** `serialActor`'s options. */
export interface MessageActorOptions<T> extends BackgroundOptions {
  /** Messages to read in as well as those given to `send`; when it ends the actor closes. */
  source?: AsyncIterable<T>;
}

/** `parallelActor`'s options. */
export interface ParallelActorOptions<T> extends MessageActorOptions<T> {
  /** Handlers running at most at once (a positive integer). Default: unbounded. */
  concurrency?: number;
}

/**
 * What `serialActor` and `parallelActor` return: an actor whose messages go to one handler.
 * It queues them in its inbox, the XState machine behind `actor`.
 */
export interface MessageActor<T> {
  /**
   * Queues `message` for the handler. Returns false (and drops it) once the actor is
   * closing or closed, or the orchestrator has shut down.
   */
  send(message: T): boolean;
  /**
   * Takes no more messages (stops reading the source) and resolves once every queued
   * message has been handled. After shutdown it resolves once the cancelled handlers settle.
   */
  close(): Promise<void>;
  /** The XState actor running its inbox machine, for devtools or `subscribe`. */
  readonly actor: InboxActor;
}

/** What `runForever` returns. */
export interface RunForeverHandle {
  /** Ends the loop (aborting a call in flight) and resolves once that call has settled. */
  stop(): Promise<void>;
  /** The loop's XState actor, for devtools or `subscribe`. */
  readonly actor: ForeverLoopActor;
}

/**
 * A worker-thread module for `fireAndForgetIO`: an absolute path or a `file:` URL (string
 * or URL object) of an ES or CommonJS module whose default export is the function to run.
 */
export type IOWorkerModule = string | URL;

export type IOOptions = BackgroundOptions;

/** The worker-thread pool behind `fireAndForgetIO`; set with `configureIO` before first use. */
export interface IOPoolOptions {
  /** Threads kept even when idle. Default 0. */
  minThreads?: number;
  /** Threads at most. Default: piscina's (1.5 × available parallelism). */
  maxThreads?: number;
  /** How long an idle thread above `minThreads` lives. Default 10,000 ms. */
  idleTimeoutMs?: number;
  /** Node options for the threads, e.g. `['--import', 'tsx']` to load TypeScript modules. Default: the process's. */
  execArgv?: string[];
  /** Heap and stack limits per thread. */
  resourceLimits?: ResourceLimits;
  /**
   * Lowers the threads' scheduling priority (Unix nice), so the main thread wins the CPU when
   * cores are short. Needs the optional `@napi-rs/nice` package (piscina installs it where it can). Default 0.
   */
  niceIncrement?: number;
}

/** Counts for the background helpers. */
export interface BackgroundDiagnostics {
  /** Helpers whose actor has not ended (jobs, loops, inboxes). */
  helpers: number;
  /** Calls of helper functions that have not settled, cancelled ones included. */
  runningCalls: number;
  /** Worker threads alive in the `fireAndForgetIO` pool. */
  ioThreads: number;
}
