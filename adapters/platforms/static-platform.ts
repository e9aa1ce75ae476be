import type { Conditions } from '../../src/core/conditions.js';
import type { PlatformPort } from '../../src/core/ports.js';

/** A platform whose conditions never change; with no argument, every constraint is met. */
export function staticPlatform(conditions: Partial<Conditions> = {}): PlatformPort {
  return { current: () => conditions, subscribe: () => () => {} };
}
