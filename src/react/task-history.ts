import type { TaskSnapshot } from '../core/types.js';
import type { OrchestratorLike } from './types.js';

/** One transition of a task: its snapshot and when (on the history's clock) it was seen. */
export interface TimelineEntry {
  readonly at: number;
  readonly task: TaskSnapshot;
  /** Worker or runNow calls the task's actor has started so far (null when not known). */
  readonly runs: number | null;
}

export interface TaskHistoryOptions {
  /** Timestamps entries; pass the orchestrator's clock. Default `Date.now`. */
  now?: () => number;
  /** Record only this TaskId (what `<TaskTimeline>` does on its own). Default: every task. */
  taskId?: string;
  /** Entries kept per task, oldest dropped first. Default 100. */
  limit?: number;
  /** Tasks remembered, least recently changed forgotten first. Default 1,000. */
  maxTasks?: number;
}

/** The one empty timeline, so an unrecorded task's entries keep their identity across renders. */
export const NO_ENTRIES: readonly TimelineEntry[] = Object.freeze([]);

/**
 * A transition is a change of anything but progress (progress ticks would flood a timeline), or a
 * new run: a runNow pre-empting a running task leaves every public field as it was.
 */
function isTransition(previous: TimelineEntry, task: TaskSnapshot, runs: number | null): boolean {
  const last = previous.task;
  if (last === task) return false;
  return (
    (runs !== null && previous.runs !== null && runs !== previous.runs) ||
    isVisibleChange(last, task)
  );
}

function isVisibleChange(previous: TaskSnapshot, next: TaskSnapshot): boolean {
  return (
    previous.status !== next.status ||
    previous.attempt !== next.attempt ||
    previous.nextRunAt !== next.nextRunAt ||
    previous.kind !== next.kind ||
    // A dormant task activated again forgets its last run's outcome (the record keeps none): not a transition.
    (previous.outcome !== next.outcome && next.outcome !== null) ||
    previous.cancelReason !== next.cancelReason ||
    previous.unmetConstraints.join() !== next.unmetConstraints.join()
  );
}

/**
 * Records task transitions from `orchestrator.subscribe`. It listens while retained: by
 * `recordTaskHistory` (until `stop()`), or by subscribers such as a mounted `<TaskTimeline>`.
 * Creating one has no side effects, so it is safe in render and under StrictMode.
 */
export class TaskHistory {
  private readonly byTask = new Map<string, readonly TimelineEntry[]>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly now: () => number;
  private readonly limit: number;
  private readonly maxTasks: number;
  private retained = 0;
  private unsubscribe: (() => void) | null = null;
  /** The run (runCount) of each task during which its worker last reported progress. */
  private readonly reportedRun = new Map<string, number>();

  constructor(
    private readonly orchestrator: OrchestratorLike,
    private readonly options: TaskHistoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.limit = Math.max(1, options.limit ?? 100);
    this.maxTasks = Math.max(1, options.maxTasks ?? 1_000);
  }

  /** The task's recorded transitions, oldest first; the same array until a new one is recorded. */
  entries(taskId: string): readonly TimelineEntry[] {
    return this.byTask.get(taskId) ?? NO_ENTRIES;
  }

  /** Calls `listener` when the task gets a new entry; keeps the history recording meanwhile. */
  subscribe(taskId: string, listener: () => void): () => void {
    let set = this.listeners.get(taskId);
    if (!set) this.listeners.set(taskId, (set = new Set()));
    set.add(listener);
    const release = this.retain();
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(taskId) === set) this.listeners.delete(taskId);
      release();
    };
  }

  /** Keeps recording until the returned function is called (each call releases once). */
  retain(): () => void {
    if (this.retained++ === 0) this.attach();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.retained === 0) this.detach();
    };
  }

  /** Whether the worker of the task's latest run reported progress while this history recorded it. */
  progressReported(task: TaskSnapshot): boolean {
    return this.reportedRun.get(task.taskId) === task.runCount;
  }

  /** Forgets every entry (recording, if retained, goes on). */
  clear(): void {
    const ids = [...this.byTask.keys()];
    this.byTask.clear();
    this.reportedRun.clear();
    for (const id of ids) this.emit(id);
  }

  private attach(): void {
    const { taskId } = this.options;
    this.unsubscribe = this.orchestrator.subscribe((task) => this.record(task), taskId === undefined ? {} : { taskId });
    // Seed with where tasks are now: changes while nobody listened are not known, only their result.
    if (taskId !== undefined) {
      const task = this.orchestrator.peekTask(taskId);
      if (task) this.record(task);
    } else {
      for (const task of this.orchestrator.peekTasks()) this.record(task);
    }
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private record(task: TaskSnapshot): void {
    if (task.status === 'running' && task.progress !== null) this.reportedRun.set(task.taskId, task.runCount);
    const previous = this.byTask.get(task.taskId);
    const last = previous?.[previous.length - 1];
    const runs = task.runCount;
    if (last && !isTransition(last, task, runs)) return;
    const entry: TimelineEntry = Object.freeze({ at: this.now(), task, runs });
    const kept = previous ? previous.slice(Math.max(0, previous.length + 1 - this.limit)) : [];
    kept.push(entry);
    // Re-insert so the Map's order is least recently changed first.
    this.byTask.delete(task.taskId);
    this.byTask.set(task.taskId, Object.freeze(kept));
    if (this.byTask.size > this.maxTasks) {
      const oldest = this.byTask.keys().next().value;
      if (oldest !== undefined) {
        this.byTask.delete(oldest);
        this.reportedRun.delete(oldest);
        this.emit(oldest);
      }
    }
    this.emit(task.taskId);
  }

  private emit(taskId: string): void {
    const set = this.listeners.get(taskId);
    if (set) for (const listener of [...set]) listener();
  }
}

/** Starts recording every task's transitions now; call `stop()` on the result to stop. */
export function recordTaskHistory(
  orchestrator: OrchestratorLike,
  options: TaskHistoryOptions = {},
): TaskHistory & { stop(): void } {
  const history = new TaskHistory(orchestrator, options);
  return Object.assign(history, { stop: history.retain() });
}
