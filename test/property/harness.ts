import { TaskCancelledError, WorkResult, type WorkContext } from '../../src/index.js';
import type { TestClock } from '../../src/testing/index.js';
import { setup } from '../support.js';
import type { Action, Behaviour, Scenario } from './actions.js';

/** What a worker throws for the 'throw' outcome; `call` tells which call threw it. */
export class WorkerError extends Error {
  override name = 'WorkerError';
  constructor(readonly call: number) {
    super(`worker call ${call} threw`);
  }
}

/** Why a worker rejects when its signal aborts. */
export class WorkerAborted extends Error {
  override name = 'WorkerAborted';
}

/**
 * Counts running worker calls per TaskId. A call (scheduled worker or runNow function)
 * counts as running from the moment it is called until the first of:
 *   - it returns or throws synchronously ('sync' timing),
 *   - the promise it returned settles,
 *   - its AbortSignal aborts (the library aborts superseded, cancelled and constrained
 *     runs through the signal; the test workers then reject at once).
 * So "running" means "still allowed to do work": two of those at once for one TaskId is
 * the violation. The library itself only learns of the settlement a microtask later, which
 * is why the end of a call is taken from the worker's side.
 */
export class WorkerTracker {
  private readonly running = new Map<string, Set<number>>();
  readonly violations: string[] = [];
  private calls = 0;

  enter(taskId: string, label: string): { call: number; leave(): void } {
    const call = ++this.calls;
    let set = this.running.get(taskId);
    if (!set) this.running.set(taskId, (set = new Set()));
    if (set.size > 0) {
      this.violations.push(`${label} (call ${call}) started on ${taskId} while call(s) ${[...set].join(', ')} still running`);
    }
    set.add(call);
    const running = set;
    return { call, leave: () => void running.delete(call) };
  }

  runningCount(taskId: string): number {
    return this.running.get(taskId)?.size ?? 0;
  }

  totalRunning(): number {
    let n = 0;
    for (const set of this.running.values()) n += set.size;
    return n;
  }
}

interface Waiting {
  call: number;
  taskId: string;
  release(): void;
}

export type Settlement = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What one runNow call's function produced, and how its caller's promise settled. */
export interface InstantCall {
  index: number;
  taskId: string;
  /** What its function returned or threw when it finished (null if never called or aborted). */
  produced: Settlement | null;
  /** How many times the caller's promise settled (then/catch callbacks run). */
  settleCount: number;
  settled: Settlement | null;
}

export class Harness {
  readonly tracker = new WorkerTracker();
  readonly env: ReturnType<typeof setup>;
  readonly clock: TestClock;
  readonly instants: InstantCall[] = [];
  readonly controllers: AbortController[] = [];
  /** Promises of schedule/cancel/cancelAll: each must resolve (none are invalid here). */
  readonly others: { what: string; state: 'pending' | 'resolved' | 'rejected'; error?: unknown }[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly plans = new Map<number, Behaviour[]>();
  private nextPlan = 0;
  /** Human-readable log of what happened, printed with a counterexample. */
  readonly trace: string[] = [];

  constructor(readonly scenario: Scenario) {
    this.env = setup({ conditions: scenario.initial, random: () => scenario.random });
    this.clock = this.env.clock;
    this.env.orchestrator.register('job', (ctx: WorkContext) => {
      const plan = typeof ctx.input === 'number' ? this.plans.get(ctx.input) : undefined;
      const step = plan?.[(Math.max(1, ctx.attempt) - 1) % plan.length];
      if (!step) throw new Error(`no plan for input ${String(ctx.input)}`);
      return this.perform(ctx.taskId, ctx.signal, step, `worker(plan ${String(ctx.input)}, attempt ${ctx.attempt})`).result;
    });
  }

  start(): Promise<void> {
    return this.env.orchestrator.start();
  }

  /**
   * One worker call following `behaviour`, honouring `signal`: once it aborts, the call
   * rejects with WorkerAborted and clears whatever it was waiting on.
   */
  private perform(
    taskId: string,
    signal: AbortSignal,
    behaviour: Behaviour,
    label: string,
    onProduced?: (produced: Settlement) => void,
  ): { call: number; result: unknown } {
    const { call, leave } = this.tracker.enter(taskId, label);
    this.trace.push(`  call ${call}: ${label} on ${taskId} ${behaviour.outcome}/${String(behaviour.timing)}`);
    const value = (): unknown => {
      switch (behaviour.outcome) {
        case 'succeed':
          return `value of call ${call}`;
        case 'retry':
          return WorkResult.retry(`call ${call}`);
        case 'failure':
          return WorkResult.failure(`call ${call}`);
        case 'throw':
          throw new WorkerError(call);
      }
    };
    const produce = (): Settlement => {
      try {
        return { ok: true, value: value() };
      } catch (error) {
        return { ok: false, error };
      }
    };

    if (behaviour.timing === 'sync') {
      leave();
      const produced = produce();
      onProduced?.(produced);
      if (!produced.ok) throw produced.error;
      return { call, result: produced.value };
    }

    const timing = behaviour.timing;
    const result = new Promise<unknown>((resolve, reject) => {
      let done = false;
      let cleanup = (): void => {};
      const onAbort = (): void => {
        if (done) return;
        done = true;
        cleanup();
        leave();
        this.trace.push(`  call ${call} aborted`);
        reject(new WorkerAborted(`call ${call} aborted`));
      };
      const finish = (): void => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        cleanup();
        leave();
        const produced = produce();
        onProduced?.(produced);
        this.trace.push(`  call ${call} finished ${behaviour.outcome}`);
        if (produced.ok) resolve(produced.value);
        else reject(produced.error);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (timing === 'micro') {
        queueMicrotask(finish);
      } else if (timing === 'deferred') {
        const entry: Waiting = { call, taskId, release: finish };
        this.waiting.push(entry);
        cleanup = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
        };
      } else {
        const handle = this.clock.setTimeout(finish, timing);
        cleanup = () => this.clock.clearTimeout(handle);
      }
    });
    return { call, result };
  }

