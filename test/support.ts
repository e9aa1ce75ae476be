import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createOrchestrator, ValidationError, type OrchestratorOptions } from '../src/index.js';
import { memoryStore, testClock, testPlatform } from '../src/testing/index.js';

/** An orchestrator on a simulated clock, a hand-driven platform and an inspectable memory store. */
export function setup(options: Partial<OrchestratorOptions> & { conditions?: Parameters<typeof testPlatform>[0] } = {}) {
  const { conditions, ...rest } = options;
  const clock = testClock();
  const platform = testPlatform(conditions);
  const store = memoryStore();
  const logged: { level: string; message: string; details: unknown }[] = [];
  const logger = {
    warn: (message: string, details?: unknown) => void logged.push({ level: 'warn', message, details }),
    error: (message: string, details?: unknown) => void logged.push({ level: 'error', message, details }),
  };
  const orchestrator = createOrchestrator({ clock, platform, store, logger, ...rest });
  return { orchestrator, clock, platform, store, logged };
}

/** A promise whose settlement a test controls. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Call at the top of a test file: each of its tests fails if a promise rejection went unhandled. */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => void process.on('unhandledRejection', onUnhandled));
  afterAll(() => void process.off('unhandledRejection', onUnhandled));
  afterEach(async () => {
    // Let any stray rejection surface before checking.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    unhandled.length = 0;
  });
}

/** The ValidationError `make()` throws (fails the test when it throws nothing or something else). */
export function validationErrorOf(make: () => unknown): ValidationError {
  let error: unknown;
  try {
    make();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}
