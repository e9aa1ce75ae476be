import { createActor } from 'xstate';
import { inboxMachine, type MessageHandlerFn } from '../../machines/background/inbox-machine.js';
import { ValidationError } from '../core/errors.js';
import type { HelperKind, HelperRuntime } from './helper-runtime.js';
import type { Inbox, InboxOptions, MessageHandler, ParallelInboxOptions } from './types.js';

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}

function openInbox<T>(
  runtime: HelperRuntime,
  kind: HelperKind,
  handler: MessageHandler<T>,
  options: InboxOptions<T>,
  concurrency: number,
): Inbox<T> {
  if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function');
  if (options.source !== undefined && !isAsyncIterable(options.source)) {
    throw new ValidationError('source', 'must be an AsyncIterable');
  }
  const scope = runtime.scope(kind, options.name);
  const refused = runtime.refuse(scope);
  const actor = createActor(inboxMachine, {
    input: {
      env: scope,
      // The machine holds messages as unknown; only this inbox's `send` and source feed it Ts.
      handler: handler as MessageHandlerFn,
      concurrency,
      source: refused ? null : (options.source ?? null),
    },
    parent: runtime.parent(),
    id: scope.name,
  });
  const active = () => actor.getSnapshot().status === 'active';
  const cancel = () => {
    if (active()) actor.send({ type: 'CANCEL' });
  };
  const ended = runtime.register(scope, actor, cancel);
  actor.start();
  if (refused) cancel();
  return {
    actor,
    send(message: T): boolean {
      if (!active() || !actor.getSnapshot().matches('open')) return false;
      actor.send({ type: 'MESSAGE', message });
      return true;
    },
    async close(): Promise<void> {
      if (active()) actor.send({ type: 'CLOSE' });
      await ended;
      await scope.settled();
    },
  };
}

/** Handles one message at a time, in arrival order. */
export function serialActor<T>(runtime: HelperRuntime, handler: MessageHandler<T>, options: InboxOptions<T> = {}): Inbox<T> {
  return openInbox(runtime, 'serialActor', handler, options, 1);
}

/** Handles messages concurrently, at most `concurrency` at once when given. */
export function parallelActor<T>(runtime: HelperRuntime, handler: MessageHandler<T>, options: ParallelInboxOptions<T> = {}): Inbox<T> {
  const { concurrency = Number.POSITIVE_INFINITY } = options;
  if (concurrency !== Number.POSITIVE_INFINITY && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ValidationError('concurrency', 'must be a whole number of 1 or more');
  }
  return openInbox(runtime, 'parallelActor', handler, options, concurrency);
}
