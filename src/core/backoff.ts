import type { BackoffPolicy } from './schemas.js';

/**
 * Delay before retry number `retryIndex` (0 for the first retry).
 * exponential: initial * 2^n, linear: initial * (n + 1), both capped at maxDelayMs.
 * `random` in [0, 1) applies jitter: the delay shrinks by up to `jitter` of itself; any other value
 * it returns counts as 0, so the delay is always a whole number in [capped * (1 - jitter), capped].
 */
export function backoffDelayMs(policy: BackoffPolicy, retryIndex: number, random: () => number = Math.random): number {
  const factor = policy.policy === 'exponential' ? 2 ** retryIndex : retryIndex + 1;
  const capped = Math.min(policy.initialDelayMs * factor, policy.maxDelayMs);
  if (policy.jitter === 0) return capped;
  const r = random();
  // A random source out of contract (NaN, negative, 1 or more, not a number) must not turn the delay
  // into NaN (a retry at once, or never) or push it past maxDelayMs: it counts as no jitter.
  const fraction = typeof r === 'number' && r >= 0 && r < 1 ? r : 0;
  return Math.round(capped * (1 - policy.jitter * fraction));
}
