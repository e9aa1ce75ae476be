import { useCallback, useMemo, useRef, useSyncExternalStore } from 'react';
import type { RunNowOptions } from '../orchestrator.js';
import type { InstantFn, TaskSnapshot } from '../core/types.js';
import { singleFlight } from '../core/single-flight.js';
import { sameTaskSnapshot } from '../activation/task-snapshot.js';
import { useErrandContext, useOrchestrator } from './context.js';
import { NO_ENTRIES, TaskHistory, type TimelineEntry } from './task-history.js';
import type { BoundScheduleRequest, OrchestratorLike, TaskFilter, UseTaskResult } from './types.js';

const NO_TASKS: readonly TaskSnapshot[] = Object.freeze([]);
const noTask = (): undefined => undefined;
const noTasks = (): readonly TaskSnapshot[] => NO_TASKS;

/**
 * The task's snapshot (undefined while there is none, and during server rendering) and actions
 * bound to its TaskId. Re-renders only when that task changes.
 */
export function useTask(taskId: string): UseTaskResult {
  const orchestrator = useOrchestrator();
  const subscribe = useCallback(
    (onChange: () => void) => orchestrator.subscribe(() => onChange(), { taskId }),
    [orchestrator, taskId],
  );
  const getSnapshot = useCallback(() => orchestrator.peekTask(taskId), [orchestrator, taskId]);
  const task = useSyncExternalStore(subscribe, getSnapshot, noTask);
  const actions = useMemo(
    (): Omit<UseTaskResult, 'task'> => ({
      runNow: <TResult>(fn: InstantFn<TResult>, options?: RunNowOptions) => orchestrator.runNow(taskId, fn, options),
      schedule: (request: BoundScheduleRequest = {}) => orchestrator.schedule({ ...request, taskId }),
      cancel: () => orchestrator.cancel(taskId),
    }),
    [orchestrator, taskId],
  );
  return useMemo((): UseTaskResult => ({ task, ...actions }), [task, actions]);
}

/** How many tasks `useTasks` and `<TaskBoard>` show at most (the first page, in TaskId order). */
export const TASK_LIST_LIMIT = 1_000;

/**
 * The task list of one orchestrator while someone listens: the first page of `listTasks()`
 * (active, dormant and finished tasks), reloaded after any change, one load at a time. Every
 * `useTasks` shares it; `version` counts loads so lists are rebuilt only after one.
 */
class TaskListVersion {
  private readonly listeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  tasks: readonly TaskSnapshot[] = NO_TASKS;
  /** The run (runCount) of each task during which its worker last reported progress, while listened to. */
  private readonly reportedRun = new Map<string, number>();
  /** -1 while nobody listens: nothing is loaded then, so callers read what is in memory. */
  version = -1;

  constructor(private readonly orchestrator: OrchestratorLike) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.unsubscribe) {
      this.version = 0;
      this.tasks = this.orchestrator.peekTasks();
      this.unsubscribe = this.orchestrator.subscribe((task) => {
        this.noteProgress(task);
        this.reload();
      });
      this.reload();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.unsubscribe) {
        this.unsubscribe();
        this.unsubscribe = null;
        this.version = -1;
      }
    };
  };

  /** Whether the task's latest run reported progress while the list was listened to. */
  progressReported(task: TaskSnapshot): boolean {
    return this.reportedRun.get(task.taskId) === task.runCount;
  }

  private noteProgress(task: TaskSnapshot): void {
    if (task.status !== 'running' || task.progress === null) return;
    this.reportedRun.delete(task.taskId);
    this.reportedRun.set(task.taskId, task.runCount);
    if (this.reportedRun.size > TASK_LIST_LIMIT * 10) {
      const oldest = this.reportedRun.keys().next().value;
      if (oldest !== undefined) this.reportedRun.delete(oldest);
    }
  }

  // A store that cannot be read leaves the last list on screen.
  private readonly reload = singleFlight(
    () =>
      this.orchestrator.listTasks({ limit: TASK_LIST_LIMIT }).then((page) => {
        if (!this.unsubscribe) return;
        this.tasks = page.tasks;
        this.version++;
        for (const l of [...this.listeners]) l();
      }),
    () => this.unsubscribe !== null,
  );
}

