import type { Clock } from '../core/clock.js';

interface SlicedTimer {
  fn: () => void;
  handle: unknown;
  cancelled: boolean;
}

/** A real macrotask: setImmediate on Node, a zero timeout in browsers. */
const nextMacrotask = (fn: () => void): void => void (typeof setImmediate === 'function' ? setImmediate(fn) : setTimeout(fn, 0));

/**
 * The clock task actors run on: the orchestrator's clock, except that at most `sliceSize` timer
 * callbacks run per macrotask. When many tasks fall due in the same instant (10k periodic tasks
 * on one interval), the rest wait for the next slices, so the event loop stays responsive under
 * overload and the work is deferred instead of the loop. Below the limit a timer fires as it would.
 */
export class SlicedClock implements Clock {
  private readonly waiting: SlicedTimer[] = [];
  private head = 0;
  private ranThisSlice = 0;
  private sliceScheduled = false;

  constructor(
    private readonly base: Clock,
    private readonly sliceSize = 256,
  ) {}

  now(): number {
    return this.base.now();
  }

  setTimeout(fn: () => void, ms: number): SlicedTimer {
    const timer: SlicedTimer = { fn, handle: undefined, cancelled: false };
    timer.handle = this.base.setTimeout(() => this.fire(timer), ms);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as SlicedTimer | undefined;
    if (!timer) return;
    timer.cancelled = true;
    this.base.clearTimeout(timer.handle);
  }

  private fire(timer: SlicedTimer): void {
    if (timer.cancelled) return;
    if (this.ranThisSlice < this.sliceSize && this.head === this.waiting.length) {
      this.run(timer);
      return;
    }
    this.waiting.push(timer);
    this.scheduleSlice();
  }

  private run(timer: SlicedTimer): void {
    this.ranThisSlice++;
    this.scheduleSlice();
    timer.fn();
  }

  /** The next macrotask starts a new slice: the budget resets and waiting timers run, oldest first. */
  private scheduleSlice(): void {
    if (this.sliceScheduled) return;
    this.sliceScheduled = true;
    nextMacrotask(() => {
      this.sliceScheduled = false;
      this.ranThisSlice = 0;
      while (this.head < this.waiting.length && this.ranThisSlice < this.sliceSize) {
        const timer = this.waiting[this.head++]!;
        if (!timer.cancelled) this.run(timer);
      }
      if (this.head === this.waiting.length) {
        this.waiting.length = 0;
        this.head = 0;
      } else {
        // Under sustained overload the queue never empties: drop what already ran now and then.
        if (this.head > 1024 && this.head * 2 > this.waiting.length) this.waiting.splice(0, this.head), (this.head = 0);
        this.scheduleSlice();
      }
    });
  }
}
