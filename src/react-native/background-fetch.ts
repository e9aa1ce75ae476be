// react-native-background-fetch's three callbacks (event, timeout, headless task) as errand wake-up runs.
import type { HeadlessEvent } from 'react-native-background-fetch';
import { z } from 'zod';
import { MAX_TIMER_MS, type Clock } from '../core/clock.js';
import { functionOption, methodsOption, optionsObject, parseOptions } from '../core/option-checks.js';
import type { Logger } from '../core/types.js';
import type { Orchestrator } from '../orchestrator.js';
import { runDueWorkOnWake, runningOrchestrator, type WakeRunResult } from './os-wake-up.js';

/** react-native-background-fetch's default export (its declarations are CommonJS: `default` is the class itself). */
type BackgroundFetchClass = (typeof import('react-native-background-fetch'))['default'];
/** What the handlers call of react-native-background-fetch's default export. */
export type BackgroundFetchModule = Pick<BackgroundFetchClass, 'finish'>;

export interface BackgroundFetchHandlersOptions {
  /** `import BackgroundFetch from 'react-native-background-fetch'`. */
  backgroundFetch: BackgroundFetchModule;
  /** The app's started orchestrator while the app runs (foreground or background), else undefined. */
  orchestrator: () => Orchestrator | undefined;
  /** A fresh orchestrator over the app's store, tasks registered, not started: for the headless task (Android, app killed). */
  open: () => Orchestrator | Promise<Orchestrator>;
  /** The time a run may take before errand finishes it itself (the OS gives about 30 s). Default 25,000 ms. */
  timeoutMs?: number;
  /** Called with what each wake-up did. */
  onResult?(result: WakeRunResult, taskId: string): void;
  shutdownTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface BackgroundFetchHandlers {
  /** `BackgroundFetch.configure(config, onEvent, onTimeout)`'s event callback. */
  onEvent(taskId: string): Promise<void>;
  /** Its timeout callback: the OS's time is up, the run of `taskId` ends now (then `finish` is called). */
  onTimeout(taskId: string): void;
  /** `BackgroundFetch.registerHeadlessTask(headlessTask)`: the same, with the app killed. */
  headlessTask(event: HeadlessEvent): Promise<void>;
}

const optionsSchema = optionsObject('backgroundFetchHandlers', {
  backgroundFetch: methodsOption<BackgroundFetchModule>('react-native-background-fetch', ['finish']),
  orchestrator: functionOption<BackgroundFetchHandlersOptions['orchestrator']>('returns the running orchestrator or undefined'),
  open: functionOption<BackgroundFetchHandlersOptions['open']>('makes a fresh orchestrator'),
  timeoutMs: z.number().int().min(1).max(MAX_TIMER_MS).optional(),
  onResult: functionOption<NonNullable<BackgroundFetchHandlersOptions['onResult']>>('called with each result').optional(),
  shutdownTimeoutMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  clock: methodsOption<Clock>('a clock', ['now', 'setTimeout', 'clearTimeout']).optional(),
  logger: methodsOption<Logger>('a logger', ['warn', 'error']).optional(),
});

/**
 * The callbacks react-native-background-fetch wants, each running errand's due work through
 * `runDueWorkOnWake` and calling `BackgroundFetch.finish(taskId)` exactly once per event: when the
 * work is done, when `timeoutMs` is spent, or at once when the OS says the time is up.
 */
export function backgroundFetchHandlers(options: BackgroundFetchHandlersOptions): BackgroundFetchHandlers {
  parseOptions(optionsSchema, options, 'backgroundFetchHandlers');
  const { backgroundFetch, logger = console } = options;
  /** The runs under way, by the OS's taskId: a timeout aborts its run. */
  const runs = new Map<string, AbortController>();

  const run = async (taskId: string, headless: boolean): Promise<void> => {
    runs.get(taskId)?.abort(); // the OS fired the same task again: the older run gives way
    const controller = new AbortController();
    runs.set(taskId, controller);
    const live = headless ? undefined : runningOrchestrator(options.orchestrator, logger);
    const result = await runDueWorkOnWake(live ?? options.open, {
      timeoutMs: options.timeoutMs ?? 25_000,
      signal: controller.signal,
      finish: () => backgroundFetch.finish(taskId),
      logger,
      ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    if (runs.get(taskId) === controller) runs.delete(taskId);
    try {
      options.onResult?.(result, taskId);
    } catch (error) {
      logger.error('errand: onResult threw', error);
    }
  };

  const onTimeout = (taskId: string): void => {
    const controller = runs.get(taskId);
    if (controller) controller.abort(new Error(`the OS's time for ${taskId} is up`));
    else backgroundFetch.finish(taskId); // no run of ours: the OS still needs its answer
  };

  return {
    onEvent: (taskId) => run(taskId, false),
    onTimeout,
    headlessTask: (event) => (event.timeout ? Promise.resolve(onTimeout(event.taskId)) : run(event.taskId, true)),
  };
}
