import type { z } from 'zod';
import { createActor, type InspectionEvent, type Observer } from 'xstate';
import { memoryStore } from '../adapters/stores/memory-store.js';
import type { TaskEnvironment } from '../machines/task-environment.js';
import {
  taskMachine,
  type InstantRun,
  type ScheduledWork,
  type TaskActor,
  type TaskInput,
  type TaskMachineSnapshot,
} from '../machines/task-machine.js';
import { ActorSystemPool } from './actor-systems.js';
import { BackgroundHelpers } from './background/background-helpers.js';
import type {
  BackgroundDiagnostics,
  BackgroundFn,
  BackgroundItemFn,
  BackgroundOptions,
  IOOptions,
  IOPoolOptions,
  IOWorkerModule,
  MessageActor,
  MessageActorOptions,
  MessageHandler,
  ParallelActorOptions,
  RunForeverHandle,
} from './background/types.js';
import { systemClock, type Clock } from './core/clock.js';
import { applyPlatformEvent, hasConstraints, unconstrainedConditions, type Conditions, type PlatformEvent } from './core/conditions.js';
import type { InputSchema, RawInputOf, TaskDefinition } from './define-task.js';
import { AlreadyStartedError, NotStartedError, TaskCancelledError, ValidationError } from './core/errors.js';
import { FinishedTasks, TaskListeners, type TaskListener } from './listeners.js';
import { Persister } from './persister.js';
import type { PlatformPort, QuarantinedRecord, StorePort } from './core/ports.js';
import { scheduleRequestSchema, taskIdSchema, toTaskRequest, type PersistedStatus, type ScheduleRequest, type TaskRecord } from './core/schemas.js';
import { sameTaskSnapshot, toTaskSnapshot } from './task-snapshot.js';
import type { InstantFn, Logger, Outcome, TaskSnapshot, WorkerFn } from './core/types.js';

export interface OrchestratorOptions {
  /** OS or host events; without one every constraint counts as met. */
  platform?: PlatformPort;
  /** Where scheduled work is kept; defaults to `memoryStore()` (lost with the process). */
  store?: StorePort;
  /** Defaults to the system clock; `errand/testing` has a simulated one. */
  clock?: Clock;
  /** XState inspection observer (Stately inspector, devtools), attached to every task actor. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Defaults to `console` for warnings and errors. */
  logger?: Logger;
  /** How many finished tasks `getTask` still answers for (oldest forgotten first). Default 10,000. */
  retainFinished?: number;
  /** Source of randomness for backoff jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface RunNowOptions {
  /** Aborting it cancels the work and rejects with TaskCancelledError('cancelled'). */
  signal?: AbortSignal;
}

export interface ShutdownOptions {
  /** How long to wait for aborted workers to settle. Default 10,000 ms. */
  timeoutMs?: number;
}

type TaskMap = Record<string, TaskDefinition>;

type InputFor<TTasks extends TaskMap, TId extends string> = TId extends keyof TTasks
  ? TTasks[TId] extends TaskDefinition<string, infer S extends InputSchema>
    ? RawInputOf<S>
    : unknown
  : unknown;

/** `schedule()`'s argument; `input` is typed by the registered task's schema, and required when it is. */
export type ScheduleRequestFor<TTasks extends TaskMap, TId extends string> = Omit<ScheduleRequest, 'taskId' | 'input'> & {
  taskId: TId;
} & (undefined extends InputFor<TTasks, TId> ? { input?: InputFor<TTasks, TId> } : { input: InputFor<TTasks, TId> });

interface TaskEntry {
  readonly actor: TaskActor;
  /** The record last written, to skip writes when only progress changed. */
  record: TaskRecord | null;
  /** The public snapshot last derived, and the machine snapshot it was derived from. */
  view: TaskSnapshot | null;
  viewFrom: TaskMachineSnapshot | null;
}

type Phase = 'created' | 'starting' | 'started' | 'stopped';

const PERSISTED: ReadonlySet<string> = new Set(['pending', 'constrained', 'running', 'backoff']);

/**
 * Runs scheduled and instant work as one XState actor per TaskId. Task actors are
 * independent roots (not children of one parent), so spawning and stopping stay O(1).
 */
