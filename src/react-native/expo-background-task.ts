// expo-background-task's task function (TaskManager.defineTask) as an errand wake-up run.
import type * as ExpoBackgroundTask from 'expo-background-task';
import type { BackgroundTaskResult } from 'expo-background-task';
import { z } from 'zod';
import { MAX_TIMER_MS, type Clock } from '../core/clock.js';
import { functionOption, methodsOption, optionsObject, parseOptions } from '../core/option-checks.js';
import type { Logger } from '../core/types.js';
import type { Orchestrator } from '../orchestrator.js';
import { runDueWorkOnWake, runningOrchestrator, type WakeRunResult } from './os-wake-up.js';

/** What the task calls of expo-background-task (`import * as BackgroundTask from 'expo-background-task'`). */
export type ExpoBackgroundTaskModule = Pick<typeof ExpoBackgroundTask, 'addExpirationListener'>;

export interface ExpoBackgroundTaskOptions {
  /** Its expiration listener (iOS) ends the run when the OS stops background work. Without it only `timeoutMs` does. */
  backgroundTask?: ExpoBackgroundTaskModule;
  /** The app's started orchestrator while the app runs, else undefined. */
  orchestrator: () => Orchestrator | undefined;
  /** A fresh orchestrator over the app's store, tasks registered, not started: when the OS launched the app for the task. */
  open: () => Orchestrator | Promise<Orchestrator>;
  /** The time a run may take. Default 25,000 ms (iOS may stop background work at any time; Android's worker gets minutes). */
  timeoutMs?: number;
  onResult?(result: WakeRunResult): void;
  shutdownTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

const optionsSchema = optionsObject('expoBackgroundTask', {
  backgroundTask: methodsOption<ExpoBackgroundTaskModule>('expo-background-task', ['addExpirationListener']).optional(),
  orchestrator: functionOption<ExpoBackgroundTaskOptions['orchestrator']>('returns the running orchestrator or undefined'),
  open: functionOption<ExpoBackgroundTaskOptions['open']>('makes a fresh orchestrator'),
  timeoutMs: z.number().int().min(1).max(MAX_TIMER_MS).optional(),
  onResult: functionOption<NonNullable<ExpoBackgroundTaskOptions['onResult']>>('called with each result').optional(),
  shutdownTimeoutMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  clock: methodsOption<Clock>('a clock', ['now', 'setTimeout', 'clearTimeout']).optional(),
  logger: methodsOption<Logger>('a logger', ['warn', 'error']).optional(),
});

/** expo-background-task's BackgroundTaskResult values (an enum: importing it as a value would load the package). */
const SUCCESS: BackgroundTaskResult = 1;
const FAILED: BackgroundTaskResult = 2;

/**
 * The function to give `TaskManager.defineTask(name, ...)`: each call runs errand's due work through
 * `runDueWorkOnWake` and resolves (which is how expo-background-task learns the work is over) with
 * Success, or Failed when the run was cut short or could not go through. Work left waiting (for the
 * network, in backoff) is no failure: the task runs again at the OS's next interval.
 */
export function expoBackgroundTask(options: ExpoBackgroundTaskOptions): () => Promise<BackgroundTaskResult> {
  parseOptions(optionsSchema, options, 'expoBackgroundTask');
  const logger = options.logger ?? console;
  return async () => {
    const controller = new AbortController();
    let expiry: { remove(): void } | undefined;
    try {
      expiry = options.backgroundTask?.addExpirationListener(() => controller.abort(new Error('the OS ended background work')));
    } catch (error) {
      logger.warn('errand: expo-background-task addExpirationListener failed; only timeoutMs ends the run', error);
    }
    try {
      const result = await runDueWorkOnWake(runningOrchestrator(options.orchestrator, logger) ?? options.open, {
        timeoutMs: options.timeoutMs ?? 25_000,
        signal: controller.signal,
        logger,
        ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
        ...(options.clock ? { clock: options.clock } : {}),
      });
      try {
        options.onResult?.(result);
      } catch (error) {
        logger.error('errand: onResult threw', error);
      }
      return result.cutShort || result.failed ? FAILED : SUCCESS;
    } finally {
      try {
        expiry?.remove();
      } catch (error) {
        logger.warn('errand: removing the expiration listener failed', error);
      }
    }
  };
}
