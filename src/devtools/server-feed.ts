// What devtoolsServer reads from an orchestrator: the tasks known now, each change, each event a
// task's actor receives (through orchestrator.inspect), and the last request accepted per TaskId.
// Observers are attached only while someone listens: nothing is built for a server nobody watches.
import type { InspectionEvent, Subscription } from 'xstate';
import type { TaskActor } from '../../machines/task-machine.js';
import { taskMachine } from '../../machines/task-machine.js';
import type { ScheduledWork } from '../../machines/task-types.js';
import type { TaskPage, TaskQuery } from '../activation/task-pages.js';
import type { InspectObserver } from '../actor-systems.js';
import { decodeInput } from '../core/input-codec.js';
import type { ScheduleRequest } from '../core/schemas.js';
import type { TaskSnapshot } from '../core/types.js';
import type { DevtoolsTaskEvent } from './source.js';
import { describeEventDetail } from './wire-detail.js';

/** The part of an Orchestrator the devtools server uses. */
export interface DevtoolsOrchestrator {
  peekTasks(): TaskSnapshot[];
  listTasks(query?: TaskQuery): Promise<TaskPage>;
  subscribe(listener: (snapshot: TaskSnapshot) => void): () => void;
  inspect(observer: InspectObserver): Subscription;
  actorOf(taskId: string): TaskActor | undefined;
  cancel(taskId: string): Promise<void>;
  schedule(request: ScheduleRequest): Promise<unknown>;
  now(): number;
}

/** Dormant tasks (only a record in the store) listed in a first snapshot, at most: a snapshot is one message. */
const DORMANT_IN_SNAPSHOT = 1_000;
/** Requests remembered for TaskIds whose actor is gone (finished work, for "run again"). */
const REQUESTS_KEPT = 10_000;

export type TaskChangeListener = (task: TaskSnapshot, request: ScheduleRequest | null) => void;

/** The state a snapshot shows: a name for the task machine's flat states. */
function stateOf(snapshot: unknown): string {
  const value = typeof snapshot === 'object' && snapshot !== null && 'value' in snapshot ? snapshot.value : undefined;
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Inspection names actors loosely (ActorRefLike); a task's is the one whose logic is taskMachine, its id the TaskId. */
/** An actor's start event without its input's `env` (the orchestrator's internals handed to every actor: noise in a log). */
function withoutEnvironment(event: { type: string }): { type: string } {
  if (event.type !== 'xstate.init' || !('input' in event) || typeof event.input !== 'object' || event.input === null) return event;
  const stripped = { ...event, input: { ...event.input, env: undefined } };
  return stripped;
}

const isTaskActor = (actor: object): actor is TaskActor => 'src' in actor && actor.src === taskMachine;

export class ServerFeed {
  private readonly changeListeners = new Set<TaskChangeListener>();
  private unsubscribeChanges: (() => void) | null = null;
  private readonly eventListeners = new Set<(event: DevtoolsTaskEvent) => void>();
  private inspection: Subscription | null = null;
  /** Each task actor's state after the last event seen, for the next event's `from`. */
  private lastState = new WeakMap<TaskActor, string>();
  /** The request each ScheduledWork stands for (built once per request, its input decoded once). */
  private readonly requestOfWork = new WeakMap<ScheduledWork, ScheduleRequest>();
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
    let request = this.requestOfWork.get(work);
    if (!request) {
      request = { ...work.request, ...(work.inputText === null ? {} : { input: decodeInput(work.inputText) }) };
      this.requestOfWork.set(work, request);
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
