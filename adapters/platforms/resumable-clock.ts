import { systemClock, type Clock } from '../../src/core/clock.js';

interface ResumableTimer {
  fn: () => void;
  /** When it is due on the clock's `now()` (wall time). */
  dueAt: number;
  handle: unknown;
}

/**
 * A clock whose timers can be re-armed against the wall clock. While a machine sleeps, Node's (and
 * Electron's) timers stand still (they count monotonic time, which stops during suspend) but
 * `Date.now()` moves on: after resume, a timer due during the sleep would fire as late as the sleep
 * was long, and every later one too. `resync()` (on powerMonitor's 'resume') re-arms each timer
 * for its wall-clock due time: what fell due during the sleep fires at once, each timer once, in due
 * order; a periodic task then counts its next period from the end of that one run (no catch-up burst).
 */
export class ResumableClock implements Clock {
  private readonly pending = new Set<ResumableTimer>();

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now();
  }

  setTimeout(fn: () => void, ms: number): ResumableTimer {
    const timer: ResumableTimer = { fn, dueAt: this.base.now() + Math.max(0, ms), handle: undefined };
    this.pending.add(timer);
    timer.handle = this.base.setTimeout(() => this.fire(timer), ms);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as ResumableTimer;
    if (this.pending.delete(timer)) this.base.clearTimeout(timer.handle);
  }

  /** Timers not yet fired or cleared. */
  pendingTimers(): number {
    return this.pending.size;
  }

  /** Re-arms every pending timer for its due time on `now()`: call it when the host wakes from sleep. */
  resync(): void {
    const now = this.base.now();
    const timers = [...this.pending].sort((a, b) => a.dueAt - b.dueAt);
    for (const timer of timers) {
      this.base.clearTimeout(timer.handle);
      timer.handle = this.base.setTimeout(() => this.fire(timer), Math.max(0, timer.dueAt - now));
    }
  }

  private fire(timer: ResumableTimer): void {
    if (this.pending.delete(timer)) timer.fn();
  }
}
