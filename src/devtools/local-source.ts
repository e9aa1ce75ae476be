// A DevtoolsSource over an orchestrator in this page or process: task list from its snapshots
// and store, task events from XState's inspection stream (attached only while someone watches).
import type { InspectionEvent } from 'xstate';
import type { TaskContext } from '../../machines/task-types.js';
import { z } from 'zod';
import { methodsOption, optionsObject, parseOptions } from '../core/option-checks.js';
import { singleFlight } from '../core/single-flight.js';
import type { ScheduleRequest } from '../core/schemas.js';
import type { TaskSnapshot } from '../core/types.js';
import type { Orchestrator } from '../orchestrator.js';
import { jsonSafeFields } from './json-safe.js';
import { isTaskActor, requestOfWork, topState, withoutEnvironment } from './task-actors.js';
import type { DevtoolsSource, DevtoolsTaskEvent } from './source.js';

/** What the source uses of an orchestrator (any `Orchestrator<...>` fits). */
export type DevtoolsOrchestrator = Pick<
  Orchestrator,
  'inspect' | 'peekTasks' | 'listTasks' | 'subscribe' | 'actorOf' | 'cancel' | 'schedule' | 'now'
>;

export interface LocalSourceOptions {
  /** Requests remembered for "run again", the most recently seen kept. Default 1,000. */
  maxRequests?: number;
  /** Tasks listed (the first page of `listTasks()`, in TaskId order). Default 1,000. */
  listLimit?: number;
}

const optionsSchema = optionsObject('devtoolsSourceOf', {
  maxRequests: z.number().int().min(1).optional(),
  listLimit: z.number().int().min(1).max(10_000).optional(),
});

const orchestratorSchema = z.object({
  orchestrator: methodsOption<DevtoolsOrchestrator>('an Orchestrator', ['inspect', 'peekTasks', 'listTasks', 'subscribe', 'actorOf', 'cancel', 'schedule', 'now']),
});

const byTaskId = (a: TaskSnapshot, b: TaskSnapshot) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);


/** A Map that forgets its least recently set keys beyond `limit`. */
class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }
}

