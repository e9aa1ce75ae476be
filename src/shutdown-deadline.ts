import type { Clock } from './core/clock.js';

export interface Deadline {
  /** Waits for `work` until the deadline; true when it settled in time. */
  race(work: Promise<unknown>): Promise<boolean>;
  clear(): void;
}

/**
 * Shutdown's time limit: whichever comes first of `timeoutMs` on the orchestrator's clock (so a
 * simulated clock drives it in tests) and `timeoutMs` of real time (so it holds whatever a
 * worker, a store or a platform does, and whatever the clock does).
 */
export function shutdownDeadline(clock: Clock, timeoutMs: number): Deadline {
  let clockTimer: unknown;
  let realTimer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    clockTimer = clock.setTimeout(() => resolve(false), timeoutMs);
    realTimer = setTimeout(() => resolve(false), timeoutMs);
    // Node: the deadline alone must not keep the process alive.
    if (typeof realTimer === 'object' && realTimer !== null && 'unref' in realTimer) realTimer.unref();
  });
  let passed = false;
  void expired.then(() => (passed = true));
  return {
    race: (work) => (passed ? Promise.resolve(false) : Promise.race([work.then(() => true as const), expired])),
    clear() {
      clock.clearTimeout(clockTimer);
      clearTimeout(realTimer);
    },
  };
}
