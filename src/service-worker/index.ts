// errand/service-worker: the app's service worker runs the same tasks over the same IndexedDB store
// when the browser wakes it (Background Sync `sync`, Periodic Background Sync `periodicsync`).
import { z } from 'zod';
import { isPeriodicSyncEvent, isSyncEvent, type ExtendableEventLike } from '../../adapters/coordination/background-sync.js';
import { whileLeaderLockIsFree } from '../../adapters/coordination/leader-lock.js';
import { leaderLockName, syncTagFor } from '../../adapters/coordination/names.js';
import { tabCoordinator } from '../../adapters/coordination/tab-coordinator.js';
import { serviceWorkerPlatform } from '../../adapters/platforms/service-worker-platform.js';
import { indexedDbStore } from '../../adapters/stores/indexeddb-store.js';
import { ErrandError } from '../core/errors.js';
import { MAX_TIMER_MS } from '../core/clock.js';
import { functionOption, methodsOption, optionsObject, parseOptions } from '../core/option-checks.js';
import type { PlatformPort, StorePort } from '../core/ports.js';
import type { Logger } from '../core/types.js';
import type { TaskDefinition } from '../define-task.js';
import type { OrchestratorOptions } from '../orchestrator.js';
import { runDueOnce, type DueRunResult, type RunDueOptions } from './run-due.js';

export type { DueRunResult, RunDueOptions } from './run-due.js';
export type { ExtendableEventLike, PeriodicSyncEventLike, SyncEventLike } from '../../adapters/coordination/background-sync.js';
export { serviceWorkerPlatform, type WorkerScopeLike } from '../../adapters/platforms/service-worker-platform.js';
export { leaderLockName, syncTagFor } from '../../adapters/coordination/names.js';

export interface ServiceWorkerRunnerOptions {
  /** The app's errand name: the IndexedDB database (as given to `indexedDbStore`), the leader lock and the sync tag derive from it. */
  name: string;
  /** The task definitions the app's pages register (the same ones, so stored work parses and runs the same). */
  tasks: readonly TaskDefinition[];
  /** Makes the store of one run (called once per run: a closed store cannot reopen). Default `() => indexedDbStore({ name })`. */
  store?: () => StorePort;
  /** Default `serviceWorkerPlatform()`: online/metered from the worker, never in the foreground. */
  platform?: PlatformPort;
  /** Default `console`. */
  logger?: Logger;
  /** How long `shutdown()` may wait for aborted workers at the end of a run. Default 5,000 ms. */
  shutdownTimeoutMs?: number;
  /** Further options for each run's orchestrator (`maxConcurrentWorkers`, `activationHorizonMs`, `inspect`, ...). */
  orchestrator?: Omit<OrchestratorOptions, 'store' | 'platform' | 'logger'>;
}

export interface ListenOptions {
  /** Time budget of each woken run (browsers give an event a few minutes). Default 120,000 ms. */
  budgetMs?: number;
  /**
   * For a `sync` event that is not the browser's last chance: when the run leaves work for a later
   * wake-up (`needsWakeUp`), reject the event so the browser retries the sync later. Default true.
   */
  retry?: boolean;
  /** Called with what each woken run did (logs, metrics, tests). */
  onResult?(result: DueRunResult, event: { type: 'sync' | 'periodicsync'; tag: string }): void;
}

export interface ServiceWorkerRunner {
  readonly name: string;
  /** The tag errand's pages register for `sync` and `periodicsync`: `syncTagFor(name)`. */
  readonly tag: string;
  /**
   * Runs the stored work that is due, unless a page holds the leader lock (then it resolves at once
   * with `skipped: 'leader-busy'`). Holding the lock, it runs until nothing is due or running, or
   * until `signal`/`budgetMs` ends it, then shuts the orchestrator down; stored work stays stored.
   */
  runDue(options?: RunDueOptions): Promise<DueRunResult>;
  /**
   * Adds `sync` and `periodicsync` listeners to the worker's global scope (`self`) that answer
   * errand's tag with `event.waitUntil(runDue(...))`. Call it at the top level of the worker script
   * (browsers only dispatch events to listeners added during its first evaluation). Returns a remover.
   */
  listen(scope: EventTarget, options?: ListenOptions): () => void;
}

