import { createActor } from 'xstate';
import { backgroundJobMachine, type BackgroundJobActor } from '../../machines/background/background-job.js';
import { ValidationError } from '../core/errors.js';
import type { HelperRuntime, HelperScope } from './helper-runtime.js';
import type { BackgroundFn, BackgroundItemFn, BackgroundOptions } from './types.js';

/** Starts one background job actor for `fn`; after shutdown it is cancelled before `fn` is called. */
export function startJob(runtime: HelperRuntime, scope: HelperScope, fn: BackgroundFn): BackgroundJobActor {
  const actor = createActor(backgroundJobMachine, {
    input: { env: scope, fn },
    parent: runtime.parent(),
    id: scope.name,
  });
  const cancel = () => {
    if (actor.getSnapshot().status === 'active') actor.send({ type: 'CANCEL' });
  };
  void runtime.register(scope, actor, cancel);
  actor.start();
  if (runtime.refuse(scope)) cancel();
  return actor;
}

function assertFunction(value: unknown, field: string): void {
  if (typeof value !== 'function') throw new ValidationError(field, 'must be a function');
}

/** `fn(signal)` on its own actor; returns at once. */
export function fireAndForget(runtime: HelperRuntime, fn: BackgroundFn, options: BackgroundOptions = {}): void {
  assertFunction(fn, 'fn');
  startJob(runtime, runtime.scope('fireAndForget', options.name), fn);
}

/** `fn(item, signal)` for each item, each on its own actor, all at once. */
export function fireAndForgetAll<T>(
  runtime: HelperRuntime,
  items: Iterable<T>,
  fn: BackgroundItemFn<T>,
  options: BackgroundOptions = {},
): void {
  assertFunction(fn, 'fn');
  if (items == null || typeof (items as Partial<Iterable<T>>)[Symbol.iterator] !== 'function') {
    throw new ValidationError('items', 'must be iterable');
  }
  let index = 0;
  for (const item of items) {
    startJob(runtime, runtime.scope('fireAndForgetAll', options.name, index++), (signal) => fn(item, signal));
  }
}