// No tasks known to the type yet: TaskIds outside the map accept any input (checked at run time).
export class Orchestrator<TTasks extends TaskMap = Record<never, never>> {
  private readonly registry = new Map<string, TaskDefinition>();
  private readonly live = new Map<string, TaskEntry>();
  private readonly finished: FinishedTasks;
  private readonly listeners = new TaskListeners();
  /** Tasks whose state depends on conditions right now (constrained, or running with constraints). */
  private readonly watching = new Set<TaskActor>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly persister: Persister;
  private readonly systems: ActorSystemPool;
  private readonly store: StorePort;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly env: TaskEnvironment;
  private conditions: Conditions;
  private phase: Phase = 'created';
  private unsubscribePlatform: (() => void) | null = null;
  private shutdownPromise: Promise<void> | null = null;
  private nextTicket = 0;
  private readonly quarantined: QuarantinedRecord[] = [];
  private readonly background: BackgroundHelpers;

  constructor(private readonly options: OrchestratorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? console;
    this.store = options.store ?? memoryStore();
    this.persister = new Persister(this.store, this.logger);
    this.systems = new ActorSystemPool({ clock: this.clock, inspect: options.inspect });
    this.background = new BackgroundHelpers(this.systems, this.logger);
    this.finished = new FinishedTasks(options.retainFinished ?? 10_000);
    this.conditions = { ...unconstrainedConditions, ...options.platform?.current() };
    const random = options.random ?? Math.random;
    this.env = {
      now: () => this.clock.now(),
      conditions: () => this.conditions,
      isOpen: () => this.phase === 'started',
      random,
      track: (work) => void this.inflight.add(work),
      untrack: (work) => void this.inflight.delete(work),
    };
    if (options.platform) {
      this.unsubscribePlatform = options.platform.subscribe((event) => this.onPlatformEvent(event));
    }
  }

  /** Registers a task definition (or a TaskId and its worker). Only before `start()`. */
  register<TId extends string, TSchema extends InputSchema, TOutput>(
    definition: TaskDefinition<TId, TSchema, TOutput>,
  ): Orchestrator<TTasks & Record<TId, TaskDefinition<TId, TSchema, TOutput>>>;
  register<TId extends string>(taskId: TId, run: WorkerFn): Orchestrator<TTasks & Record<TId, TaskDefinition<TId, InputSchema>>>;
  register(definitionOrId: TaskDefinition | string, run?: WorkerFn): unknown {
    if (this.phase !== 'created') throw new AlreadyStartedError('register()');
    const definition: TaskDefinition =
      typeof definitionOrId === 'string' ? { id: definitionOrId, input: undefined, run: run as WorkerFn } : definitionOrId;
    const id = taskIdSchema.safeParse(definition.id);
    if (!id.success) throw ValidationError.fromZod(id.error, 'taskId');
    if (typeof definition.run !== 'function') throw new ValidationError('run', 'must be a function');
    if (definition.id.includes('/')) throw new ValidationError('taskId', 'a registered id cannot contain "/" (it separates instances)');
    if (this.registry.has(definition.id)) throw new ValidationError('taskId', `${definition.id} is already registered`);
    this.registry.set(definition.id, definition);
    return this;
  }

  /** Sweeps ephemeral records, restores stored work, then opens the ready gate. */
  async start(): Promise<void> {
    if (this.phase !== 'created') throw new AlreadyStartedError('start()');
    this.phase = 'starting';
    try {
      const { records, quarantined } = await this.store.load();
      for (const item of quarantined) {
        this.quarantined.push(item);
        this.logger.warn(`errand: stored record ${item.key} quarantined: ${item.reason}`);
      }
      for (const record of records) this.restore(record);
      // Ephemeral records are erased durably before anything can dispatch.
      await this.persister.written();
    } catch (error) {
      // The gate stays closed and start() may be called again (say, once the store file is fixed).
      if (this.phase === 'starting') this.phase = 'created';
      throw error;
    }
    if (this.phase !== 'starting') return; // shut down while loading
    this.phase = 'started';
    for (const entry of [...this.live.values()]) entry.actor.send({ type: 'GATE_OPENED' });
  }

