import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/index.js';
import { testClock } from '../src/testing/index.js';

describe('systemClock', () => {
  afterEach(() => void vi.useRealTimers());

  it('fires timers longer than the host limit (2^31 - 1 ms) on time instead of at once', () => {
    vi.useFakeTimers({ now: 0 });
    const fired: number[] = [];
    const fortyDays = 40 * 24 * 3_600_000;
    systemClock.setTimeout(() => fired.push(Date.now()), fortyDays);
    vi.advanceTimersByTime(2_147_483_647);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(fortyDays - 2_147_483_647);
    expect(fired).toEqual([fortyDays]);
  });

  it('clears long and short timers alike', () => {
    vi.useFakeTimers({ now: 0 });
    let fired = 0;
    const long = systemClock.setTimeout(() => fired++, 3_000_000_000);
    vi.advanceTimersByTime(2_200_000_000); // the long timer has re-armed once
    systemClock.clearTimeout(long);
    const short = systemClock.setTimeout(() => fired++, 10);
    systemClock.clearTimeout(short);
    vi.advanceTimersByTime(4_000_000_000);
    expect(fired).toBe(0);
  });
});

describe('TestClock', () => {
  it('fires timers in due order, lets promises settle between them, and counts what is left', async () => {
    const clock = testClock(0);
    const log: string[] = [];
    clock.setTimeout(() => log.push('b@20'), 20);
    clock.setTimeout(() => {
      log.push('a@10');
      void Promise.resolve().then(() => log.push('a.then'));
    }, 10);
    const cleared = clock.setTimeout(() => log.push('never'), 15);
    clock.clearTimeout(cleared);
    clock.setTimeout(() => log.push('c@30'), 30);
    await clock.advance(25);
    expect(log).toEqual(['a@10', 'a.then', 'b@20']);
    expect(clock.now()).toBe(25);
    expect(clock.pendingTimers()).toBe(1);
    await clock.runAll();
    expect(log.at(-1)).toBe('c@30');
    expect(clock.pendingTimers()).toBe(0);
  });
});
