// What devtoolsServer reads from an orchestrator: the tasks known now, each change, each event a
// task's actor receives (through orchestrator.inspect), and the last request accepted per TaskId.
// Observers are attached only while someone listens: nothing is built for a server nobody watches.
import type { InspectionEvent, Subscription } from 'xstate';
import type { ScheduledWork } from '../../machines/task-types.js';
import type { ScheduleRequest } from '../core/schemas.js';
import type { TaskSnapshot } from '../core/types.js';
import type { DevtoolsTaskEvent } from './source.js';
import type { TaskActor } from '../../machines/task-machine.js';
import type { DevtoolsOrchestrator } from './local-source.js';
import { isTaskActor, requestOfWork, topState, withoutEnvironment } from './task-actors.js';
import { describeEventDetail } from './wire-detail.js';

/** What the devtools server uses of an orchestrator: the same as devtoolsSourceOf. */
export type { DevtoolsOrchestrator };

/** Dormant tasks (only a record in the store) listed in a first snapshot, at most: a snapshot is one message. */
const DORMANT_IN_SNAPSHOT = 1_000;
/** Requests remembered for TaskIds whose actor is gone (finished work, for "run again"). */
const REQUESTS_KEPT = 10_000;

export type TaskChangeListener = (task: TaskSnapshot, request: ScheduleRequest | null) => void;

/** The state a snapshot shows: a name for the task machine's flat states. */
const stateOf = (snapshot: unknown): string => topState(typeof snapshot === 'object' && snapshot !== null && 'value' in snapshot ? snapshot.value : undefined);

export class ServerFeed {
  private readonly changeListeners = new Set<TaskChangeListener>();
  private unsubscribeChanges: (() => void) | null = null;
  private readonly eventListeners = new Set<(event: DevtoolsTaskEvent) => void>();
  private inspection: Subscription | null = null;
  /** Each task actor's state after the last event seen, for the next event's `from`. */
  private lastState = new WeakMap<TaskActor, string>();
  /** The request each ScheduledWork stands for (built once per request, its input decoded once). */
  private readonly requests = new WeakMap<ScheduledWork, ScheduleRequest>();
  private readonly lastRequests = new Map<string, ScheduleRequest>();

  constructor(private readonly orchestrator: DevtoolsOrchestrator) {}

  /** The tasks in memory (active, then finished ones retained), then the first dormant ones in the store. */
  async snapshot(): Promise<{ tasks: TaskSnapshot[]; requests: Array<[string, ScheduleRequest]> }> {
    const tasks = this.orchestrator.peekTasks();
    const shown = new Set(tasks.map((task) => task.taskId));
    const page = await this.orchestrator.listTasks({ limit: DORMANT_IN_SNAPSHOT });
    for (const task of page.tasks) if (!shown.has(task.taskId)) tasks.push(task);
    const requests: Array<[string, ScheduleRequest]> = [];
    for (const task of tasks) {
      const request = this.requestOf(task.taskId);
      if (request) requests.push([task.taskId, request]);
    }
    return { tasks, requests };
  }

  /** The last request accepted for a TaskId: from its actor while active, else as last seen here. */
  requestOf(taskId: string): ScheduleRequest | undefined {
    const work = this.orchestrator.actorOf(taskId)?.getSnapshot().context.work;
    if (!work) return this.lastRequests.get(taskId);
    let request = this.requests.get(work);
    if (!request) {
      request = requestOfWork(work);
      this.requests.set(work, request);
    }
    this.remember(taskId, request);
    return request;
  }

  /** Keeps `request` as the TaskId's last one (a request the server scheduled for a client, whose task may stay dormant). */
  remember(taskId: string, request: ScheduleRequest): void {
    this.lastRequests.delete(taskId);
    this.lastRequests.set(taskId, request);
    if (this.lastRequests.size > REQUESTS_KEPT) this.lastRequests.delete(this.lastRequests.keys().next().value ?? taskId);
  }

  /** Every task change from now on, with the task's request. The first listener subscribes to the orchestrator, the last unsubscribes. */
  onTaskChanged(listener: TaskChangeListener): () => void {
    this.changeListeners.add(listener);
    this.unsubscribeChanges ??= this.orchestrator.subscribe((task) => {
      const request = this.requestOf(task.taskId) ?? null;
      for (const each of this.changeListeners) each(task, request);
    });
    return () => {
      this.changeListeners.delete(listener);
      if (this.changeListeners.size > 0) return;
      this.unsubscribeChanges?.();
      this.unsubscribeChanges = null;
    };
  }

  /** Every event a task actor receives from now on. The first watcher attaches the inspection observer, the last detaches it. */
  watchEvents(listener: (event: DevtoolsTaskEvent) => void): () => void {
    this.eventListeners.add(listener);
    if (!this.inspection) this.attach();
    return () => {
      this.eventListeners.delete(listener);
      if (this.eventListeners.size > 0) return;
      this.inspection?.unsubscribe();
      this.inspection = null;
    };
  }

  private attach(): void {
    // States seen before the observer was there: the first event of an actor already active has a `from`.
    this.lastState = new WeakMap();
    for (const task of this.orchestrator.peekTasks()) {
      const actor = this.orchestrator.actorOf(task.taskId);
      if (actor) this.lastState.set(actor, stateOf(actor.getSnapshot()));
    }
    this.inspection = this.orchestrator.inspect((inspected) => this.onInspection(inspected));
  }

  private onInspection(inspected: InspectionEvent): void {
    // A snapshot event follows every event an actor processed, with that event: one log entry each.
    if (inspected.type !== '@xstate.snapshot' || !isTaskActor(inspected.actorRef)) return;
    const actor = inspected.actorRef;
    const to = stateOf(inspected.snapshot);
    const from = inspected.event.type === 'xstate.init' ? null : (this.lastState.get(actor) ?? null);
    this.lastState.set(actor, to);
    const event: DevtoolsTaskEvent = {
      taskId: actor.id,
      at: this.orchestrator.now(),
      type: inspected.event.type,
      detail: describeEventDetail(withoutEnvironment(inspected.event)),
      from,
      to,
    };
    for (const listener of this.eventListeners) listener(event);
  }
}