  /** Schedules work for a registered task; resolves once the request is stored. */
  schedule<TId extends string>(request: ScheduleRequestFor<TTasks, TId>): Promise<void> {
    // Not an async function: on the hot path that would wrap the store's promise in one more.
    try {
      return this.scheduleOrThrow(request);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private scheduleOrThrow(request: ScheduleRequest): Promise<void> {
    this.assertOpen();
    const parsed = scheduleRequestSchema.safeParse(request);
    if (!parsed.success) throw ValidationError.fromZod(parsed.error);
    const { taskId, onConflict } = parsed.data;
    const definition = this.definitionFor(taskId);
    if (!definition) throw new ValidationError('taskId', `no task registered for ${taskId}`);
    const input = parseInput(definition, parsed.data.input);
    if (!input.success) throw ValidationError.fromZod(input.error, 'input');
    // The store keeps the input as given; a restart parses it again, so transforms and schema changes apply.
    const work: ScheduledWork = {
      request: toTaskRequest(parsed.data, parsed.data.input),
      input: input.data,
      run: definition.run,
    };
    const existing = this.live.get(taskId);
    if (existing && onConflict === 'keep') return this.persister.written();
    if (existing) existing.actor.send({ type: 'SCHEDULE', work });
    else this.spawn(taskId, { work });
    return this.persister.written();
  }

  /**
   * Runs `fn` now and resolves with its result. Pre-empts ("last call wins") any runNow,
   * pending request or running worker for the same TaskId.
   */
  runNow<TResult>(taskId: string, fn: InstantFn<TResult>, options: RunNowOptions = {}): Promise<TResult> {
    if (this.phase === 'stopped') return Promise.reject(new TaskCancelledError(taskId, 'shutdown'));
    if (this.phase !== 'started') return Promise.reject(new NotStartedError('runNow()'));
    const id = taskIdSchema.safeParse(taskId);
    if (!id.success) return Promise.reject(ValidationError.fromZod(id.error, 'taskId'));
    if (typeof fn !== 'function') return Promise.reject(new ValidationError('fn', 'must be a function'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new TaskCancelledError(taskId, 'cancelled'));

    return new Promise<TResult>((resolve, reject) => {
      const ticket = ++this.nextTicket;
      const entry = this.live.get(taskId) ?? this.spawn(taskId, {});
      const onAbort = () => entry.actor.send({ type: 'CALLER_ABORTED', ticket });
      const instant: InstantRun = {
        ticket,
        fn,
        settle: (outcome: Outcome) => {
          signal?.removeEventListener('abort', onAbort);
          if (outcome.ok) resolve(outcome.value as TResult);
          else reject(outcome.error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.actor.send({ type: 'RUN_NOW', instant });
    });
  }

  /** Cancels the TaskId's work and forgets its stored request; resolves once that is stored. */
  async cancel(taskId: string): Promise<void> {
    const id = taskIdSchema.safeParse(taskId);
    if (!id.success) throw ValidationError.fromZod(id.error, 'taskId');
    const entry = this.live.get(taskId);
    if (entry) entry.actor.send({ type: 'CANCEL', reason: 'cancelled' });
    else this.persister.delete(taskId); // stored but not restored yet (before start)
    return this.persister.written();
  }

  async cancelAll(): Promise<void> {
    for (const entry of [...this.live.values()]) entry.actor.send({ type: 'CANCEL', reason: 'cancelled' });
    return this.persister.written();
  }

  /** The task's current snapshot, a finished task's last one, or undefined. */
  getTask(taskId: string): TaskSnapshot | undefined {
    const entry = this.live.get(taskId);
    return entry ? this.viewOf(entry) : this.finished.get(taskId);
  }

  /** Every live task, then the finished ones still retained. */
  listTasks(): TaskSnapshot[] {
    const live = [...this.live.values()].map((entry) => this.viewOf(entry));
    const liveIds = new Set(this.live.keys());
    return [...live, ...[...this.finished.values()].filter((s) => !liveIds.has(s.taskId))];
  }

  /** Calls `listener` with each new snapshot (of one TaskId when given). Returns unsubscribe. */
  subscribe(listener: TaskListener, options: { taskId?: string } = {}): () => void {
    return this.listeners.add(listener, options.taskId);
  }

  /** The live XState actor for a TaskId, for devtools and hooks. */
  actorOf(taskId: string): TaskActor | undefined {
    return this.live.get(taskId)?.actor;
  }

  /** What the orchestrator noticed that needs a person: records quarantined at start, live counts. */
  diagnostics(): { quarantined: readonly QuarantinedRecord[]; liveTasks: number; runningWorkers: number } {
    return { quarantined: [...this.quarantined], liveTasks: this.live.size, runningWorkers: this.inflight.size };
  }

  /**
   * Runs `fn(signal)` in the background and returns at once. A throw or rejection is logged
   * with the helper's name; `signal` aborts on shutdown.
   */
  fireAndForget(fn: BackgroundFn, options?: BackgroundOptions): void {
    this.background.fireAndForget(fn, options);
  }

  /** Runs `fn(item, signal)` for every item, all concurrently, and returns at once. */
  fireAndForgetAll<T>(items: Iterable<T>, fn: BackgroundItemFn<T>, options?: BackgroundOptions): void {
    this.background.fireAndForgetAll(items, fn, options);
  }

  /**
   * Runs blocking work on a pool of worker threads and returns at once: `module` (absolute
   * path or file: URL) default-exports the function, called with a structured clone of
   * `input`. Shutdown terminates its thread.
   */
  fireAndForgetIO(module: IOWorkerModule, input?: unknown, options?: IOOptions): void {
    this.background.fireAndForgetIO(module, input, options);
  }

  /** Options for fireAndForgetIO's worker-thread pool; only before its first use. */
  configureIO(options: IOPoolOptions): void {
    this.background.configureIO(options);
  }

  /** Calls `fn(signal)` now and again `delayMs` after each call ends; a failure is logged and the loop goes on. */
  runForever(fn: BackgroundFn, delayMs: number, options?: BackgroundOptions): RunForeverHandle {
    return this.background.runForever(fn, delayMs, options);
  }

  /** An inbox whose messages `handler` takes one at a time, in arrival order. */
  serialActor<T>(handler: MessageHandler<T>, options?: MessageActorOptions<T>): MessageActor<T> {
    return this.background.serialActor(handler, options);
  }

  /** An inbox whose messages `handler` takes concurrently, at most `concurrency` at once when given. */
  parallelActor<T>(handler: MessageHandler<T>, options?: ParallelActorOptions<T>): MessageActor<T> {
    return this.background.parallelActor(handler, options);
  }

  /** Live background helpers, their unsettled calls and the worker threads alive. */
  backgroundDiagnostics(): BackgroundDiagnostics {
    return this.background.diagnostics();
  }

  /** The time on the orchestrator's clock (the simulated one in tests), in epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /** The conditions the platform reports now. */
  currentConditions(): Readonly<Conditions> {
    return this.conditions;
  }

  /**
   * Cancels everything with reason 'shutdown' (stored work stays stored), aborts running
   * workers and waits up to `timeoutMs` for them to settle.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.shutdownPromise ??= this.stop(options.timeoutMs ?? 10_000);
    return this.shutdownPromise;
  }

  private async stop(timeoutMs: number): Promise<void> {
    this.phase = 'stopped';
    this.unsubscribePlatform?.();
    this.unsubscribePlatform = null;
    for (const entry of [...this.live.values()]) entry.actor.send({ type: 'CANCEL', reason: 'shutdown' });
    await this.background.shutdown(this.inflight);
    if (this.inflight.size > 0) {
      let timer: unknown;
      const timedOut = new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...this.inflight]), timedOut]);
      this.clock.clearTimeout(timer);
      if (this.inflight.size > 0) this.logger.warn(`errand: ${this.inflight.size} worker(s) still running after shutdown timeout`);
    }
    await this.persister.written().catch(() => {});
    await this.store.close?.();
  }

  private assertOpen(): void {
    if (this.phase === 'stopped') throw new TaskCancelledError('(orchestrator)', 'shutdown');
  }

  /** 'email.send/42' runs the worker registered as 'email.send': one definition, many TaskIds. */
  private definitionFor(taskId: string): TaskDefinition | undefined {
    const slash = taskId.indexOf('/');
    return this.registry.get(taskId) ?? (slash > 0 ? this.registry.get(taskId.slice(0, slash)) : undefined);
  }

  private track(work: Promise<unknown>): void {
    this.inflight.add(work);
    const done = () => void this.inflight.delete(work);
    work.then(done, done);
  }

  private restore(record: TaskRecord): void {
    if (this.live.has(record.taskId)) return; // this process already scheduled newer work
    if (record.request.ephemeral) {
      this.persister.delete(record.taskId);
      return;
    }
    const definition = this.definitionFor(record.taskId);
    if (!definition) {
      this.logger.warn(`errand: stored work for unregistered task ${record.taskId} left in the store`);
      return;
    }
    const input = parseInput(definition, record.request.input);
    if (!input.success) {
      // Stored by an older version whose input the task no longer accepts: keep it, do not run it.
      const reason = `input no longer matches the task's schema: ${ValidationError.fromZod(input.error, 'input').message}`;
      this.quarantined.push({ key: record.taskId, reason });
      this.logger.warn(`errand: stored work for ${record.taskId} left in the store: ${reason}`);
      return;
    }
    // A record saved while running or constrained is due now (at-least-once); its attempt count stays.
    const dueNow = record.status === 'running' || record.status === 'constrained';
    this.spawn(record.taskId, {
      work: { request: record.request, input: input.data, run: definition.run },
      attempt: record.attempt,
      nextRunAt: dueNow ? this.clock.now() : (record.nextRunAt ?? this.clock.now()),
    });
  }

  private spawn(taskId: string, seed: Omit<TaskInput, 'taskId' | 'env'>): TaskEntry {
    const actor = createActor(taskMachine, {
      input: { taskId, env: this.env, ...seed },
      parent: this.systems.next(),
      id: taskId,
    });
    const entry: TaskEntry = { actor, record: null, view: null, viewFrom: null };
    this.live.set(taskId, entry);
    this.finished.delete(taskId);
    actor.subscribe(this.taskObserver);
    actor.start();
    return entry;
  }

  /**
   * One observer for every task actor (a closure per actor costs memory at 100k tasks).
   * XState binds `next` and `error` per subscription; methods (not arrow functions) keep those
   * bound functions small, since tools that rename functions (esbuild keepNames, as in tsx)
   * push `bind` onto its slow path, which gives every bound function its own property dictionary.
   */
  private readonly taskObserver = ((self: Orchestrator<TTasks>) => ({
    next(snapshot: TaskMachineSnapshot): void {
      self.onTransition(snapshot);
    },
    error(error: unknown): void {
      self.logger.error('errand: a task actor failed', error);
    },
  }))(this);

  private onTransition(snapshot: TaskMachineSnapshot): void {
    const status = snapshot.value;
    const { taskId, work } = snapshot.context;
    const entry = this.live.get(taskId);
    if (!entry) return;
    this.persist(entry, snapshot);
    if (status === 'constrained' || (status === 'running' && work && hasConstraints(work.request.constraints))) {
      this.watching.add(entry.actor);
    } else {
      this.watching.delete(entry.actor);
    }
    const final = snapshot.status === 'done';
    const wanted = this.listeners.wants(taskId);
    if (!final && !wanted) return; // nobody looks: derive nothing on the hot path
    const previous = entry.view;
    const view = this.viewOf(entry, snapshot);
    if (final) {
      this.live.delete(taskId);
      this.finished.set(view);
    }
    // Events that change nothing a TaskSnapshot shows (a stale result, the gate opening on a
    // waiting task) keep the same snapshot object and notify nobody.
    if (view !== previous && wanted) {
      this.listeners.notify(view, (error) => this.logger.error('errand: subscriber threw', error));
    }
  }

  private persist(entry: TaskEntry, snapshot: TaskMachineSnapshot): void {
    const status = snapshot.value;
    const { taskId, work, attempt, nextRunAt, cancelReason } = snapshot.context;
    if (work && PERSISTED.has(status)) {
      const last = entry.record;
      if (last && last.status === status && last.attempt === attempt && last.nextRunAt === nextRunAt && last.request === work.request) {
        return;
      }
      entry.record = {
        version: 1,
        taskId,
        request: work.request,
        attempt,
        nextRunAt,
        status: status as PersistedStatus,
        updatedAt: this.clock.now(),
      };
      this.persister.put(entry.record);
      return;
    }
    // Shutdown keeps stored work for the next start; everything else that ends forgets it.
    if (entry.record && !(status === 'cancelled' && cancelReason === 'shutdown')) {
      this.persister.delete(taskId);
    }
    entry.record = null;
  }

  private viewOf(entry: TaskEntry, snapshot: TaskMachineSnapshot = entry.actor.getSnapshot()): TaskSnapshot {
    if (entry.view && entry.viewFrom === snapshot) return entry.view;
    const next = toTaskSnapshot(snapshot);
    if (!entry.view || !sameTaskSnapshot(entry.view, next)) entry.view = next;
    entry.viewFrom = snapshot;
    return entry.view;
  }

  private onPlatformEvent(event: PlatformEvent): void {
    this.conditions = applyPlatformEvent(this.conditions, event);
    for (const actor of [...this.watching]) actor.send({ type: 'CONDITIONS_CHANGED' });
  }
}

/** A task's input through its schema (tasks without one take any input as is). */
function parseInput(definition: TaskDefinition, input: unknown): z.ZodSafeParseResult<unknown> {
  return definition.input ? definition.input.safeParse(input) : { success: true, data: input };
}

/** Creates an orchestrator; register tasks, then `start()`. */
export function createOrchestrator(options: OrchestratorOptions = {}): Orchestrator {
  return new Orchestrator(options);
}
