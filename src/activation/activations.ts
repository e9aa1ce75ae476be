import { createActor, type AnyActorRef } from 'xstate';
import type { TaskEnvironment } from '../../machines/task-environment.js';
import { taskMachine, type TaskActor, type TaskInput, type TaskMachineSnapshot } from '../../machines/task-machine.js';
import type { ActorSystemPool } from '../actor-systems.js';
import { hasConstraints } from '../core/conditions.js';
import type { TaskRecord } from '../core/schemas.js';
import type { Logger, TaskSnapshot } from '../core/types.js';
import type { TaskDefinition } from '../define-task.js';
import { FinishedTasks, TaskListeners } from './listeners.js';
import { ResultWaiters } from './result-waiters.js';
import type { Persister } from '../persistence/persister.js';
import type { WorkerSlots } from './worker-slots.js';
import { activationOf, recordOf, sameRecord, workOf } from '../persistence/task-records.js';
import { sameTaskSnapshot, toTaskSnapshot } from './task-snapshot.js';

/** One active TaskId: its actor, what the store last got from it, and its public view. */
export interface TaskEntry {
  readonly actor: TaskActor;
  /** The host that parents it (and alone may stop it). */
  readonly parent: AnyActorRef;
  /** The record last written (or known to be stored), to skip writes that change nothing. */
  record: TaskRecord | null;
  /** The public snapshot last derived, and the machine snapshot it was derived from. */
  view: TaskSnapshot | null;
  viewFrom: TaskMachineSnapshot | null;
}

export interface ActivationsDeps {
  env: TaskEnvironment;
  slots: Pick<WorkerSlots, 'limited'>;
  systems: ActorSystemPool;
  persister: Persister;
  logger: Logger;
  retainFinished: number;
  /** How close to its due time a task is active; further out it is passivated to its record. */
  horizonMs: number;
  definitionFor(taskId: string): TaskDefinition | undefined;
  /** A stored record errand cannot run was held (kept, reported, never due). */
  held(taskId: string, reason: string): void;
  /** A task went dormant (its record says when it is due): the wake-up must come by then. */
  wentDormant(record: TaskRecord): void;
  /** A task ended, done or cancelled, other than by shutdown (an engine ends its job). */
  ended?(snapshot: TaskSnapshot): void;
}

/**
 * The active TaskIds: one XState actor each while a task runs, is due within the horizon, waits
 * for conditions, or is observed. Everything else lives only in the store (virtual actors, as in
 * Orleans): an actor is spawned from the record when the task is activated, and stopped once its
 * record is written when it goes dormant again. Also keeps the views, finished tasks and listeners.
 */
export class Activations {
  private readonly live = new Map<string, TaskEntry>();
  readonly finished: FinishedTasks;
  readonly listeners = new TaskListeners();
  readonly results = new ResultWaiters(this.listeners);
  /** Periodic tasks passivated after a run: that run's snapshot (bounded like the finished ones). */
  readonly lastRuns: FinishedTasks;
  /** Observers per TaskId (`subscribe({ taskId })`, hooks): observed tasks stay active. */
  private readonly pins = new Map<string, number>();
  /** Tasks whose state depends on conditions right now (constrained, or running with constraints). */
  private readonly watching = new Set<TaskActor>();

  constructor(private readonly deps: ActivationsDeps) {
    this.finished = new FinishedTasks(deps.retainFinished);
    this.lastRuns = new FinishedTasks(deps.retainFinished);
  }

  get size(): number {
    return this.live.size;
  }

  get(taskId: string): TaskEntry | undefined {
    return this.live.get(taskId);
  }

  entries(): TaskEntry[] {
    return [...this.live.values()];
  }

