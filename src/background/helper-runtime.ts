import type { AnyActorRef } from 'xstate';
import type { HelperEnvironment } from '../../machines/background/helper-environment.js';
import type { ActorSystemPool } from '../actor-systems.js';
import type { Logger } from '../core/types.js';

/** What the background helpers borrow from their orchestrator (read once the orchestrator is built). */
export interface BackgroundDeps {
  systems: ActorSystemPool;
  logger: Logger;
}

export type HelperKind = 'fireAndForget' | 'fireAndForgetAll' | 'fireAndForgetIO' | 'runForever' | 'serialActor' | 'parallelActor';

/** Waits until every promise in `work`, including ones added meanwhile, has settled. */
async function allSettled(work: ReadonlySet<Promise<unknown>>): Promise<void> {
  while (work.size > 0) await Promise.allSettled([...work]);
}

/** One helper's environment: its name, its log lines and the calls it has running. */
export class HelperScope implements HelperEnvironment {
  private readonly running = new Set<Promise<unknown>>();

  /** The helper's actor id: its name (or kind), with `[item]` for one of fireAndForgetAll's runs. */
  readonly name: string;
  /** How log lines call it: `fireAndForget "metrics"`, `fireAndForgetAll "notify" (item 3)`, or just the kind. */
  readonly label: string;

  constructor(
    private readonly runtime: HelperRuntime,
    readonly kind: HelperKind,
    name: string | undefined,
    item?: number,
  ) {
    const index = item === undefined ? '' : `[${item}]`;
    this.name = `${name ?? kind}${index}`;
    this.label = `${kind}${name === undefined ? '' : ` "${name}"`}${item === undefined ? '' : ` (item ${item})`}`;
  }

  failed(error: unknown, detail?: string): void {
    this.runtime.logger.error(`errand: ${this.label} failed${detail ? ` (${detail})` : ''}`, error);
  }

  track(work: Promise<unknown>): void {
    this.running.add(work);
    this.runtime.track(work);
    const done = () => void this.running.delete(work);
    work.then(done, done);
  }

  /** Resolves once this helper's calls have all settled. */
  settled(): Promise<void> {
    return allSettled(this.running);
  }
}

/**
 * The bookkeeping shared by all helpers of one orchestrator: their live actors (to cancel on
 * shutdown) and their running calls (for shutdown to wait on).
 */
export class HelperRuntime {
  private readonly live = new Set<() => void>();
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly deps: () => BackgroundDeps) {}

  get logger(): Logger {
    return this.deps().logger;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get helpers(): number {
    return this.live.size;
  }

  get runningCalls(): number {
    return this.running.size;
  }

  scope(kind: HelperKind, name: string | undefined, item?: number): HelperScope {
    return new HelperScope(this, kind, name, item);
  }

  /** A parent for a helper actor: it puts the actor on the orchestrator's clock and inspector. */
  parent(): AnyActorRef {
    return this.deps().systems.next();
  }

  /**
   * Watches a helper actor (before it starts) until it ends; `cancel` is called on shutdown.
   * Resolves when the actor ends. A helper created after shutdown is cancelled at once.
   */
  register(scope: HelperScope, actor: AnyActorRef, cancel: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const end = () => {
        this.live.delete(cancel);
        resolve();
      };
      actor.subscribe({
        complete: end,
        error: (error: unknown) => {
          this.logger.error(`errand: ${scope.label} actor failed`, error);
          end();
        },
      });
      this.live.add(cancel);
    });
  }

  /** Warns about (and lets the caller cancel) a helper started after shutdown. */
  refuse(scope: HelperScope): boolean {
    if (!this.closed) return false;
    this.logger.warn(`errand: ${scope.label} called after shutdown; not run`);
    return true;
  }

  track(work: Promise<unknown>): void {
    this.running.add(work);
    const done = () => void this.running.delete(work);
    work.then(done, done);
  }

  /** Cancels every live helper (their signals abort, queued messages drop); returns the calls still running. */
  cancelAll(): Promise<unknown>[] {
    this.closed = true;
    for (const cancel of [...this.live]) cancel();
    return [...this.running];
  }
}
