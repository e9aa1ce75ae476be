/** Time as errand sees it. XState's delayed transitions run on the same clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node and browsers fire any timer longer than this after 1 ms, so longer waits are re-armed. */
export const MAX_TIMER_MS = 2_147_483_647;

class LongTimer {
  timer: ReturnType<typeof setTimeout> | undefined;
  constructor(
    private readonly fn: () => void,
    private readonly dueAt: number,
  ) {
    this.arm();
  }
  private arm = (): void => {
    const left = this.dueAt - Date.now();
    this.timer = left > MAX_TIMER_MS ? setTimeout(this.arm, MAX_TIMER_MS) : setTimeout(this.fn, Math.max(0, left));
  };
}

/** The real clock: Date.now and the host's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    return ms > MAX_TIMER_MS ? new LongTimer(fn, Date.now() + ms) : setTimeout(fn, ms);
  },
  clearTimeout(handle) {
    clearTimeout(handle instanceof LongTimer ? handle.timer : (handle as ReturnType<typeof setTimeout>));
  },
};
