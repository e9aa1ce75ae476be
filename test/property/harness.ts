import { AlreadyStartedError, StoreWriteError, TaskCancelledError, WorkResult, type WorkContext } from '../../src/index.js';
import type { StorePort } from '../../src/core/ports.js';
import { memoryStore, type TestClock } from '../../src/testing/index.js';
import { setup } from '../support.js';
import { faultyStore, type FaultyStore, type HungWrites } from '../support/faulty-store.js';
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
  /** start() had not resolved when it was called: NotStartedError is a fair answer. */
  beforeStart: boolean;
}

/** A schedule/cancel/cancelAll/start/shutdown promise and which rejections it may give. */
export interface OtherCall {
  what: string;
  state: 'pending' | 'resolved' | 'rejected';
  error?: unknown;
  /** Whether `error` is a rejection this call may give (checked once the scenario is over). */
  mayReject(error: unknown): boolean;
}

/** One schedule() request; its input is `planId`, unique per request. */
export interface Request {
  planId: number;
  taskId: string;
  /** Event number (see Harness.tick) of the call. */
  tick: number;
  call: OtherCall;
}

/** One worker call of a scheduled request. */
export interface WorkerRun {
  planId: number;
  taskId: string;
  tick: number;
  label: string;
}

export class Harness {
  readonly tracker = new WorkerTracker();
  readonly env: ReturnType<typeof setup>;
  readonly clock: TestClock;
  readonly instants: InstantCall[] = [];
  readonly controllers: AbortController[] = [];
  /** Promises of schedule/cancel/cancelAll/start/shutdown: each must settle, and reject only as `mayReject` allows. */
  readonly others: OtherCall[] = [];
  /** The memory store behind the orchestrator, wrapped so actions can make its writes fail or hang. */
  readonly faulty: FaultyStore;
  /** How many store writes the faulty store rejected. */
  rejectedWrites = 0;
  private hangs: HungWrites[] = [];
  /** Every schedule() request, by planId (its input). */
  readonly requests = new Map<number, Request>();
  /** Every worker call of a scheduled request (which inputs the workers saw). */
  readonly runs: WorkerRun[] = [];
  /** Worker calls (scheduled or runNow) that started after shutdown() had resolved. */
  readonly lateRuns: string[] = [];
  /** Scheduled worker calls that started while the orchestrator was paused. */
  readonly pausedRuns: string[] = [];
  /** The last schedule/runNow/cancel on each TaskId (for "the last call wins"). */
  readonly lastCall = new Map<string, { type: 'schedule' | 'runNow' | 'cancel'; tick: number; call?: OtherCall }>();
  /** A counter of events (actions and worker calls), to order them. */
  private tick = 0;
  /** start() resolved / shutdown() called / shutdown() resolved. */
  started = false;
  shutdownCalled = false;
  shutdownResolved = false;
  private shutdownPromise: Promise<void> | null = null;
  private readonly waiting: Waiting[] = [];
  private readonly plans = new Map<number, Behaviour[]>();
  private nextPlan = 0;
  /** Human-readable log of what happened, printed with a counterexample. */
  readonly trace: string[] = [];

  constructor(readonly scenario: Scenario) {
    const faulty = faultyStore(memoryStore());
    this.faulty = faulty;
    const store: StorePort = {
      ...faulty,
      write: (batch) =>
        faulty.write(batch).catch((error: unknown) => {
          this.rejectedWrites++;
          this.trace.push(`  store write rejected: ${describeError(error)}`);
          throw error;
        }),
    };
    this.env = setup({ conditions: scenario.initial, random: () => scenario.random, store });
    this.clock = this.env.clock;
    this.env.orchestrator.register('job', (ctx: WorkContext) => {
      if (this.env.orchestrator.paused) this.pausedRuns.push(`worker(plan ${String(ctx.input)}) on ${ctx.taskId}`);
      if (typeof ctx.input === 'number') {
        this.runs.push({ planId: ctx.input, taskId: ctx.taskId, tick: ++this.tick, label: `worker(plan ${ctx.input}, attempt ${ctx.attempt})` });
      }
      const plan = typeof ctx.input === 'number' ? this.plans.get(ctx.input) : undefined;
      const step = plan?.[(Math.max(1, ctx.attempt) - 1) % plan.length];
      if (!step) throw new Error(`no plan for input ${String(ctx.input)}`);
      return this.perform(ctx.taskId, ctx.signal, step, `worker(plan ${String(ctx.input)}, attempt ${ctx.attempt})`).result;
    });
  }

  /** Calls start(); it may reject only with AlreadyStartedError (called before) or StoreWriteError (a write fault). */
  start(what = 'start'): Promise<void> {
    const promise = this.env.orchestrator.start();
    this.watch(what, promise, (error) => error instanceof AlreadyStartedError || error instanceof StoreWriteError);
    promise.then(
      () => void (this.started = true),
      () => {},
    );
    return promise.catch(() => {});
  }

