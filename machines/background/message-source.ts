import { fromCallback } from 'xstate';

export interface MessageSourceInput {
  source: AsyncIterable<unknown> | null;
}

/** Sent by the source to its inbox. */
export type MessageSourceOutput =
  | { type: 'MESSAGE'; message: unknown; fromSource: true }
  | { type: 'SOURCE_DONE' }
  | { type: 'SOURCE_FAILED'; error: unknown };

/** Sent by the inbox: room for one more message. */
export type MessageSourceEvent = { type: 'PULL' };

/**
 * Reads an AsyncIterable into its inbox one message per PULL, so a slow handler holds the
 * source back instead of buffering it without bound. Stopping it (inbox closed or shut
 * down) calls the iterator's `return()` and drops anything it yields later.
 */
export const messageSource = fromCallback<MessageSourceEvent, MessageSourceInput, MessageSourceOutput>(
  ({ input, sendBack, receive }) => {
    const { source } = input;
    if (!source) return undefined;
    let stopped = false;
    let allowed = 1;
    let wake: (() => void) | null = null;
    receive(() => {
      allowed++;
      wake?.();
      wake = null;
    });
    let iterator: AsyncIterator<unknown> | null = null;
    void (async () => {
      try {
        iterator = source[Symbol.asyncIterator]();
        while (!stopped) {
          while (allowed === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
          if (stopped) return;
          allowed--;
          const next = await iterator.next();
          if (stopped) return;
          if (next.done) {
            sendBack({ type: 'SOURCE_DONE' });
            return;
          }
          sendBack({ type: 'MESSAGE', message: next.value, fromSource: true });
        }
      } catch (error: unknown) {
        if (!stopped) sendBack({ type: 'SOURCE_FAILED', error });
      }
    })();
    return () => {
      stopped = true;
      wake?.();
      wake = null;
      const it = iterator;
      if (it) Promise.resolve().then(() => it.return?.()).catch(() => {});
    };
  },
);
