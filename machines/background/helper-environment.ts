import { fromPromise } from 'xstate';

/**
 * What a helper machine gets from the orchestrator's BackgroundHelpers: where a failed call
 * is reported, and where a call is kept in view so close/stop/shutdown can wait for calls that
 * outlive their (cancelled) actor. The machine itself stays a pure definition.
 */
export interface HelperEnvironment {
  /** Reports a call of the helper's function that threw or rejected. */
  failed(error: unknown, detail?: string): void;
  /** Keeps `work` in view until it settles. */
  track(work: Promise<unknown>): void;
}

/**
 * Calls `call` on a later microtask (so the caller returns first), unless `signal` aborted by
 * then, and tracks the call until it settles. A synchronous throw becomes a rejection.
 */
export function startCall(env: HelperEnvironment, signal: AbortSignal, call: () => unknown): Promise<unknown> {
  const work = (async () => {
    await undefined;
    if (signal.aborted) return undefined;
    return call();
  })();
  env.track(work);
  return work;
}

/** One call of a helper's `fn(signal)`; stopping the actor (leaving the state that invokes it) aborts `signal`. */
export const callOnce = fromPromise<unknown, { env: HelperEnvironment; fn: (signal: AbortSignal) => unknown }>(
  ({ input, signal }) => startCall(input.env, signal, () => input.fn(signal)),
);