const DEFAULT_BUDGET_MS = 120_000;

const optionsSchema = optionsObject('serviceWorkerRunner', {
  name: z.string().min(1, 'must be the store name'),
  tasks: z.array(z.custom<TaskDefinition>((task) => typeof task === 'object' && task !== null && typeof (task as { run?: unknown }).run === 'function', { error: 'must be task definitions (defineTask)' })),
  store: functionOption<() => StorePort>('makes a store').optional(),
  platform: methodsOption<PlatformPort>('a platform', ['current', 'subscribe']).optional(),
  logger: methodsOption<Logger>('a logger', ['warn', 'error']).optional(),
  shutdownTimeoutMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  orchestrator: z.looseObject({}).optional(),
});

const budgetOption = z.number().int().min(1).max(MAX_TIMER_MS).optional();
const runDueOptionsSchema = optionsObject('runDue', {
  signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }).optional(),
  budgetMs: budgetOption,
});
const listenOptionsSchema = optionsObject('listen', {
  budgetMs: budgetOption,
  retry: z.boolean().optional(),
  onResult: functionOption<NonNullable<ListenOptions['onResult']>>('called with each result').optional(),
});

/** A service worker's side of errand: run the stored work when the browser wakes the worker. */
export function serviceWorkerRunner(options: ServiceWorkerRunnerOptions): ServiceWorkerRunner {
  parseOptions(optionsSchema, options, 'serviceWorkerRunner');
  const { name, tasks } = options;
  const logger = options.logger ?? console;
  const setup = {
    tasks,
    store: options.store ?? (() => indexedDbStore({ name })),
    // Without Web Locks there are no tabs to coordinate with (whileLeaderLockIsFree runs unlocked too).
    coordinator: () => (globalThis.navigator?.locks ? tabCoordinator({ name, presence: false, lockHeld: true }) : undefined),
    platform: options.platform ?? serviceWorkerPlatform(),
    logger,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5_000,
    orchestrator: options.orchestrator ?? {},
  };
  const tag = syncTagFor(name);

  const runDue = async (runOptions: RunDueOptions = {}): Promise<DueRunResult> => {
    parseOptions(runDueOptionsSchema, runOptions, 'runDue');
    const run = await whileLeaderLockIsFree(leaderLockName(name), () => runDueOnce(setup, runOptions));
    return run.held ? { skipped: null, ...run.value } : { skipped: 'leader-busy', ran: 0, left: [], cutShort: false, needsWakeUp: false };
  };

  const listen = (scope: EventTarget, listenOptions: ListenOptions = {}): (() => void) => {
    parseOptions(listenOptionsSchema, listenOptions, 'listen');
    const { budgetMs = DEFAULT_BUDGET_MS, retry = true, onResult } = listenOptions;
    const answer = async (event: ExtendableEventLike & { tag: string }, type: 'sync' | 'periodicsync', lastChance: boolean): Promise<void> => {
      const result = await runDue({ budgetMs });
      try {
        onResult?.(result, { type, tag: event.tag });
      } catch (error) {
        logger.error('errand: onResult threw', error);
      }
      if (retry && type === 'sync' && !lastChance && result.needsWakeUp) {
        // A rejected sync event is retried by the browser later (with its own backoff).
        throw new ErrandError(`errand: work is left waiting after the ${tag} sync; asking the browser to retry it`);
      }
    };
    const onSync = (event: Event) => {
      if (isSyncEvent(event) && event.tag === tag) event.waitUntil(answer(event, 'sync', event.lastChance));
    };
    const onPeriodicSync = (event: Event) => {
      if (isPeriodicSyncEvent(event) && event.tag === tag) event.waitUntil(answer(event, 'periodicsync', true));
    };
    scope.addEventListener('sync', onSync);
    scope.addEventListener('periodicsync', onPeriodicSync);
    return () => {
      scope.removeEventListener('sync', onSync);
      scope.removeEventListener('periodicsync', onPeriodicSync);
    };
  };

  return { name, tag, runDue, listen };
}