const versions = new WeakMap<OrchestratorLike, TaskListVersion>();

function versionOf(orchestrator: OrchestratorLike): TaskListVersion {
  let version = versions.get(orchestrator);
  if (!version) versions.set(orchestrator, (version = new TaskListVersion(orchestrator)));
  return version;
}

/**
 * Whether a task's latest run reported progress, as far as this provider's listeners saw
 * (the shared task list, or the provider's history): a done row shows 100% only then.
 */
export function useProgressReported(): (task: TaskSnapshot) => boolean {
  const context = useErrandContext();
  const version = versionOf(context.orchestrator);
  const { history } = context;
  return useCallback((task: TaskSnapshot) => version.progressReported(task) || (history?.progressReported(task) ?? false), [version, history]);
}

/** Applies a TaskFilter; exported for components that filter lists they already have. */
export function matchesFilter(task: TaskSnapshot, filter: TaskFilter | undefined): boolean {
  if (!filter) return true;
  if (typeof filter === 'function') return filter(task);
  const { status, kind, prefix } = filter;
  if (status !== undefined && (typeof status === 'string' ? task.status !== status : !status.includes(task.status))) return false;
  if (kind !== undefined && (typeof kind === 'string' ? task.kind !== kind : !kind.includes(task.kind))) return false;
  if (prefix !== undefined && !task.taskId.startsWith(prefix)) return false;
  return true;
}

function sameItems(a: readonly TaskSnapshot[], b: readonly TaskSnapshot[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface ListCache {
  orchestrator: OrchestratorLike;
  version: number;
  filter: TaskFilter | undefined;
  list: readonly TaskSnapshot[];
}

/**
 * The tasks of `orchestrator.listTasks()` (active, dormant and finished; the first
 * TASK_LIST_LIMIT in TaskId order), optionally filtered; loaded after each change.
 * The array keeps its identity until a task in it changes, joins or leaves, even when `filter`
 * is a new function or object on every render.
 */
export function useTasks(filter?: TaskFilter): readonly TaskSnapshot[] {
  const orchestrator = useOrchestrator();
  const version = versionOf(orchestrator);
  const cache = useRef<ListCache | null>(null);
  const getSnapshot = useCallback((): readonly TaskSnapshot[] => {
    const previous = cache.current;
    if (
      previous &&
      previous.orchestrator === orchestrator &&
      previous.filter === filter &&
      version.version >= 0 &&
      previous.version === version.version
    ) {
      return previous.list;
    }
    const all = version.version >= 0 ? version.tasks : orchestrator.peekTasks();
    const filtered = filter ? all.filter((task) => matchesFilter(task, filter)) : all;
    // A reload reads dormant tasks' records anew: keep the objects of tasks that show the same.
    const before = new Map(previous?.orchestrator === orchestrator ? previous.list.map((t) => [t.taskId, t]) : []);
    const next = filtered.map((task) => {
      const old = before.get(task.taskId);
      return old && sameTaskSnapshot(old, task) ? old : task;
    });
    const list =
      previous && previous.orchestrator === orchestrator && sameItems(previous.list, next)
        ? previous.list
        : next.length === 0
          ? NO_TASKS
          : Object.freeze(next);
    cache.current = { orchestrator, version: version.version, filter, list };
    return list;
  }, [orchestrator, version, filter]);
  return useSyncExternalStore(version.subscribe, getSnapshot, noTasks);
}

/**
 * The task's recorded transitions. Uses `history`, else the provider's, else records this
 * TaskId itself while the component is mounted (seeded with the task's current snapshot).
 */
export function useTaskTimeline(taskId: string, history?: TaskHistory): readonly TimelineEntry[] {
  const context = useErrandContext();
  const shared = history ?? context.history;
  const own = useMemo(
    () => (shared ? null : new TaskHistory(context.orchestrator, { taskId, now: context.now })),
    [shared, context.orchestrator, context.now, taskId],
  );
  const source = shared ?? own;
  const subscribe = useMemo(
    () => (listener: () => void) => (source ? source.subscribe(taskId, listener) : () => {}),
    [source, taskId],
  );
  return useSyncExternalStore(subscribe, () => source?.entries(taskId) ?? NO_ENTRIES, () => NO_ENTRIES);
}