class LocalSource implements DevtoolsSource {
  private readonly requests: Recent<ScheduleRequest>;
  private readonly listLimit: number;
  private readonly taskListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: DevtoolsTaskEvent) => void>();
  private list: readonly TaskSnapshot[] = [];
  private unsubscribeTasks: (() => void) | null = null;
  private inspection: { unsubscribe(): void } | null = null;
  /** Each watched actor's state after the last event (by sessionId: a TaskId's next actor is another). */
  private readonly states = new Map<string, string>();

  constructor(
    private readonly orchestrator: DevtoolsOrchestrator,
    options: LocalSourceOptions,
  ) {
    this.requests = new Recent(options.maxRequests ?? 1_000);
    this.listLimit = options.listLimit ?? 1_000;
  }

  tasks(): readonly TaskSnapshot[] {
    if (this.unsubscribeTasks) return this.list;
    // Unwatched: read now, but keep the array while nothing in it changed (useSyncExternalStore needs that).
    const now = [...this.orchestrator.peekTasks()].sort(byTaskId);
    if (now.length !== this.list.length || now.some((t, i) => t !== this.list[i])) this.list = now;
    return this.list;
  }

  subscribeTasks(listener: () => void): () => void {
    this.taskListeners.add(listener);
    if (!this.unsubscribeTasks) {
      this.list = [...this.orchestrator.peekTasks()].sort(byTaskId);
      for (const task of this.list) this.noteActor(task.taskId);
      this.unsubscribeTasks = this.orchestrator.subscribe((task) => this.changed(task));
      this.reload();
    }
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.taskListeners.delete(listener);
      if (this.taskListeners.size === 0 && this.unsubscribeTasks) {
        this.unsubscribeTasks();
        this.unsubscribeTasks = null;
      }
    };
  }

  watchTaskEvents(listener: (event: DevtoolsTaskEvent) => void): () => void {
    this.eventListeners.add(listener);
    if (!this.inspection) this.inspection = this.orchestrator.inspect((event) => this.inspected(event));
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      this.eventListeners.delete(listener);
      if (this.eventListeners.size === 0 && this.inspection) {
        this.inspection.unsubscribe();
        this.inspection = null;
        this.states.clear();
      }
    };
  }

  requestOf(taskId: string): ScheduleRequest | undefined {
    // Kept current by the task subscription and the inspection stream; an active actor fills a gap.
    const known = this.requests.get(taskId);
    if (known && this.unsubscribeTasks) return known;
    this.noteActor(taskId);
    return this.requests.get(taskId);
  }

  observeTask(taskId: string): () => void {
    const release = this.orchestrator.subscribe(() => this.noteActor(taskId), { taskId });
    this.noteActor(taskId);
    return release;
  }

  cancel(taskId: string): Promise<void> {
    return this.orchestrator.cancel(taskId);
  }

  async schedule(request: ScheduleRequest): Promise<void> {
    await this.orchestrator.schedule(request);
  }

  now(): number {
    return this.orchestrator.now();
  }

  /** Remembers the request of an active TaskId's actor, if it has scheduled work. */
  private noteActor(taskId: string): void {
    const work = this.orchestrator.actorOf(taskId)?.getSnapshot().context.work;
    if (work) this.requests.set(taskId, requestOfWork(work));
  }

  private changed(task: TaskSnapshot): void {
    this.noteActor(task.taskId);
    // Patched in at once (the panel follows live), then the list is read again for dormant records.
    const next = this.list.filter((t) => t.taskId !== task.taskId);
    next.push(task);
    this.list = next.sort(byTaskId);
    this.emitTasks();
    this.reload();
  }

  // A store that cannot be read leaves the last list shown.
  private readonly reload = singleFlight(
    () =>
      this.orchestrator.listTasks({ limit: this.listLimit }).then((page) => {
        if (!this.unsubscribeTasks) return;
        // Live snapshots win over what the store read back.
        const live = new Map(this.orchestrator.peekTasks().map((t) => [t.taskId, t]));
        const merged = page.tasks.map((t) => live.get(t.taskId) ?? t);
        const listed = new Set(merged.map((t) => t.taskId));
        for (const t of live.values()) if (!listed.has(t.taskId)) merged.push(t);
        this.list = merged.sort(byTaskId);
        this.emitTasks();
      }),
    () => this.unsubscribeTasks !== null,
  );

  private emitTasks(): void {
    for (const listener of [...this.taskListeners]) listener();
  }

  private inspected(event: InspectionEvent): void {
    if (!isTaskActor(event.actorRef)) return;
    const actor = event.actorRef;
    if (event.type === '@xstate.event') {
      // An actor first seen mid-life: its state before this event is where it is now.
      if (!this.states.has(actor.sessionId) && event.event.type !== 'xstate.init') {
        this.states.set(actor.sessionId, topState(actor.getSnapshot().value));
      }
      return;
    }
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as { value?: unknown; status?: string; context?: TaskContext };
    const to = topState(snapshot.value);
    // An actor's first snapshot comes from nowhere, even when events it sent itself while starting came first.
    const from = event.event.type === 'xstate.init' ? null : (this.states.get(actor.sessionId) ?? null);
    if (snapshot.status === 'done') this.states.delete(actor.sessionId);
    else this.states.set(actor.sessionId, to);
    const work = snapshot.context?.work;
    if (work) this.requests.set(actor.id, requestOfWork(work));
    const taskEvent: DevtoolsTaskEvent = {
      taskId: actor.id,
      at: this.orchestrator.now(),
      type: event.event.type,
      detail: jsonSafeFields(withoutEnvironment(event.event)),
      from,
      to,
    };
    for (const listener of [...this.eventListeners]) listener(taskEvent);
  }
}

/**
 * A DevtoolsSource for an orchestrator in this page or process: what `<ErrandDevtools>` reads
 * when given an orchestrator. Nothing is attached until the panel watches.
 */
export function devtoolsSourceOf(orchestrator: DevtoolsOrchestrator, options: LocalSourceOptions = {}): DevtoolsSource {
  parseOptions(orchestratorSchema, { orchestrator }, 'devtoolsSourceOf');
  return new LocalSource(orchestrator, parseOptions(optionsSchema, options, 'devtoolsSourceOf'));
}
