import { assign, setup, type ActorRefFrom } from 'xstate';
import { callOnce, type HelperEnvironment } from './helper-environment.js';

export interface ForeverLoopInput {
  env: HelperEnvironment;
  fn: (signal: AbortSignal) => unknown;
  /** Wait between the end of one call and the start of the next. */
  delayMs: number;
}

export interface ForeverLoopContext extends ForeverLoopInput {
  /** Calls that have ended, and how many of them failed. */
  calls: number;
  failures: number;
}

export type ForeverLoopEvent = { type: 'STOP' };

/**
 * Calls `fn` forever: `calling` until the call settles (a failure is logged), then `waiting`
 * `delayMs` on the actor system's clock, then calls again. STOP ends it from either state,
 * aborting a call in flight and cancelling the pending delay.
 */
export const foreverLoopMachine = setup({
  types: {
    context: {} as ForeverLoopContext,
    input: {} as ForeverLoopInput,
    events: {} as ForeverLoopEvent,
  },
  actors: { call: callOnce },
  delays: { interval: ({ context }) => context.delayMs },
}).createMachine({
  id: 'foreverLoop',
  context: ({ input }) => ({ ...input, calls: 0, failures: 0 }),
  initial: 'calling',
  on: { STOP: '.stopped' },
  states: {
    calling: {
      invoke: {
        src: 'call',
        input: ({ context }) => context,
        onDone: { target: 'waiting', actions: assign({ calls: ({ context }) => context.calls + 1 }) },
        onError: {
          target: 'waiting',
          actions: [
            assign({ calls: ({ context }) => context.calls + 1, failures: ({ context }) => context.failures + 1 }),
            ({ context, event }) => context.env.failed(event.error, `calling again in ${context.delayMs} ms`),
          ],
        },
      },
    },
    waiting: {
      after: { interval: 'calling' },
    },
    stopped: { type: 'final' },
  },
});

export type ForeverLoopActor = ActorRefFrom<typeof foreverLoopMachine>;
