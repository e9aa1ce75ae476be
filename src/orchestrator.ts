import { memoryStore } from '../adapters/stores/memory-store.js';
import type { TaskEnvironment } from '../machines/task-environment.js';
import type { InstantRun, TaskActor } from '../machines/task-machine.js';
import { Activations } from './activation/activations.js';
import type { TaskListener } from './activation/listeners.js';
import { TaskCalls } from './activation/task-calls.js';
import { SlicedClock } from './activation/sliced-clock.js';
import { parseTaskQuery, type TaskPage, type TaskQuery } from './activation/task-pages.js';
import { WakeUp } from './activation/wake-up.js';
import { ActorSystemPool } from './actor-systems.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Conditions } from './core/conditions.js';
import { AlreadyStartedError, NotStartedError, TaskCancelledError, ValidationError } from './core/errors.js';
import type { QuarantinedRecord, StorePort } from './core/ports.js';
import { taskIdSchema, type TaskRecord } from './core/schemas.js';
import type { InstantFn, Logger, Outcome, TaskSnapshot, WorkerFn } from './core/types.js';
import { parseOrchestratorOptions, parseShutdownOptions, type OrchestratorOptions, type ShutdownOptions } from './core/options.js';
import type { InputSchema, TaskDefinition } from './define-task.js';
import { acceptRequest } from './persistence/accept-request.js';
import { PlatformLink } from './platform-link.js';
import { StoreFindings } from './store-findings.js';
import { TaskRegistry } from './task-registry.js';
import { Persister } from './persistence/persister.js';
import { workOf } from './persistence/task-records.js';
import { BackgroundApi } from './orchestrator-background.js';
import { shutdownDeadline } from './shutdown-deadline.js';
import type { ScheduleRequestFor, TaskMap } from './schedule-types.js';

export type { ScheduleRequestFor } from './schedule-types.js';
export type { TaskPage, TaskQuery } from './activation/task-pages.js';
export type { OrchestratorOptions, ShutdownOptions } from './core/options.js';

export interface RunNowOptions {
  /** Aborting it cancels the work and rejects with TaskCancelledError('cancelled'). */
  signal?: AbortSignal;
}

type Phase = 'created' | 'starting' | 'started' | 'stopped';

/**
 * Runs scheduled and instant work, one XState actor per active TaskId. The store is the source
 * of truth: `schedule()` writes a record and the work goes live once it is durable; a task with
 * nothing to do soon is only its record, activated by one wake-up timer when it falls due.
 */
// No tasks known to the type yet: TaskIds outside the map accept any input (checked at run time).
export class Orchestrator<TTasks extends TaskMap = Record<never, never>> extends BackgroundApi {
  private readonly registry = new TaskRegistry();
  private readonly definitionFor = this.registry.definitionFor;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly store: StorePort;
  private readonly findings: StoreFindings;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly persister: Persister;
  private readonly tasks: Activations;
  private readonly wakeUp: WakeUp;
  private readonly calls: TaskCalls;
  private readonly platform: PlatformLink;
  private phase: Phase = 'created';
  private opening: Promise<void> | null = null;
  private shutdownPromise: Promise<void> | null = null;
  private nextTicket = 0;

  constructor(given: OrchestratorOptions = {}) {
    const options = parseOrchestratorOptions(given);
    const clock = options.clock ?? systemClock;
    const logger = options.logger;
    const systems = new ActorSystemPool({ clock: new SlicedClock(clock), inspect: options.inspect });
    super(systems, logger);
    this.clock = clock;
    this.logger = logger;
    this.findings = new StoreFindings(logger);
    this.store = options.store ?? memoryStore();
    this.persister = new Persister(this.store, () => this.openStore(), logger);
    const horizonMs = options.activationHorizonMs;
    const random = options.random;
    const env: TaskEnvironment = {
      now: () => clock.now(),
      conditions: () => this.platform.conditions,
      gateOpen: () => this.phase === 'started',
      random,
      track: (work) => void this.inflight.add(work),
      untrack: (work) => void this.inflight.delete(work),
    };
    this.tasks = new Activations({
      env,
      systems,
      persister: this.persister,
      logger,
      horizonMs,
      retainFinished: options.retainFinished,
      definitionFor: this.definitionFor,
      held: (taskId, reason) => this.findings.held(taskId, reason),
      wentDormant: (dueAt) => this.wakeUp.dormantAt(dueAt),
    });
    this.calls = new TaskCalls({
      store: this.store,
      persister: this.persister,
      tasks: this.tasks,
      wakeUp: { dormantAt: (dueAt) => this.wakeUp.dormantAt(dueAt) },
      logger,
      open: () => this.openStore(),
      quarantined: (items) => this.findings.quarantined(items),
      stopped: () => this.phase === 'stopped',
    });
    this.wakeUp = new WakeUp({
      store: this.store,
      clock,
      logger,
      horizonMs,
      ops: this.calls.ops,
      flushed: () => this.persister.written(),
      isActive: (taskId) => this.calls.isActive(taskId),
      activate: (record) => this.calls.activate(record),
      quarantined: (items) => this.findings.quarantined(items),
      running: () => this.phase === 'started',
    });
    this.platform = new PlatformLink(options.platform, () => {
      for (const actor of this.tasks.watchers()) actor.send({ type: 'CONDITIONS_CHANGED' });
    });
  }

