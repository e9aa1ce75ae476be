import type { Subscription } from 'xstate';
import type { TaskActor } from '../machines/task-machine.js';
import { awaitResult, ScheduledTask } from './activation/await-result.js';
import { InstantRuns } from './activation/instant-runs.js';
import type { TaskListener } from './activation/listeners.js';
import { SlicedClock } from './activation/sliced-clock.js';
import { parseTaskQuery, type TaskPage, type TaskQuery } from './activation/task-pages.js';
import { ActorSystemPool, type InspectObserver } from './actor-systems.js';
import { systemClock } from './core/clock.js';
import type { Conditions } from './core/conditions.js';
import { AlreadyStartedError, NotStartedError, TaskCancelledError, ValidationError } from './core/errors.js';
import type { QuarantinedRecord } from './core/ports.js';
import { Peers } from './coordination/peers.js';
import { taskIdSchema, type TaskRecord } from './core/schemas.js';
import type { InstantFn, ResultOptions, TaskHandle, TaskSnapshot, WorkerFn } from './core/types.js';
import { parseOrchestratorOptions, parseShutdownOptions, type OrchestratorOptions, type ShutdownOptions } from './core/options.js';
import type { InputSchema, TaskDefinition } from './define-task.js';
import { acceptRequest } from './persistence/accept-request.js';
import { workOf } from './persistence/task-records.js';
import { BackgroundApi } from './orchestrator-background.js';
import { assembleParts, type OrchestratorParts } from './orchestrator-parts.js';
import { shutDownParts } from './shutdown-sequence.js';
import { TaskRegistry } from './task-registry.js';
import type { OutputFor, ScheduleRequestFor, TaskMap } from './schedule-types.js';

export type { OutputFor, ScheduleRequestFor } from './schedule-types.js';
export type { TaskPage, TaskQuery } from './activation/task-pages.js';
export type { OrchestratorOptions, ShutdownOptions } from './core/options.js';

export interface RunNowOptions {
  /** Aborting it cancels the work and rejects with TaskCancelledError('cancelled'). */
  signal?: AbortSignal;
}

type Phase = 'created' | 'starting' | 'started' | 'stopped';

/**
 * Where this orchestrator stands among contexts sharing its store (`coordinator`): the leader runs
 * stored work; a follower forwards schedule/cancel/reads to it and runs only its own runNow calls.
 * Without a coordinator, a started orchestrator is always the leader.
 */
export type OrchestratorRole = 'not-started' | 'leader' | 'follower' | 'stopped';

/**
 * Runs scheduled and instant work, one XState actor per active TaskId. The store is the source
 * of truth: `schedule()` writes a record and the work goes live once it is durable; a task with
 * nothing to do soon is only its record, activated by one wake-up timer when it falls due.
 */
// No tasks known to the type yet: TaskIds outside the map accept any input (checked at run time).
export class Orchestrator<TTasks extends TaskMap = Record<never, never>> extends BackgroundApi {
  private readonly registry = new TaskRegistry();
  private readonly definitionFor = this.registry.definitionFor;
  private readonly parts: OrchestratorParts;
  private readonly systems: ActorSystemPool;
  private readonly instant: InstantRuns;
  /** The other contexts sharing the store (with a `coordinator`), else null. */
  private readonly peers: Peers | null;
  private phase: Phase = 'created';
  /** The ready gate is open and stored work runs here (always, once started, without a coordinator). */
  private leading = false;
  private opening: Promise<void> | null = null;
  private shutdownPromise: Promise<void> | null = null;

