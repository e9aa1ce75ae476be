import { createActor } from 'xstate';
import { foreverLoopMachine } from '../../machines/background/forever-loop.js';
import { ValidationError } from '../core/errors.js';
import type { HelperRuntime } from './helper-runtime.js';
import type { BackgroundFn, BackgroundOptions, RunForeverHandle } from './types.js';

/** Calls `fn` now, then `delayMs` after each call ends, until stopped or shut down. */
export function runForever(runtime: HelperRuntime, fn: BackgroundFn, delayMs: number, options: BackgroundOptions = {}): RunForeverHandle {
  if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
    throw new ValidationError('delayMs', 'must be a finite number of milliseconds, 0 or more');
  }
  const scope = runtime.scope('runForever', options.name);
  const actor = createActor(foreverLoopMachine, {
    input: { env: scope, fn, delayMs },
    parent: runtime.parent(),
    id: scope.name,
  });
  const stop = () => {
    if (actor.getSnapshot().status === 'active') actor.send({ type: 'STOP' });
  };
  const ended = runtime.register(scope, actor, stop);
  actor.start();
  if (runtime.refuse(scope)) stop();
  return {
    actor,
    async stop() {
      stop();
      await ended;
      await scope.settled();
    },
  };
}
