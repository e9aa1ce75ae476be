import { startCall, type HelperEnvironment } from './helper-environment.js';

/** How a handler run ended, as told to its inbox. */
export type HandlerRunEvent = { type: 'HANDLED'; runId: number } | { type: 'HANDLER_FAILED'; runId: number; error: unknown };

/**
 * The handler calls an inbox has in flight, each with its own AbortController. Kept as plain
 * promises rather than one child actor per message: XState copies a machine's children map
 * on every spawn and stop, which makes thousands of concurrent children cost O(n²).
 */
export class HandlerRuns {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly env: HelperEnvironment,
    private readonly handler: (message: unknown, signal: AbortSignal) => unknown,
  ) {}

  get size(): number {
    return this.running.size;
  }

  /** Calls the handler with `message`; `report` hears how it ended unless aborted first. */
  start(runId: number, message: unknown, report: (event: HandlerRunEvent) => void): void {
    const controller = new AbortController();
    const { signal } = controller;
    this.running.set(runId, controller);
    startCall(this.env, signal, () => this.handler(message, signal)).then(
      () => {
        this.running.delete(runId);
        if (!signal.aborted) report({ type: 'HANDLED', runId });
      },
      (error: unknown) => {
        this.running.delete(runId);
        if (!signal.aborted) report({ type: 'HANDLER_FAILED', runId, error });
      },
    );
  }

  /** Aborts every run in flight; they settle on their own and report nothing. */
  abortAll(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }
}