  /** Calls shutdown() (the same promise every time); it must resolve. */
  private callShutdown(what: string): Promise<void> {
    this.shutdownCalled = true;
    const promise = this.env.orchestrator.shutdown();
    if (promise !== this.shutdownPromise) {
      this.shutdownPromise = promise;
      promise.then(
        () => {
          this.shutdownResolved = true;
          this.trace.push('  shutdown resolved');
        },
        () => {},
      );
    }
    this.watch(what, promise, () => false);
    return promise;
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
    if (this.shutdownResolved) this.lateRuns.push(`${label} on ${taskId}`);
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
    const tick = ++this.tick;
    const afterShutdown = this.shutdownCalled;
    switch (action.type) {
      case 'schedule': {
        const planId = ++this.nextPlan;
        this.plans.set(planId, action.plan);
        const promise = orchestrator.schedule({ ...action.request, taskId: action.taskId, input: planId });
        const call = this.watch(
          `schedule #${step} (plan ${planId})`,
          promise,
          (error) => error instanceof StoreWriteError || (afterShutdown && error instanceof TaskCancelledError),
        );
        this.requests.set(planId, { planId, taskId: action.taskId, tick, call });
        this.lastCall.set(action.taskId, { type: 'schedule', tick, call });
        return;
      }
      case 'start':
        void this.start(`start #${step}`);
        return;
      case 'shutdown':
        void this.callShutdown(`shutdown #${step}`).catch(() => {});
        return;
      case 'storeFault':
        if (action.fault === 'reject') this.faulty.rejectWrites(new Error('disk full (injected)'), 'next');
        else this.hangs.push(this.faulty.hangWrites('next'));
        return;
      case 'releaseWrites':
        this.releaseWrites();
        return;
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
          beforeStart: !this.started,
        };
        this.instants.push(instant);
        this.lastCall.set(action.taskId, { type: 'runNow', tick });
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
      case 'cancel': {
        // After shutdown it rejects with TaskCancelledError('shutdown'); before, only a store fault may fail it.
        const call = this.watch(`cancel #${step}`, orchestrator.cancel(action.taskId), (error) => cancelRejection(error, afterShutdown));
        this.lastCall.set(action.taskId, { type: 'cancel', tick, call });
        return;
      }
      case 'cancelAll':
        this.watch(`cancelAll #${step}`, orchestrator.cancelAll(), (error) => cancelRejection(error, afterShutdown));
        return;
      case 'platform':
        platform.push(action.event);
        return;
      case 'pause':
        orchestrator.pause();
        return;
      case 'resume':
        orchestrator.resume();
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

  private watch(what: string, promise: Promise<unknown>, mayReject: (error: unknown) => boolean): OtherCall {
    const entry: OtherCall = { what, state: 'pending', mayReject };
    this.others.push(entry);
    promise.then(
      () => void (entry.state = 'resolved'),
      (error: unknown) => {
        entry.state = 'rejected';
        entry.error = error;
        this.trace.push(`  ${what} rejected: ${describeError(error)}`);
      },
    );
    return entry;
  }

  /** Lets every hung write through (the hangs are the test's own: it releases them in order). */
  private releaseWrites(): void {
    for (const hang of this.hangs.splice(0)) {
      this.trace.push(`  releasing ${hang.waiting} hung write(s)`);
      void hang.release().catch(() => {});
    }
  }

  hungWrites(): number {
    return this.hangs.reduce((n, hang) => n + hang.waiting, 0);
  }

  /**
   * Shuts down and lets promise work settle without moving time; says whether shutdown resolved.
   * Writes still hung are released once it has had a chance to resolve without them (shutdown
   * waits for pending writes until its timeout, which only a clock move would reach).
   */
  async shutdown(): Promise<boolean> {
    this.trace.push('# final shutdown');
    void this.callShutdown('final shutdown').catch(() => {});
    for (let i = 0; i < 10 && !this.shutdownResolved; i++) await this.clock.flush();
    // Writes the test itself held are released, so the calls waiting on them settle.
    if (this.hangs.length > 0) {
      this.releaseWrites();
      for (let i = 0; i < 10 && !this.shutdownResolved; i++) await this.clock.flush();
    }
    await this.clock.flush();
    return this.shutdownResolved;
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

/** cancel()/cancelAll() may fail only on a store fault, or with TaskCancelledError('shutdown') once shutdown was called. */
function cancelRejection(error: unknown, afterShutdown: boolean): boolean {
  if (afterShutdown && error instanceof TaskCancelledError && error.reason === 'shutdown') return true;
  return error instanceof StoreWriteError;
}
