// The page side of service-worker wake-ups: while work waits for the network, ask the browser
// (Background Sync) to wake the app's service worker when the network returns, tabs open or not.
import { hasBackgroundSync, periodicSyncManagerOf, syncManagerOf } from '../../adapters/coordination/background-sync.js';
import { syncTagFor } from '../../adapters/coordination/names.js';
import type { Orchestrator } from '../orchestrator.js';
import type { Logger, TaskSnapshot } from '../core/types.js';

export interface BackgroundSyncOptions {
  /** The app's errand name, as given to `serviceWorkerRunner` (and to `indexedDbStore`). */
  name: string;
  /** Default `navigator.serviceWorker`; the registration comes from its `ready`. */
  serviceWorker?: ServiceWorkerContainer;
  /** Where a failed registration is reported. Default `console`. */
  logger?: Logger;
}

/** Stops registering; `supported` says whether this browser has Background Sync at all (false: Firefox, Safari). */
export type BackgroundSyncSubscription = (() => void) & { readonly supported: boolean };

type Watched = Pick<Orchestrator, 'subscribe' | 'peekTasks'>;

const waitsForNetwork = (task: TaskSnapshot) => task.status === 'constrained' && task.unmetConstraints.includes('network');

/**
 * Registers the sync tag `syncTagFor(name)` each time work starts waiting for the network (once per
 * spell: from the first task waiting on it to the last one leaving), so the browser wakes the
 * service worker when the network is back even if every tab is closed by then. Where the browser
 * has no Background Sync, or no service worker container, it does nothing (`supported` is false).
 */
export function registerBackgroundSync(orchestrator: Watched, options: BackgroundSyncOptions): BackgroundSyncSubscription {
  const container = options.serviceWorker ?? (globalThis as { navigator?: { serviceWorker?: ServiceWorkerContainer } }).navigator?.serviceWorker;
  const logger = options.logger ?? console;
  const tag = syncTagFor(options.name);
  if (!container || !hasBackgroundSync()) return Object.assign(() => {}, { supported: false });

  const waiting = new Set<string>();
  const register = () => {
    container.ready
      .then((registration) => syncManagerOf(registration)?.register(tag))
      .catch((error: unknown) => logger.warn(`errand: could not register the Background Sync tag ${tag}`, error));
  };
  const track = (task: TaskSnapshot) => {
    const spellBefore = waiting.size > 0;
    if (waitsForNetwork(task)) waiting.add(task.taskId);
    else waiting.delete(task.taskId);
    if (!spellBefore && waiting.size > 0) register();
  };
  const unsubscribe = orchestrator.subscribe(track);
  for (const task of orchestrator.peekTasks()) track(task);
  return Object.assign(() => unsubscribe(), { supported: true });
}

export interface PeriodicSyncOptions {
  /** The app's errand name, as given to `serviceWorkerRunner`. */
  name: string;
  /** The shortest interval the app asks for; the browser decides the real one (often a day or more, by site engagement). */
  minIntervalMs: number;
  /** Default `navigator.serviceWorker`. */
  serviceWorker?: ServiceWorkerContainer;
}

/**
 * Asks the browser to wake the service worker now and then (`periodicsync` with errand's tag), so
 * due work runs with every tab closed, network or not. Chromium alone has Periodic Background Sync, and
 * only for an installed app (or where the `periodic-background-sync` permission is granted): 'not-allowed'.
 */
export async function registerPeriodicSync(options: PeriodicSyncOptions): Promise<'registered' | 'unsupported' | 'not-allowed'> {
  const container = options.serviceWorker ?? (globalThis as { navigator?: { serviceWorker?: ServiceWorkerContainer } }).navigator?.serviceWorker;
  if (!container) return 'unsupported';
  const periodic = periodicSyncManagerOf(await container.ready);
  if (!periodic) return 'unsupported';
  try {
    await periodic.register(syncTagFor(options.name), { minInterval: options.minIntervalMs });
    return 'registered';
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotAllowedError') return 'not-allowed';
    throw error;
  }
}