  constructor(given: OrchestratorOptions = {}) {
    const options = parseOrchestratorOptions(given);
    const systems = new ActorSystemPool({ clock: new SlicedClock(options.clock ?? systemClock), inspect: options.inspect });
    super(systems, options.logger);
    this.systems = systems;
    this.parts = assembleParts(options, systems, this.registry, {
      started: () => this.phase === 'started' && this.leading,
      stopped: () => this.phase === 'stopped',
      openStore: () => this.openStore(),
    });
    this.instant = new InstantRuns(this.parts.calls, this.parts.tasks);
    this.peers = options.coordinator
      ? new Peers({
          port: options.coordinator,
          logger: options.logger,
          retainFinished: options.retainFinished,
          tasks: this.parts.tasks,
          calls: this.parts.calls,
          definitionFor: this.definitionFor,
          getTask: (taskId) => this.getTask(taskId),
          peekTasks: () => this.peekTasks(),
          started: () => this.phase === 'started',
          promoted: () => void this.promote(),
        })
      : null;
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
    let leading: boolean;
    try {
      await this.openStore();
      leading = this.peers ? await this.peers.campaign() : true;
      if (leading) await this.releaseHeld();
    } catch (error) {
      // The gate stays closed and start() may be called again (say, once the store file is fixed).
      if (this.phase === 'starting') this.phase = 'created';
      throw error;
    }
    if (this.phase !== 'starting') return; // shut down while starting
    this.phase = 'started';
    if (leading) await this.lead();
    else void this.peers?.refresh();
  }

  /** See OrchestratorRole. */
  role(): OrchestratorRole {
    if (this.phase === 'stopped') return 'stopped';
    if (this.phase !== 'started') return 'not-started';
    return this.leading ? 'leader' : 'follower';
  }

  /** Held records whose task can now run (registered since, or its schema accepts them again) are released. */
  private async releaseHeld(): Promise<void> {
    if (this.phase !== 'starting' && this.phase !== 'started') return;
    const held = await this.parts.store.held();
    this.parts.findings.quarantined(held.quarantined);
    for (const record of held.records) this.reconsiderHeld(record);
    await this.parts.persister.written();
  }

  /** Opens the ready gate: stored work runs here from now on. */
  private async lead(): Promise<void> {
    this.leading = true;
    this.peers?.lead();
    this.parts.tasks.openGate();
    await this.parts.wakeUp.scan();
  }

  /** Leadership came after start() (the leader tab closed or crashed). */
  private async promote(): Promise<void> {
    if (this.phase !== 'started') return;
    try {
      await this.releaseHeld();
    } catch (error) {
      this.parts.logger.error('errand: reading held records on taking over failed', error);
    }
    if (this.phase === 'started') await this.lead();
  }

  /**
   * Reads the store for due work now and activates it, as the wake-up timer would: for an OS
   * wake-up (a phone's background fetch) or a host's resume from sleep, when timers may have slept
   * through due times. Resolves once that work is active; does nothing unless this context leads.
   */
  async wake(): Promise<void> {
    if (this.phase === 'started' && this.leading) await this.parts.wakeUp.scan();
  }

  /**
   * Holds scheduled work in this process until `resume()`: running scheduled workers are aborted
   * through their signal (that attempt does not count; the work runs again after `resume()`), and
   * work that falls due waits in `constrained` with `unmetConstraints` ['paused', ...]. Nothing stored
   * changes, and `runNow` is not held. For a host about to be suspended (a phone's OS wake-up whose
   * time is up). Under an engine this process takes no job while paused. Returns false when already paused.
   */
  pause(): boolean {
    return this.parts.pause.set(true);
  }

  /** Lets paused work run again (what is due starts now). Returns false when it was not paused. */
  resume(): boolean {
    return this.parts.pause.set(false);
  }

  /** True between `pause()` and `resume()`. */
  get paused(): boolean {
    return this.parts.pause.paused;
  }

