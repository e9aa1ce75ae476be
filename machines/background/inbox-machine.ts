import { assign, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { HelperEnvironment } from './helper-environment.js';
import { HandlerRuns, type HandlerRunEvent } from './handler-runs.js';
import { MessageQueue } from './message-queue.js';
import { messageSource, type MessageSourceOutput } from './message-source.js';

export type MessageHandlerFn = (message: unknown, signal: AbortSignal) => unknown;

export interface InboxInput {
  env: HelperEnvironment;
  handler: MessageHandlerFn;
  /** Handlers in flight at most: 1 for a serial actor, Infinity for an unbounded parallel one. */
  concurrency: number;
  /** Read into the inbox besides what `send` delivers; its end closes the inbox. */
  source: AsyncIterable<unknown> | null;
}

export interface InboxContext {
  env: HelperEnvironment;
  concurrency: number;
  source: AsyncIterable<unknown> | null;
  /** Messages received and not yet handed to the handler (mutated in place, see MessageQueue). */
  queue: MessageQueue;
  /** Handler calls in flight (mutated in place, see HandlerRuns). */
  runs: HandlerRuns;
  inFlight: number;
  /** Handler calls that have ended, and the failures among them. */
  handled: number;
  failures: number;
  nextRunId: number;
  /** The source delivered a message and waits for a PULL before reading the next. */
  sourceWaiting: boolean;
}

export type InboxEvent =
  | { type: 'MESSAGE'; message: unknown }
  | { type: 'CLOSE' }
  | { type: 'CANCEL' }
  | MessageSourceOutput
  | HandlerRunEvent;

/**
 * A mailbox whose messages go to one handler, in arrival order, with at most `concurrency`
 * calls in flight. `open` takes messages from `send` and from the source; `draining` (after
 * CLOSE, or when the source ends) takes no more and finishes what is queued; `closed` once
 * everything is handled. CANCEL (shutdown) ends it at once: queued messages are dropped and
 * the signals of running calls abort.
 */
export const inboxMachine = setup({
  types: {
    context: {} as InboxContext,
    input: {} as InboxInput,
    events: {} as InboxEvent,
  },
  actors: { source: messageSource },
  guards: {
    idle: ({ context }) => context.inFlight === 0 && context.queue.size === 0,
  },
  actions: {
    /** Takes in a message or an ended call, then starts calls while there is room. */
    step: enqueueActions(({ context, event, enqueue, self }) => {
      let { inFlight, handled, failures, nextRunId, sourceWaiting } = context;
      const { queue, runs, env, concurrency } = context;
      if (event.type === 'MESSAGE') {
        queue.push(event.message);
        if ('fromSource' in event) sourceWaiting = true;
      } else if (event.type === 'HANDLED' || event.type === 'HANDLER_FAILED') {
        inFlight--;
        handled++;
        if (event.type === 'HANDLER_FAILED') {
          const { error } = event;
          failures++;
          enqueue(() => env.failed(error));
        }
      } else {
        return;
      }
      const report = (ended: HandlerRunEvent) => {
        if (self.getSnapshot().status === 'active') self.send(ended);
      };
      while (inFlight < concurrency && queue.size > 0) {
        const message = queue.shift();
        const runId = nextRunId++;
        enqueue(() => runs.start(runId, message, report));
        inFlight++;
      }
      // Only `open` has a source child; leaving `open` clears sourceWaiting.
      if (sourceWaiting && queue.size === 0) {
        enqueue.sendTo('source', { type: 'PULL' });
        sourceWaiting = false;
      }
      enqueue.assign({ inFlight, handled, failures, nextRunId, sourceWaiting });
    }),
  },
}).createMachine({
  id: 'inbox',
  context: ({ input }) => ({
    env: input.env,
    concurrency: input.concurrency,
    source: input.source,
    queue: new MessageQueue(),
    runs: new HandlerRuns(input.env, input.handler),
    inFlight: 0,
    handled: 0,
    failures: 0,
    nextRunId: 0,
    sourceWaiting: false,
  }),
  initial: 'open',
  on: {
    HANDLED: { actions: 'step' },
    HANDLER_FAILED: { actions: 'step' },
    CANCEL: '.cancelled',
  },
  states: {
    open: {
      invoke: { id: 'source', src: 'source', input: ({ context }) => ({ source: context.source }) },
      exit: assign({ sourceWaiting: false }),
      on: {
        MESSAGE: { actions: 'step' },
        CLOSE: 'draining',
        SOURCE_DONE: 'draining',
        SOURCE_FAILED: {
          target: 'draining',
          actions: ({ context, event }) => context.env.failed(event.error, 'its source failed; the inbox closes'),
        },
      },
    },
    draining: {
      always: { guard: 'idle', target: 'closed' },
    },
    closed: { type: 'final' },
    cancelled: {
      type: 'final',
      entry: ({ context }) => {
        context.queue.clear();
        context.runs.abortAll();
      },
    },
  },
});

export type InboxActor = ActorRefFrom<typeof inboxMachine>;
