// The Web Lock every context of an app competes for: its holder alone runs the app's stored work.

/** What `whileLeaderLockIsFree` found: the lock was free (and `value` is what ran under it), or another context held it. */
export type UnderLock<T> = { held: true; value: T } | { held: false };

/**
 * Runs `fn` while holding the lock `name`, only if no other context holds it now (`ifAvailable`):
 * a service worker must not queue behind a tab that is already running the work. Without the
 * Web Locks API (nothing to coordinate with) `fn` runs unlocked.
 */
export async function whileLeaderLockIsFree<T>(name: string, fn: () => Promise<T>, locks: LockManager | undefined = webLocks()): Promise<UnderLock<T>> {
  if (!locks) return { held: true, value: await fn() };
  // ifAvailable cannot be combined with a signal (the spec refuses it): the callback itself honours aborts.
  return locks.request(name, { mode: 'exclusive', ifAvailable: true }, async (lock): Promise<UnderLock<T>> => {
    if (lock === null) return { held: false };
    return { held: true, value: await fn() };
  });
}

/** `navigator.locks` of a window or a worker; undefined where the API (or `navigator`) is missing. */
function webLocks(): LockManager | undefined {
  const scope = globalThis as { navigator?: { locks?: LockManager } };
  return scope.navigator?.locks;
}