  /**
   * Tells every active task the ready gate is open (`start()`). Under a worker limit the earliest
   * due go first, so the first free slots go to them; without one the order does not matter.
   */
  openGate(): void {
    let entries = this.entries();
    if (this.deps.slots.limited()) {
      const byDue = entries.map((entry) => ({ entry, due: entry.actor.getSnapshot().context.nextRunAt ?? Infinity }));
      byDue.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0)); // stable: ties keep schedule order
      entries = byDue.map(({ entry }) => entry);
    }
    for (const entry of entries) entry.actor.send({ type: 'GATE_OPENED' });
  }

  /** Due within the horizon (or observed): such work is activated, not left dormant. */
  activeAt(taskId: string, dueAt: number): boolean {
    return dueAt <= this.deps.env.now() + this.deps.horizonMs || this.pins.has(taskId);
  }

  /** Starts an actor for the TaskId; `record` is what the store already holds for it. */
  spawn(taskId: string, seed: Omit<TaskInput, 'taskId' | 'env'>, record: TaskRecord | null = null): TaskEntry {
    const parent = this.deps.systems.next();
    const actor = createActor(taskMachine, { input: { taskId, env: this.deps.env, ...seed }, parent, id: taskId });
    const entry: TaskEntry = { actor, parent, record, view: null, viewFrom: null };
    this.live.set(taskId, entry);
    this.finished.delete(taskId);
    actor.subscribe(this.taskObserver);
    actor.start();
    return entry;
  }

  /**
   * Activates a stored record: its actor starts in the state the record says. A record errand
   * cannot run (its task is not registered, its input no longer parses) is held: kept, reported,
   * and never due. Returns false when held.
   */
  activate(record: TaskRecord): boolean {
    const definition = this.deps.definitionFor(record.taskId);
    const work = definition ? workOf(record, definition) : { held: `no task registered for ${record.taskId}` };
    if ('held' in work) {
      this.hold(record, work.held);
      return false;
    }
    this.spawn(record.taskId, activationOf(record, work, this.deps.env.now()), record);
    return true;
  }

  hold(record: TaskRecord, reason: string): void {
    this.deps.held(record.taskId, reason);
    this.deps.logger.warn(`errand: stored work for ${record.taskId} is kept but not run: ${reason}`);
    void this.deps.persister.put({ ...record, held: reason, updatedAt: this.deps.env.now() }).catch(() => {});
  }

  pinned(taskId: string): boolean {
    return this.pins.has(taskId);
  }

  pin(taskId: string): void {
    this.pins.set(taskId, (this.pins.get(taskId) ?? 0) + 1);
  }

  unpin(taskId: string): void {
    const count = (this.pins.get(taskId) ?? 0) - 1;
    if (count > 0) {
      this.pins.set(taskId, count);
      return;
    }
    this.pins.delete(taskId);
    const entry = this.live.get(taskId);
    if (entry) this.passivateIfDormant(entry, entry.actor.getSnapshot());
  }

  /** The current public snapshot of an active task. */
  viewOf(entry: TaskEntry, snapshot: TaskMachineSnapshot = entry.actor.getSnapshot()): TaskSnapshot {
    if (entry.view && entry.viewFrom === snapshot) return entry.view;
    const next = toTaskSnapshot(snapshot);
    if (!entry.view || !sameTaskSnapshot(entry.view, next)) entry.view = next;
    entry.viewFrom = snapshot;
    return entry.view;
  }

  /** Tells listeners about a change of a task that has no actor (a dormant write, a dormant cancel). */
  notifyDormant(snapshot: TaskSnapshot): void {
    if (snapshot.status === 'cancelled' || snapshot.status === 'done') this.finished.set(snapshot);
    else this.finished.delete(snapshot.taskId);
    if (this.listeners.wants(snapshot.taskId)) this.notify(snapshot);
  }

  /** Actors whose state depends on the platform's conditions. */
  watchers(): TaskActor[] {
    return [...this.watching];
  }

  /**
   * One observer for every task actor (a closure per actor costs memory at 100k tasks).
   * XState binds `next` and `error` per subscription; methods (not arrow functions) keep those
   * bound functions small, since tools that rename functions (esbuild keepNames, as in tsx)
   * push `bind` onto its slow path, which gives every bound function its own property dictionary.
   */
  private readonly taskObserver = ((self: Activations) => ({
    next(snapshot: TaskMachineSnapshot): void {
      self.onTransition(snapshot);
    },
    error(error: unknown): void {
      self.deps.logger.error('errand: a task actor failed', error);
    },
  }))(this);

  private onTransition(snapshot: TaskMachineSnapshot): void {
    const status = snapshot.value;
    const { taskId, work } = snapshot.context;
    const entry = this.live.get(taskId);
    if (!entry || snapshot.status === 'stopped') return; // the last word of a passivated actor
    this.persist(entry, snapshot);
    if (status === 'constrained' || (status === 'running' && work && hasConstraints(work.request.constraints))) {
      this.watching.add(entry.actor);
    } else {
      this.watching.delete(entry.actor);
    }
    const final = snapshot.status === 'done';
    const wanted = this.listeners.wants(taskId);
    if (final || wanted) {
      const previous = entry.view;
      const view = this.viewOf(entry, snapshot);
      if (final) {
        this.live.delete(taskId);
        this.deps.systems.release(entry.parent);
        this.finished.set(view);
        if (snapshot.context.cancelReason !== 'shutdown') this.deps.ended?.(view);
      }
      // Events that change nothing a TaskSnapshot shows (a stale result, the gate opening on a
      // waiting task) keep the same snapshot object and notify nobody.
      if (view !== previous && wanted) this.notify(view);
    }
    if (!final) this.passivateIfDormant(entry, snapshot);
  }

  private notify(view: TaskSnapshot): void {
    this.listeners.notify(view, (error) => this.deps.logger.error('errand: subscriber threw', error));
  }

  private persist(entry: TaskEntry, snapshot: TaskMachineSnapshot): void {
    const record = recordOf(snapshot, this.deps.env.now(), entry.record?.dueAt);
    if (record) {
      if (sameRecord(entry.record, record)) return;
      entry.record = record;
      void this.deps.persister.put(record).catch(() => {}); // the persister logs a failed batch
      return;
    }
    // Shutdown keeps stored work for the next start; everything else that ends forgets it.
    const { cancelReason } = snapshot.context;
    if (entry.record && !(snapshot.value === 'cancelled' && cancelReason === 'shutdown')) {
      void this.deps.persister.delete(entry.record.taskId).catch(() => {});
    }
    entry.record = null;
  }

  /** Waiting beyond the horizon, unobserved, nothing in flight: stop the actor, the record stays. */
  private passivateIfDormant(entry: TaskEntry, snapshot: TaskMachineSnapshot): void {
    const status = snapshot.value;
    const { taskId, nextRunAt, instant } = snapshot.context;
    if ((status !== 'pending' && status !== 'backoff') || instant || nextRunAt === null || !entry.record) return;
    if (!this.deps.env.gateOpen() || this.activeAt(taskId, nextRunAt)) return;
    this.live.delete(taskId);
    this.watching.delete(entry.actor);
    // The record keeps no outcome: a periodic run's is retained here, for result() of its handle.
    if (snapshot.context.outcome) this.lastRuns.set(this.viewOf(entry, snapshot));
    this.deps.systems.stop(entry.actor, entry.parent);
    this.deps.wentDormant(entry.record);
  }
}