  /**
   * Schedules work for a registered task; resolves once the request is durable in the store, with
   * a handle whose `result()` awaits how the work ends (typed by the task's worker).
   */
  schedule<TId extends string>(request: ScheduleRequestFor<TTasks, TId>): Promise<TaskHandle<OutputFor<TTasks, TId>>> {
    // Not an async function: on the hot path that would wrap the store's promise in one more.
    try {
      if (this.phase === 'stopped') throw new TaskCancelledError('(orchestrator)', 'shutdown');
      const accepted = acceptRequest(request, this.definitionFor, this.parts.clock.now());
      const { taskId } = accepted.record;
      const runsBefore = this.parts.tasks.get(taskId)?.actor.getSnapshot().context.runCount ?? 0;
      const handle = new ScheduledTask<OutputFor<TTasks, TId>>(taskId, this.waitForResult, runsBefore);
      if (this.peers?.following) return this.peers.schedule(accepted).then(() => handle);
      return accepted.onConflict === 'keep' ? this.parts.calls.scheduleIfAbsent(accepted, handle) : this.parts.calls.commit(accepted, handle);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Resolves with the worker's value when the TaskId's work next ends ok, or rejects with
   * WorkFailedError / TaskCancelledError. Work that already ended resolves from the finished tasks
   * retained (`retainFinished`); with nothing active, stored or retained, rejects with ResultUnavailableError.
   * Periodic work: settles when its current (or next) run ends.
   */
  result<TId extends string>(taskId: TId, options: ResultOptions = {}): Promise<OutputFor<TTasks, TId>> {
    const id = taskIdSchema.safeParse(taskId);
    if (!id.success) return Promise.reject(ValidationError.fromZod(id.error, 'taskId'));
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(new ValidationError('signal', 'must be an AbortSignal'));
    return this.waitForResult(taskId, signal) as Promise<OutputFor<TTasks, TId>>;
  }

  private readonly waitForResult = (taskId: string, signal?: AbortSignal, runsBefore?: number): Promise<unknown> =>
    awaitResult({ tasks: this.parts.tasks, calls: this.parts.calls, stopped: () => this.phase === 'stopped' }, taskId, signal, runsBefore);

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

    // Across contexts, last call wins too: the leader drops its scheduled work, other runNow calls stop.
    this.peers?.claim(taskId);
    return this.instant.run(taskId, fn, signal, this.leading && this.definitionFor(taskId) !== undefined);
  }

  /** Cancels the TaskId's work, active or dormant, and forgets its stored request; resolves once that is stored. */
  cancel(taskId: string): Promise<void> {
    const id = taskIdSchema.safeParse(taskId);
    if (!id.success) return Promise.reject(ValidationError.fromZod(id.error, 'taskId'));
    // After shutdown the store is closed: stored work stays as it is, for the next start.
    if (this.phase === 'stopped') return Promise.reject(new TaskCancelledError(taskId, 'shutdown'));
    if (this.peers?.following) return this.peers.cancel(taskId);
    return this.parts.calls.cancel(taskId);
  }

  /** Cancels every task, active and dormant (a store with many records is deleted page by page). */
  cancelAll(): Promise<void> {
    if (this.phase === 'stopped') return Promise.reject(new TaskCancelledError('(orchestrator)', 'shutdown'));
    if (this.peers?.following) return this.peers.cancelAll();
    return this.parts.calls.cancelAll();
  }

  /** The task's snapshot: active or finished in this process, else read from the store (dormant), else undefined. */
  async getTask<TId extends string>(taskId: TId): Promise<TaskSnapshot<OutputFor<TTasks, TId>> | undefined> {
    if (this.peers?.following && !this.parts.tasks.get(taskId)) return (await this.peers.get(taskId)) as TaskSnapshot<OutputFor<TTasks, TId>> | undefined;
    // A finished TaskId that is scheduled again is forgotten among the finished ones.
    return this.peekTask(taskId) ?? (this.parts.calls.dormant(taskId) as Promise<TaskSnapshot<OutputFor<TTasks, TId>> | undefined>);
  }

  /** Without reading the store: an active task's snapshot, or a finished one's still retained. */
  peekTask<TId extends string>(taskId: TId): TaskSnapshot<OutputFor<TTasks, TId>> | undefined {
    const entry = this.parts.tasks.get(taskId);
    const view = entry ? this.parts.tasks.viewOf(entry) : (this.peers?.view.get(taskId) ?? this.parts.tasks.finished.get(taskId));
    // The outcome's value came from this TaskId's worker, whose type the task map records.
    return view as TaskSnapshot<OutputFor<TTasks, TId>> | undefined;
  }

  /** Without reading the store: every active task, then the finished ones still retained. */
  peekTasks(): TaskSnapshot[] {
    const active = this.parts.tasks.entries().map((entry) => this.parts.tasks.viewOf(entry));
    const shown = new Set(active.map((s) => s.taskId));
    const remote = [...(this.peers?.view.values() ?? [])].filter((s) => !shown.has(s.taskId));
    for (const s of remote) shown.add(s.taskId);
    return [...active, ...remote, ...[...this.parts.tasks.finished.values()].filter((s) => !shown.has(s.taskId))];
  }

  /** One page of tasks, active, dormant and finished, in TaskId order, filtered as asked. */
  async listTasks(query: TaskQuery = {}): Promise<TaskPage> {
    const parsed = parseTaskQuery(query);
    if (this.peers?.following) return this.peers.list(parsed);
    return this.parts.calls.list(parsed, () => this.peekTasks());
  }

  /** Calls `listener` with each new snapshot (of one TaskId when given, which keeps that task active). Returns unsubscribe. */
  subscribe(listener: TaskListener, options: { taskId?: string } = {}): () => void {
    const { taskId } = options;
    const unsubscribe = this.parts.tasks.listeners.add(listener, taskId);
    if (taskId === undefined) return unsubscribe;
    this.parts.tasks.pin(taskId);
    // A follower's view of the TaskId comes from the leader's changes; only the leader activates it.
    if (!this.peers?.following) this.parts.calls.observe(taskId);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      this.parts.tasks.unpin(taskId);
    };
  }

