import type { Conditions, PlatformEvent } from '../../src/core/conditions.js';
import type { PlatformPort } from '../../src/core/ports.js';

/** The parts of the Network Information API this adapter reads (Chromium only). */
interface ConnectionLike extends EventTarget {
  type?: string;
  saveData?: boolean;
}

/** What a service worker's global scope offers this adapter: events, and `navigator.onLine`. */
export interface WorkerScopeLike extends EventTarget {
  navigator: { onLine: boolean; connection?: ConnectionLike };
}

/**
 * The conditions a service worker can tell: online/offline and a metered connection. It has no
 * page, so `foreground` is false (work that needs the app in front waits for a tab); battery and
 * user input cannot be read from a worker, so they stay unknown, and unknown counts as met.
 */
export function serviceWorkerPlatform(scope: WorkerScopeLike = globalThis as unknown as WorkerScopeLike): PlatformPort {
  const nav = scope.navigator;
  const metered = () => nav.connection?.type === 'cellular' || nav.connection?.saveData === true;
  const network = (): PlatformEvent => ({ type: 'network', online: nav.onLine, metered: metered() });
  return {
    current(): Partial<Conditions> {
      return { online: nav.onLine, metered: metered(), foreground: false };
    },
    subscribe(listener) {
      const onNetwork = () => listener(network());
      scope.addEventListener('online', onNetwork);
      scope.addEventListener('offline', onNetwork);
      nav.connection?.addEventListener('change', onNetwork);
      return () => {
        scope.removeEventListener('online', onNetwork);
        scope.removeEventListener('offline', onNetwork);
        nav.connection?.removeEventListener('change', onNetwork);
      };
    },
  };
}
