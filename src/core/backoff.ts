import type { BackoffPolicy } from './schemas.js';

/**
 * Delay before retry number `retryIndex` (0 for the first retry).
 * exponential: initial * 2^n, linear: initial * (n + 1), both capped at maxDelayMs.
 * `random` in [0, 1) applies jitter: the delay shrinks by up to `jitter` of itself.
 */
export function backoffDelayMs(policy: BackoffPolicy, retryIndex: number, random: () => number = Math.random): number {
  const factor = policy.policy === 'exponential' ? 2 ** retryIndex : retryIndex + 1;
  const capped = Math.min(policy.initialDelayMs * factor, policy.maxDelayMs);
  if (policy.jitter === 0) return capped;
  return Math.round(capped * (1 - policy.jitter * random()));
}
