import type { Clock } from '../../src/core/clock.js';
import { TestClock } from '../../src/testing/index.js';

/**
 * A host whose wall clock can jump while its timers stand still: how Node's and a phone's timers
 * (monotonic time, or a suspended app's) and Date.now() behave across a sleep.
 */
export class SleepingHost implements Clock {
  readonly timers = new TestClock();
  private slept = 0;
  now(): number {
    return this.timers.now() + this.slept;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    return this.timers.setTimeout(fn, ms);
  }
  clearTimeout(handle: unknown): void {
    this.timers.clearTimeout(handle);
  }
  /** The machine (or the app) sleeps `ms`: the wall clock moves on, no timer moves. */
  sleep(ms: number): void {
    this.slept += ms;
  }
}