  /** Registers a task definition (or a TaskId and its worker). Only before `start()`. */
  register<TId extends string, TSchema extends InputSchema, TOutput>(
    definition: TaskDefinition<TId, TSchema, TOutput>,
  ): Orchestrator<TTasks & Record<TId, TaskDefinition<TId, TSchema, TOutput>>>;
  register<TId extends string>(taskId: TId, run: WorkerFn): Orchestrator<TTasks & Record<TId, TaskDefinition<TId, InputSchema>>>;
  register(definitionOrId: TaskDefinition | string, run?: WorkerFn): unknown {
    if (this.phase !== 'created') throw new AlreadyStartedError('register()');
    this.registry.add(definitionOrId, run);
    return this;
  }

  /**
   * Opens the store (erasing ephemeral records of earlier processes), releases held records whose
   * task can now run, opens the ready gate, and resolves once the work that is due has been activated.
   */
  async start(): Promise<void> {
    if (this.phase !== 'created') throw new AlreadyStartedError('start()');
    this.phase = 'starting';
    try {
      await this.openStore();
      const held = this.phase === 'starting' ? await this.store.held() : null;
      if (held) {
        this.findings.quarantined(held.quarantined);
        for (const record of held.records) this.reconsiderHeld(record);
        await this.persister.written();
      }
    } catch (error) {
      // The gate stays closed and start() may be called again (say, once the store file is fixed).
      if (this.phase === 'starting') this.phase = 'created';
      throw error;
    }
    if (this.phase !== 'starting') return; // shut down while starting
    this.phase = 'started';
    for (const entry of this.tasks.entries()) entry.actor.send({ type: 'GATE_OPENED' });
    await this.wakeUp.scan();
  }

  /** Schedules work for a registered task; resolves once the request is durable in the store. */
  schedule<TId extends string>(request: ScheduleRequestFor<TTasks, TId>): Promise<void> {
    // Not an async function: on the hot path that would wrap the store's promise in one more.
    try {
      if (this.phase === 'stopped') throw new TaskCancelledError('(orchestrator)', 'shutdown');
      const accepted = acceptRequest(request, this.definitionFor, this.clock.now());
      return accepted.onConflict === 'keep' ? this.calls.scheduleIfAbsent(accepted) : this.calls.commit(accepted);
    } catch (error) {
      return Promise.reject(error);
    }
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
      this.calls.takeOver(taskId, this.definitionFor(taskId) !== undefined);
      const entry = this.tasks.get(taskId) ?? this.tasks.spawn(taskId, {});
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

  /** Cancels the TaskId's work, active or dormant, and forgets its stored request; resolves once that is stored. */
  cancel(taskId: string): Promise<void> {
    const id = taskIdSchema.safeParse(taskId);
    if (!id.success) return Promise.reject(ValidationError.fromZod(id.error, 'taskId'));
    // After shutdown the store is closed: stored work stays as it is, for the next start.
    if (this.phase === 'stopped') return Promise.reject(new TaskCancelledError(taskId, 'shutdown'));
    return this.calls.cancel(taskId);
  }

  /** Cancels every task, active and dormant (a store with many records is deleted page by page). */
  cancelAll(): Promise<void> {
    if (this.phase === 'stopped') return Promise.reject(new TaskCancelledError('(orchestrator)', 'shutdown'));
    return this.calls.cancelAll();
  }

  /** The task's snapshot: active or finished in this process, else read from the store (dormant), else undefined. */
  async getTask(taskId: string): Promise<TaskSnapshot | undefined> {
    // A finished TaskId that is scheduled again is forgotten among the finished ones.
    return this.peekTask(taskId) ?? this.calls.dormant(taskId);
  }

  /** Without reading the store: an active task's snapshot, or a finished one's still retained. */
  peekTask(taskId: string): TaskSnapshot | undefined {
    const entry = this.tasks.get(taskId);
    return entry ? this.tasks.viewOf(entry) : this.tasks.finished.get(taskId);
  }

  /** Without reading the store: every active task, then the finished ones still retained. */
  peekTasks(): TaskSnapshot[] {
    const active = this.tasks.entries().map((entry) => this.tasks.viewOf(entry));
    return [...active, ...[...this.tasks.finished.values()].filter((s) => !this.tasks.get(s.taskId))];
  }

  /** One page of tasks, active, dormant and finished, in TaskId order, filtered as asked. */
  async listTasks(query: TaskQuery = {}): Promise<TaskPage> {
    return this.calls.list(parseTaskQuery(query), () => this.peekTasks());
  }

  /** Calls `listener` with each new snapshot (of one TaskId when given, which keeps that task active). Returns unsubscribe. */
  subscribe(listener: TaskListener, options: { taskId?: string } = {}): () => void {
    const { taskId } = options;
    const unsubscribe = this.tasks.listeners.add(listener, taskId);
    if (taskId === undefined) return unsubscribe;
    this.tasks.pin(taskId);
    this.calls.observe(taskId);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      this.tasks.unpin(taskId);
    };
  }