  /**
   * Watches every actor of this orchestrator (tasks and helpers) through XState's inspection
   * events, from now until unsubscribed: what devtools attach when opened. Nothing is built
   * for inspection while no observer (and no `inspect` option) is there.
   */
  inspect(observer: InspectObserver): Subscription {
    return this.systems.inspect(observer);
  }

  /** The XState actor of an active TaskId, for devtools and hooks (`subscribe({ taskId })` activates one). */
  actorOf(taskId: string): TaskActor | undefined {
    return this.parts.tasks.get(taskId)?.actor;
  }

  /** What needs a person: records quarantined or held (kept, not run), and what is active and running now. */
  diagnostics(): { quarantined: readonly QuarantinedRecord[]; held: readonly QuarantinedRecord[]; liveTasks: number; runningWorkers: number } {
    return { ...this.parts.findings.report(), liveTasks: this.parts.tasks.size, runningWorkers: this.parts.inflight.size };
  }

  /** The time on the orchestrator's clock (the simulated one in tests), in epoch ms. */
  now(): number {
    return this.parts.clock.now();
  }

  /** The conditions the platform reports now. */
  currentConditions(): Readonly<Conditions> {
    return this.parts.platform.conditions;
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
    this.phase = 'stopped';
    // Tasks cancelled by this shutdown stay stored for the next leader: other contexts must not see them end.
    this.peers?.stopPosting();
    // Leadership is given up only once this context's last writes are stored, so the next leader reads them.
    this.shutdownPromise ??= shutDownParts(this.parts, () => this.shutdownBackground(this.parts.inflight), timeoutMs).finally(() =>
      this.peers?.close(),
    );
    return this.shutdownPromise;
  }

  private openStore(): Promise<void> {
    const { store } = this.parts;
    const { peers } = this;
    this.opening ??= (peers ? peers.openSession((keepEphemeral) => store.open({ keepEphemeral })) : store.open()).catch((error: unknown) => {
      this.opening = null; // a later call may try again
      throw error;
    });
    return this.opening;
  }

  /** A held record whose task can run now (registered since, or its schema accepts it again) is released. */
  private reconsiderHeld(record: TaskRecord): void {
    const definition = this.definitionFor(record.taskId);
    if (definition && !('held' in workOf(record, definition))) {
      void this.parts.persister.put({ ...record, held: null, updatedAt: this.parts.clock.now() }).catch(() => {});
    } else {
      this.parts.findings.held(record.taskId, record.held ?? 'held');
    }
  }
}

/** Creates an orchestrator; register tasks, then `start()`. */
export function createOrchestrator(options: OrchestratorOptions = {}): Orchestrator {
  return new Orchestrator(options);
}