  /** Runs one action; only `advance` and `flush` wait (they let simulated time or promises move). */
  async apply(action: Action, step: number): Promise<void> {
    const { orchestrator, platform } = this.env;
    this.trace.push(`#${step} ${JSON.stringify(action)}`);
    switch (action.type) {
      case 'schedule': {
        const planId = ++this.nextPlan;
        this.plans.set(planId, action.plan);
        this.watch(`schedule #${step}`, orchestrator.schedule({ ...action.request, taskId: action.taskId, input: planId }));
        return;
      }
      case 'runNow': {
        let controller: AbortController | null = null;
        if (action.signal === 'new' || (action.signal === 'shared' && this.controllers.length === 0)) {
          controller = new AbortController();
          this.controllers.push(controller);
        } else if (action.signal === 'shared') {
          controller = this.controllers[this.controllers.length - 1] ?? null;
        }
        const instant: InstantCall = {
          index: this.instants.length,
          taskId: action.taskId,
          produced: null,
          settleCount: 0,
          settled: null,
        };
        this.instants.push(instant);
        const promise = orchestrator.runNow(
          action.taskId,
          (ctx) =>
            this.perform(ctx.taskId, ctx.signal, action.behaviour, `runNow #${step}`, (produced) => {
              instant.produced = produced;
            }).result,
          controller ? { signal: controller.signal } : {},
        );
        promise.then(
          (value) => {
            instant.settleCount++;
            instant.settled = { ok: true, value };
            this.trace.push(`  runNow #${step} resolved`);
          },
          (error: unknown) => {
            instant.settleCount++;
            instant.settled = { ok: false, error };
            this.trace.push(`  runNow #${step} rejected: ${describeError(error)}`);
          },
        );
        return;
      }
      case 'abortCaller': {
        const controller = this.controllers[action.nth % Math.max(1, this.controllers.length)];
        controller?.abort();
        return;
      }
      case 'cancel':
        this.watch(`cancel #${step}`, orchestrator.cancel(action.taskId));
        return;
      case 'cancelAll':
        this.watch(`cancelAll #${step}`, orchestrator.cancelAll());
        return;
      case 'platform':
        platform.push(action.event);
        return;
      case 'advance':
        await this.clock.advance(action.ms);
        return;
      case 'flush':
        await this.clock.flush();
        return;
      case 'release': {
        const entry = this.waiting[action.nth % Math.max(1, this.waiting.length)];
        entry?.release();
        return;
      }
    }
  }

  private watch(what: string, promise: Promise<void>): void {
    const entry: Harness['others'][number] = { what, state: 'pending' };
    this.others.push(entry);
    promise.then(
      () => void (entry.state = 'resolved'),
      (error: unknown) => {
        entry.state = 'rejected';
        entry.error = error;
      },
    );
  }

  /** Shuts down and lets promise work settle without moving time; says whether shutdown resolved. */
  async shutdown(): Promise<boolean> {
    let stopped = false;
    const stopping = this.env.orchestrator.shutdown();
    stopping.then(
      () => void (stopped = true),
      (error: unknown) => this.trace.push(`shutdown rejected: ${describeError(error)}`),
    );
    for (let i = 0; i < 10 && !stopped; i++) await this.clock.flush();
    await this.clock.flush();
    return stopped;
  }

  waitingCount(): number {
    return this.waiting.length;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof TaskCancelledError) return `TaskCancelledError(${error.reason})`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
