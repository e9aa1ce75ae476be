// A phone's OS wake-up (background fetch, a background task): run the work that is due, then tell the
// OS it is over, on time. The service worker's `sync` run, for a phone.
import { z } from 'zod';
import { systemClock, MAX_TIMER_MS, type Clock } from '../core/clock.js';
import { functionOption, methodsOption, optionsObject, parseOptions } from '../core/option-checks.js';
import { ValidationError } from '../core/errors.js';
import type { Logger, TaskSnapshot } from '../core/types.js';
import { ResumableClock } from '../../adapters/platforms/resumable-clock.js';
import { Orchestrator } from '../orchestrator.js';
import { countRuns, unfinished, waitsForNetworkOrBackoff, whenSettled } from '../service-worker/due-work.js';

/** The app's running orchestrator, or (headless: the app was killed) a function making a fresh one over the app's store, its tasks registered, not started. */
export type WakeTarget = Orchestrator | (() => Orchestrator | Promise<Orchestrator>);

export interface WakeRunOptions {
  /**
   * The OS's time for this wake-up, less a margin for shutting down (iOS gives a background fetch
   * about 30 s: say 25,000). When it is spent the run ends and `finish` is called.
   */
  timeoutMs: number;
  /** Tells the OS the work is over (`() => BackgroundFetch.finish(taskId)`); called exactly once, however the run ends. */
  finish?: () => void | Promise<void>;
  /** The OS's own "time is up" (react-native-background-fetch's onTimeout): aborting ends the run at once. */
  signal?: AbortSignal;
  /** How long a headless run's shutdown waits for its aborted workers. Default 2,000 ms. */
  shutdownTimeoutMs?: number;
  /**
   * The clock `timeoutMs` runs on. Default the system clock. Pass `reactNativePlatform`'s `clock` (the
   * orchestrator's): a ResumableClock is re-armed for the wall clock first, so timers that slept with the app fire now.
   */
  clock?: Clock;
  /** Where a failing `finish` or a failing run is reported. Default `console`. */
  logger?: Logger;
}

/** What one wake-up did. */
export interface WakeRunResult {
  /** True when a fresh orchestrator was opened for the run (the app was not running) and shut down after it. */
  headless: boolean;
  /** Runs started during the wake-up (each attempt of each TaskId once). */
  ran: number;
  /** Active work not finished when the run ended (constrained, in backoff, due later, or cut short). */
  left: TaskSnapshot[];
  /** True when the time (or the OS's signal) ended the run while work was still due or running. */
  cutShort: boolean;
  /** True when a later wake-up has work to do: cut short, failed, or work waits for the network or in backoff. */
  needsWakeUp: boolean;
  /** True when the run could not go through: the orchestrator could not be made, opened or started (the error is logged). */
  failed: boolean;
}

const optionsSchema = optionsObject('runDueWorkOnWake', {
  timeoutMs: z.number().int().min(1).max(MAX_TIMER_MS),
  finish: functionOption<NonNullable<WakeRunOptions['finish']>>('tells the OS the work is over').optional(),
  signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }).optional(),
  shutdownTimeoutMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  clock: methodsOption<Clock>('a clock', ['now', 'setTimeout', 'clearTimeout']).optional(),
  logger: methodsOption<Logger>('a logger', ['warn', 'error']).optional(),
});

/** The app's running orchestrator as `running()` says; a throw is logged and counts as none (the run goes headless). */
export function runningOrchestrator(running: () => Orchestrator | undefined, logger: Logger): Orchestrator | undefined {
  try {
    return running();
  } catch (error) {
    logger.error('errand: orchestrator() threw; the wake-up opens a fresh one', error);
    return undefined;
  }
}

/** A signal that aborts with `signal` or once `timeoutMs` passed on `clock`; `release` lets go of both. */
function deadline(clock: Clock, timeoutMs: number, signal: AbortSignal | undefined): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  const timer = clock.setTimeout(() => controller.abort(new Error(`the wake-up's ${timeoutMs} ms are spent`)), timeoutMs);
  if (signal?.aborted) abort();
  return {
    signal: controller.signal,
    release() {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    },
  };
}

/**
 * Runs the work that is due when the OS wakes the app, until nothing is due or running or until the
 * time is up, then calls `finish`. With the app's running orchestrator, it resumes it if an earlier
 * wake-up paused it, reads the store for due work (`wake()`) and waits; when the time is up it pauses
 * the orchestrator (`pause()`: running scheduled workers are aborted through their signal, their attempt
 * uncounted, and scheduled work waits) until the next wake-up or the app's own `resume()` (when it is
 * active again). Headless, it starts the fresh orchestrator `target` makes, and shuts it down at the end:
 * running workers are aborted through their signal and stored work stays stored for the next run.
 */
export async function runDueWorkOnWake(target: WakeTarget, options: WakeRunOptions): Promise<WakeRunResult> {
  parseOptions(optionsSchema, options, 'runDueWorkOnWake');
  if (!(target instanceof Orchestrator) && typeof target !== 'function') {
    throw new ValidationError('target', 'must be an orchestrator or a function making one (runDueWorkOnWake)');
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? console;
  const stop = deadline(clock, options.timeoutMs, options.signal);
  const headless = !(target instanceof Orchestrator);
  let orchestrator: Orchestrator | undefined;
  let runs: ReturnType<typeof countRuns> | undefined;
  let result: WakeRunResult = { headless, ran: 0, left: [], cutShort: stop.signal.aborted, needsWakeUp: stop.signal.aborted, failed: false };
  try {
    orchestrator = headless ? await (target as () => Orchestrator | Promise<Orchestrator>)() : (target as Orchestrator);
    if (!(orchestrator instanceof Orchestrator)) throw new ValidationError('target', 'must return an orchestrator');
    runs = countRuns(orchestrator);
    if (clock instanceof ResumableClock) clock.resync();
    if (!headless) orchestrator.resume();
    if (!stop.signal.aborted) {
      if (headless) await orchestrator.start();
      else await orchestrator.wake();
    }
    const cutShort = stop.signal.aborted || (await whenSettled(orchestrator, stop.signal)) === 'aborted';
    // The app lives on but is about to be suspended: its workers stop through their signal, as a headless run's do.
    if (cutShort && !headless) orchestrator.pause();
    const left = unfinished(orchestrator.peekTasks());
    const stored = await orchestrator.listTasks({ status: 'backoff', limit: 1 }).then(
      (page) => page.tasks.length > 0,
      () => false,
    );
    result = { headless, ran: runs.count, left, cutShort, needsWakeUp: cutShort || left.some(waitsForNetworkOrBackoff) || stored, failed: false };
  } catch (error) {
    logger.error('errand: the wake-up run failed', error);
    result = { ...result, ran: runs?.count ?? 0, needsWakeUp: true, failed: true };
  } finally {
    stop.release();
    if (headless && orchestrator) {
      await orchestrator.shutdown({ timeoutMs: options.shutdownTimeoutMs ?? 2_000 }).catch((error: unknown) => logger.error('errand: shutting the wake-up run down failed', error));
    }
    runs?.stop();
    try {
      await options.finish?.();
    } catch (error) {
      logger.error("errand: the OS's finish threw", error);
    }
  }
  return result;
}
