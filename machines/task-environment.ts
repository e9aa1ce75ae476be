import type { Conditions } from '../src/core/conditions.js';

/**
 * The world as one task machine sees it. One object per orchestrator, shared by every task,
 * so the machine stays a pure definition and tests swap in a simulated clock and platform.
 */
export interface TaskEnvironment {
  now(): number;
  conditions(): Conditions;
  /** The ready gate: false until `orchestrator.start()` has restored stored work. */
  gateOpen(): boolean;
  /** In [0, 1); used for backoff jitter. */
  random(): number;
  /** Lets shutdown wait for worker promises that outlive their (aborted) actor. */
  track(work: Promise<unknown>): void;
  /** A tracked worker promise settled (called from the run's own settle handler: no extra `then`). */
  untrack(work: Promise<unknown>): void;
}
