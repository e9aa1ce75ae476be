import type { Clock } from '../core/clock.js';

interface Timer {
  dueAt: number;
  seq: number;
  fn: () => void;
}

/** A real macrotask: setImmediate on Node, a zero timeout in browsers (Storybook). */
const macrotask = (resolve: () => void): void =>
  void (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0));

/** Lets promise callbacks, store batches (one macrotask) and XState mailboxes settle. */
async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>(macrotask);
}

/**
 * A simulated clock: time moves only when a test calls `advance`. Timers fire in due order,
 * and promise work started by one timer settles before the next fires.
 */
export class TestClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.seq;
    this.timers.set(id, { dueAt: this.time + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Timers not yet fired or cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** When the next timer is due, or null. */
  nextDueAt(): number | null {
    return this.next()?.dueAt ?? null;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (let timer = this.next(); timer && timer.dueAt <= target; timer = this.next()) {
      this.timers.delete(timer.seq);
      this.time = Math.max(this.time, timer.dueAt);
      timer.fn();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Moves time forward by `ms` and fires what falls due in one go, without letting promises settle between timers. */
  advanceSync(ms: number): void {
    const target = this.time + ms;
    for (let timer = this.next(); timer && timer.dueAt <= target; timer = this.next()) {
      this.timers.delete(timer.seq);
      this.time = Math.max(this.time, timer.dueAt);
      timer.fn();
    }
    this.time = target;
  }

  /** Fires timers until none is left (or `limit` fired); for work that ends on its own. */
  async runAll(limit = 10_000): Promise<void> {
    for (let i = 0; i < limit; i++) {
      const next = this.next();
      if (!next) return settle();
      await this.advance(Math.max(0, next.dueAt - this.time));
    }
    throw new Error(`TestClock.runAll: still ${this.timers.size} timer(s) after ${limit} firings`);
  }

  /** Lets pending promise work settle without moving time. */
  flush(): Promise<void> {
    return settle();
  }

  private next(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}

export function testClock(start?: number): TestClock {
  return new TestClock(start);
}
