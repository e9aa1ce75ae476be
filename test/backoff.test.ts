import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../src/index.js';
import { backoffSchema } from '../src/core/schemas.js';

const policy = (overrides: Record<string, unknown> = {}) => backoffSchema.parse(overrides);

describe('backoffDelayMs', () => {
  it('documents its defaults: exponential from 1 s, capped at 5 min, 5 attempts, no jitter', () => {
    expect(policy()).toEqual({ policy: 'exponential', initialDelayMs: 1_000, maxDelayMs: 300_000, maxAttempts: 5, jitter: 0 });
  });

  it('waits the initial delay before the first retry, then doubles (exponential)', () => {
    const p = policy({ initialDelayMs: 100, maxDelayMs: 100_000 });
    expect([0, 1, 2, 3, 4].map((n) => backoffDelayMs(p, n))).toEqual([100, 200, 400, 800, 1_600]);
  });

  it('grows by the initial delay each retry (linear)', () => {
    const p = policy({ policy: 'linear', initialDelayMs: 250, maxDelayMs: 100_000 });
    expect([0, 1, 2, 3].map((n) => backoffDelayMs(p, n))).toEqual([250, 500, 750, 1_000]);
  });

  it('never exceeds maxDelayMs', () => {
    const exp = policy({ initialDelayMs: 1_000, maxDelayMs: 5_000 });
    expect([0, 1, 2, 3, 10, 60].map((n) => backoffDelayMs(exp, n))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    const lin = policy({ policy: 'linear', initialDelayMs: 2_000, maxDelayMs: 5_000 });
    expect([0, 1, 2, 3].map((n) => backoffDelayMs(lin, n))).toEqual([2_000, 4_000, 5_000, 5_000]);
  });

  it('shrinks the delay by at most the jitter fraction', () => {
    const p = policy({ initialDelayMs: 1_000, jitter: 0.5 });
    expect(backoffDelayMs(p, 0, () => 0)).toBe(1_000);
    expect(backoffDelayMs(p, 0, () => 0.5)).toBe(750);
    expect(backoffDelayMs(p, 1, () => 0.999_999)).toBe(1_000);
  });

  it('treats a random value outside [0, 1) as no jitter: never NaN, negative or over maxDelayMs', () => {
    const p = policy({ initialDelayMs: 1_000, maxDelayMs: 4_000, jitter: 1 });
    const outOfRange = [Number.NaN, -0.5, -Infinity, 1, 1.5, Infinity, '0.5' as unknown as number, undefined as unknown as number];
    for (const value of outOfRange) {
      expect([0, 1, 5].map((n) => backoffDelayMs(p, n, () => value))).toEqual([1_000, 2_000, 4_000]);
    }
    // In range, full jitter still shrinks it.
    expect(backoffDelayMs(p, 0, () => 0.25)).toBe(750);
  });
});
