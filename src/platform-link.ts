import { applyPlatformEvent, unconstrainedConditions, type Conditions, type PlatformEvent } from './core/conditions.js';
import { PlatformError } from './core/errors.js';
import type { PlatformPort } from './core/ports.js';
import type { Logger } from './core/types.js';

/** Calls the platform adapter, turning its throw into a PlatformError. */
function callPlatform<T>(operation: 'current' | 'subscribe', call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new PlatformError(operation, error);
  }
}

/**
 * The orchestrator's line to its platform adapter: the conditions it reports now, and a change
 * callback. Without a platform every constraint counts as met. What the adapter throws is a
 * PlatformError at construction, and only logged when it unsubscribes (shutdown goes on).
 */
export class PlatformLink {
  conditions: Conditions;
  private unsubscribe: (() => void) | null = null;

  constructor(platform: PlatformPort | undefined, onChange: () => void) {
    this.conditions = { ...unconstrainedConditions, ...callPlatform('current', () => platform?.current()) };
    if (!platform) return;
    const unsubscribe = callPlatform('subscribe', () =>
      platform.subscribe((event: PlatformEvent) => {
        this.conditions = applyPlatformEvent(this.conditions, event);
        onChange();
      }),
    );
    if (typeof unsubscribe !== 'function') {
      throw new PlatformError('subscribe', new TypeError('subscribe() must return an unsubscribe function'));
    }
    this.unsubscribe = unsubscribe;
  }

  close(logger: Logger): void {
    try {
      this.unsubscribe?.();
    } catch (error) {
      logger.error('errand: the platform failed to unsubscribe', new PlatformError('unsubscribe', error));
    }
    this.unsubscribe = null;
  }
}
