// One run of due work in a service worker: an orchestrator over the app's store, for as long as work is due.
import { createOrchestrator, type OrchestratorOptions } from '../orchestrator.js';
import type { CoordinatorPort, PlatformPort, StorePort } from '../core/ports.js';
import type { Logger, TaskSnapshot } from '../core/types.js';
import type { TaskDefinition } from '../define-task.js';
import { countRuns, unfinished, waitsForNetworkOrBackoff, whenSettled } from './due-work.js';

/** What one `runDue` did. */
export interface DueRunResult {
  /** 'leader-busy': a page holds the leader lock and runs the work itself, so nothing ran here. */
  skipped: 'leader-busy' | null;
  /** Runs started (attempts, each TaskId's each attempt once). */
  ran: number;
  /**
   * Active work left for later, as it was when the run ended: constrained, in backoff, or due soon.
   * Work due further out (a long backoff, a periodic's next period) is only its stored record, not listed.
   */
  left: TaskSnapshot[];
  /** True when the signal or the time budget ended the run while work was still due or running (its workers were aborted). */
  cutShort: boolean;
  /** True when a later wake-up has work to do: the run was cut short, or work waits for the network or in backoff (active or stored). */
  needsWakeUp: boolean;
}

export interface RunDueOptions {
  /** Aborting it ends the run: the orchestrator shuts down and its running workers are aborted through their signal. */
  signal?: AbortSignal;
  /** Ends the run the same way after this many ms. Default: no budget. */
  budgetMs?: number;
}

/** What one run needs; the runner fills it from its options. */
export interface DueRunSetup {
  tasks: readonly TaskDefinition[];
  store: () => StorePort;
  /**
   * The run's place among the app's tabs, made while it holds the leader lock: it leads, answers the
   * tabs' calls and posts its changes to them, and keeps ephemeral work while a tab is open.
   */
  coordinator: () => CoordinatorPort | undefined;
  platform: PlatformPort;
  logger: Logger;
  shutdownTimeoutMs: number;
  orchestrator: Omit<OrchestratorOptions, 'store' | 'platform' | 'logger'>;
}

/** A signal that aborts with `signal` or after `budgetMs`, and a way to let go of its timer. */
function deadline(signal: AbortSignal | undefined, budgetMs: number | undefined): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  const timer = budgetMs === undefined ? undefined : setTimeout(() => controller.abort(new Error(`time budget of ${budgetMs} ms spent`)), budgetMs);
  if (signal?.aborted) abort();
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    },
  };
}

/**
 * Starts an orchestrator on a fresh store (a closed store cannot reopen), lets it run what is due
 * until nothing is due or running, or until the deadline, then shuts it down (stored work stays).
 */
export async function runDueOnce(setup: DueRunSetup, options: RunDueOptions = {}): Promise<Omit<DueRunResult, 'skipped'>> {
  const coordinator = setup.coordinator();
  const orchestrator = createOrchestrator({
    ...setup.orchestrator,
    store: setup.store(),
    platform: setup.platform,
    logger: setup.logger,
    ...(coordinator ? { coordinator } : {}),
  });
  for (const task of setup.tasks) orchestrator.register(task);
  const runs = countRuns(orchestrator);
  const stop = deadline(options.signal, options.budgetMs);
  let left: TaskSnapshot[] = [];
  let cutShort = stop.signal.aborted;
  let needsWakeUp = cutShort;
  try {
    if (!cutShort) {
      await orchestrator.start();
      cutShort = (await whenSettled(orchestrator, stop.signal)) === 'aborted';
    }
    left = unfinished(orchestrator.peekTasks()); // before shutdown, which cancels every active task
    needsWakeUp = cutShort || left.some(waitsForNetworkOrBackoff) || (await orchestrator.listTasks({ status: 'backoff', limit: 1 })).tasks.length > 0;
  } finally {
    stop.release();
    await orchestrator.shutdown({ timeoutMs: setup.shutdownTimeoutMs });
    runs.stop();
  }
  return { ran: runs.count, left, cutShort, needsWakeUp };
}