  /** The XState actor of an active TaskId, for devtools and hooks (`subscribe({ taskId })` activates one). */
  actorOf(taskId: string): TaskActor | undefined {
    return this.tasks.get(taskId)?.actor;
  }

  /** What needs a person: records quarantined or held (kept, not run), and what is active and running now. */
  diagnostics(): { quarantined: readonly QuarantinedRecord[]; held: readonly QuarantinedRecord[]; liveTasks: number; runningWorkers: number } {
    return { ...this.findings.report(), liveTasks: this.tasks.size, runningWorkers: this.inflight.size };
  }

  /** The time on the orchestrator's clock (the simulated one in tests), in epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /** The conditions the platform reports now. */
  currentConditions(): Readonly<Conditions> {
    return this.platform.conditions;
  }

  /**
   * Cancels everything with reason 'shutdown' (stored work stays stored), aborts running workers
   * and settles within `timeoutMs` whatever workers, the store or the platform do.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    let timeoutMs: number;
    try {
      timeoutMs = parseShutdownOptions(options).timeoutMs;
    } catch (error) {
      return Promise.reject(error);
    }
    this.shutdownPromise ??= this.stop(timeoutMs);
    return this.shutdownPromise;
  }

  private async stop(timeoutMs: number): Promise<void> {
    this.phase = 'stopped';
    this.wakeUp.stop();
    this.platform.close(this.logger);
    for (const entry of this.tasks.entries()) entry.actor.send({ type: 'CANCEL', reason: 'shutdown' });
    const deadline = shutdownDeadline(this.clock, timeoutMs);
    try {
      await deadline.race(this.shutdownBackground(this.inflight));
      if (this.inflight.size > 0 && !(await deadline.race(Promise.allSettled([...this.inflight])))) {
        this.logger.warn(`errand: ${this.inflight.size} worker(s) still running after shutdown timeout`);
      }
      if (!(await deadline.race(this.persister.written().catch(() => {})))) this.logger.warn('errand: store writes still pending after shutdown timeout');
      if (!(await deadline.race(Promise.resolve(this.store.close?.()).catch((error: unknown) => this.logger.error('errand: closing the store failed', error))))) {
        this.logger.warn('errand: the store did not close before the shutdown timeout');
      }
    } finally {
      deadline.clear();
    }
  }

  private openStore(): Promise<void> {
    this.opening ??= this.store.open().catch((error: unknown) => {
      this.opening = null; // a later call may try again
      throw error;
    });
    return this.opening;
  }

  /** A held record whose task can run now (registered since, or its schema accepts it again) is released. */
  private reconsiderHeld(record: TaskRecord): void {
    const definition = this.definitionFor(record.taskId);
    if (definition && !('held' in workOf(record, definition))) {
      void this.persister.put({ ...record, held: null, updatedAt: this.clock.now() }).catch(() => {});
    } else {
      this.findings.held(record.taskId, record.held ?? 'held');
    }
  }
}

/** Creates an orchestrator; register tasks, then `start()`. */
export function createOrchestrator(options: OrchestratorOptions = {}): Orchestrator {
  return new Orchestrator(options);
}
