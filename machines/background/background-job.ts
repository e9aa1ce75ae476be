import { setup, type ActorRefFrom } from 'xstate';
import { callOnce, type HelperEnvironment } from './helper-environment.js';

/** One fire-and-forget call: `fn(signal)`. */
export interface BackgroundJobInput {
  env: HelperEnvironment;
  fn: (signal: AbortSignal) => unknown;
}

export type BackgroundJobEvent = { type: 'CANCEL' };

/**
 * A single background call nobody waits for: `running` until it settles (`done` or `failed`,
 * the error going to the logger), or `cancelled` by shutdown, which aborts its signal.
 */
export const backgroundJobMachine = setup({
  types: {
    context: {} as BackgroundJobInput,
    input: {} as BackgroundJobInput,
    events: {} as BackgroundJobEvent,
  },
  actors: { call: callOnce },
}).createMachine({
  id: 'backgroundJob',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: {
      invoke: {
        src: 'call',
        input: ({ context }) => context,
        onDone: 'done',
        onError: { target: 'failed', actions: ({ context, event }) => context.env.failed(event.error) },
      },
      on: { CANCEL: 'cancelled' },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export type BackgroundJobActor = ActorRefFrom<typeof backgroundJobMachine>;
