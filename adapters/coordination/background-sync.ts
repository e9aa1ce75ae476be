// Background Sync (Chromium only) as errand uses it. TypeScript's DOM and webworker libs have none
// of these types, so they are declared here, as narrowly as errand reads them.

/** `registration.sync`: one-off Background Sync registrations by tag. */
export interface SyncManagerLike {
  register(tag: string): Promise<void>;
  getTags(): Promise<string[]>;
}

/** `registration.periodicSync`: Periodic Background Sync registrations by tag (Chromium, for installed apps or with permission). */
export interface PeriodicSyncManagerLike {
  register(tag: string, options?: { minInterval?: number }): Promise<void>;
  unregister(tag: string): Promise<void>;
  getTags(): Promise<string[]>;
}

/** An event a service worker can keep alive with `waitUntil` (ExtendableEvent). */
export interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

/** The `sync` event: `lastChance` is true when the browser will not retry a failed sync. */
export interface SyncEventLike extends ExtendableEventLike {
  readonly tag: string;
  readonly lastChance: boolean;
}

/** The `periodicsync` event (Periodic Background Sync). */
export interface PeriodicSyncEventLike extends ExtendableEventLike {
  readonly tag: string;
}

const hasWaitUntil = (event: Event): event is ExtendableEventLike =>
  typeof (event as Partial<ExtendableEventLike>).waitUntil === 'function';

const hasTag = (event: Event): event is Event & { tag: string } => typeof (event as { tag?: unknown }).tag === 'string';

export function isSyncEvent(event: Event): event is SyncEventLike {
  return event.type === 'sync' && hasWaitUntil(event) && hasTag(event);
}

export function isPeriodicSyncEvent(event: Event): event is PeriodicSyncEventLike {
  return event.type === 'periodicsync' && hasWaitUntil(event) && hasTag(event);
}

/** The registration's SyncManager, or undefined where the browser has no Background Sync (Firefox, Safari). */
export function syncManagerOf(registration: ServiceWorkerRegistration): SyncManagerLike | undefined {
  const sync = (registration as ServiceWorkerRegistration & { sync?: Partial<SyncManagerLike> }).sync;
  return sync && typeof sync.register === 'function' && typeof sync.getTags === 'function' ? (sync as SyncManagerLike) : undefined;
}

/** The registration's PeriodicSyncManager, or undefined where the browser has none. */
export function periodicSyncManagerOf(registration: ServiceWorkerRegistration): PeriodicSyncManagerLike | undefined {
  const periodic = (registration as ServiceWorkerRegistration & { periodicSync?: Partial<PeriodicSyncManagerLike> }).periodicSync;
  return periodic && typeof periodic.register === 'function' && typeof periodic.getTags === 'function' ? (periodic as PeriodicSyncManagerLike) : undefined;
}

/** Whether this context's browser has Background Sync at all (the `SyncManager` interface). */
export function hasBackgroundSync(scope: object = globalThis): boolean {
  return 'SyncManager' in scope;
}
