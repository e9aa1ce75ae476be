import type { CoordinatorPort } from '../../src/core/ports.js';
import { channelName, leaderLockName, presenceLockName, sessionLockName } from './names.js';

export interface TabCoordinatorOptions {
  /** The app's name for its errand contexts; use the store's name (`indexedDbStore({ name })`). */
  name: string;
  /**
   * Whether this context counts as a live session (tabs do; a service worker woken for a moment
   * does not): a context that opens the store while no session is alive erases ephemeral records.
   * Default true.
   */
  presence?: boolean;
  /**
   * The caller holds the leader lock already (a service worker's `runDue`, which takes it only when
   * free): this context leads without asking. Default false.
   */
  lockHeld?: boolean;
  /** Defaults to `navigator.locks`. */
  locks?: LockManager;
  /** Defaults to a BroadcastChannel named after `name`. */
  channel?: BroadcastChannel;
}

/**
 * A CoordinatorPort on the platform's own primitives: the leader is whoever holds a Web Lock (the
 * browser releases it when the tab closes or crashes, and grants it to the next tab waiting), and
 * messages travel on a BroadcastChannel. Works in pages, workers and service workers of one origin.
 */
export function tabCoordinator(options: TabCoordinatorOptions): CoordinatorPort {
  const { name, presence = true, lockHeld = false } = options;
  const locks = options.locks ?? globalThis.navigator?.locks;
  if (!locks) throw new TypeError('tabCoordinator: navigator.locks (Web Locks) is not available here');
  const channel = options.channel ?? new BroadcastChannel(channelName(name));
  const stop = new AbortController();
  let releaseAll!: () => void;
  // Every lock this context holds is held until this settles.
  const held = new Promise<void>((resolve) => (releaseAll = resolve));
  const ignoreAbort = (error: unknown) => {
    if (!(error instanceof DOMException && error.name === 'AbortError')) throw error;
  };

  return {
    async openSession(open) {
      await locks.request(sessionLockName(name), async () => {
        const state = await locks.query();
        const first = !(state.held ?? []).some((lock) => lock.name === presenceLockName(name));
        await open(first);
        if (!presence) return;
        // Taken inside the session lock: a context opening next sees this one alive.
        await new Promise<void>((granted) => {
          void locks
            .request(presenceLockName(name), { mode: 'shared', signal: stop.signal }, () => {
              granted();
              return held;
            })
            .catch(ignoreAbort);
        });
      });
    },

    lead(onLead) {
      if (lockHeld) return Promise.resolve(!stop.signal.aborted);
      return new Promise<boolean>((answer, fail) => {
        locks
          // Web Locks refuse `signal` with `ifAvailable`: this request is answered at once anyway.
          .request(leaderLockName(name), { ifAvailable: true }, (lock) => {
            if (lock && stop.signal.aborted) return undefined;
            if (lock) {
              answer(true);
              return held;
            }
            answer(false);
            void locks
              .request(leaderLockName(name), { signal: stop.signal }, () => {
                onLead();
                return held;
              })
              .catch(ignoreAbort);
            return undefined;
          })
          .catch((error: unknown) => {
            if (error instanceof DOMException && error.name === 'AbortError') answer(false);
            else fail(error);
          });
      });
    },

    post(message) {
      channel.postMessage(message);
    },

    subscribe(listener) {
      const onMessage = (event: MessageEvent) => listener(event.data);
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },

    close() {
      stop.abort();
      releaseAll();
      channel.close();
    },
  };
}
