import type { Conditions, PlatformEvent } from '../core/conditions.js';
import type { PlatformPort } from '../core/ports.js';

export interface TestPlatform extends PlatformPort {
  /** Delivers an event as a platform adapter would. */
  push(event: PlatformEvent): void;
  /** How many subscribers are attached (0 after shutdown). */
  subscribers(): number;
}

/** A platform a test drives by hand; starts from `initial` (every constraint met by default). */
export function testPlatform(initial: Partial<Conditions> = {}): TestPlatform {
  const listeners = new Set<(event: PlatformEvent) => void>();
  return {
    current: () => initial,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    push(event) {
      for (const listener of [...listeners]) listener(event);
    },
    subscribers: () => listeners.size,
  };
}
