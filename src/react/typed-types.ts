import type { ReactNode } from 'react';
import type { Orchestrator, RunNowOptions } from '../orchestrator.js';
import type { InstantFn, Outcome, TaskHandle, TaskSnapshot } from '../core/types.js';
import type { ScheduleRequestFor } from '../schedule-types.js';
import type { KnownTaskId, OutputFor, TaskMap } from '../task-map.js';
import type { OrchestratorProviderProps } from './context.js';
import type { TaskHistory, TimelineEntry } from './task-history.js';
import type { OrchestratorLike, TaskFilter } from './types.js';

/** The task map an orchestrator's type carries (what its `register()` calls accumulated). */
export type TasksOf<O> = O extends Orchestrator<infer TTasks> ? TTasks : TaskMap;

/** The TaskIds typed hooks accept: registered ids and their instances; any string while the map is empty. */
export type TaskIdOf<TTasks extends TaskMap> = [keyof TTasks] extends [never] ? string : KnownTaskId<TTasks>;

/** How a run ended, its value typed by what the task's `run` returns. */
export type OutcomeOf<TOutput> = Outcome<TOutput>;

/**
 * A TaskSnapshot typed by its task: a scheduled run (`oneTime`, `periodic`) records what `run`
 * returned; a `runNow` takes the TaskId over (`kind: 'instant'`) with its own function's value,
 * so check `kind` before reading `outcome.value`.
 */
export type TaskSnapshotOf<TTasks extends TaskMap, TId extends string> = TaskSnapshot<OutputFor<TTasks, TId>> & { taskId: TId };

/** `schedule()`'s request without the TaskId, which `useTask` binds; `input` typed as `schedule()` types it. */
export type BoundScheduleRequestFor<TTasks extends TaskMap, TId extends string> = Omit<ScheduleRequestFor<TTasks, TId>, 'taskId'>;

// The request may be left out only when nothing in it is required (a task whose input is optional).
type ScheduleArgs<TTasks extends TaskMap, TId extends string> =
  Record<never, never> extends BoundScheduleRequestFor<TTasks, TId>
    ? [request?: BoundScheduleRequestFor<TTasks, TId>]
    : [request: BoundScheduleRequestFor<TTasks, TId>];

/** What a typed `useTask(taskId)` returns; `schedule` resolves to a handle whose `result()` is typed by the task. */
export interface UseTaskResultOf<O extends OrchestratorLike, TId extends string> {
  task: TaskSnapshotOf<TasksOf<O>, TId> | undefined;
  runNow<TResult>(fn: InstantFn<TResult>, options?: RunNowOptions): Promise<TResult>;
  schedule(...request: ScheduleArgs<TasksOf<O>, TId>): Promise<TaskHandle<OutputFor<TasksOf<O>, TId>>>;
  cancel(): Promise<void>;
}

/**
 * The snapshots a filter lists: typed by the task when its `prefix` is `name/…` for a registered
 * `name` (every TaskId with it runs that task); plain TaskSnapshots otherwise.
 */
export type ListedTaskOf<TTasks extends TaskMap, TFilter> = TFilter extends { prefix: `${infer Name}/${infer Rest}` }
  ? Name extends keyof TTasks
    ? TaskSnapshotOf<TTasks, `${Name}/${Rest}${string}`>
    : TaskSnapshot
  : TaskSnapshot;

/** `<OrchestratorProvider>`'s props, for the orchestrator the hooks were typed with. */
export type OrchestratorProviderPropsOf<O extends OrchestratorLike> = Omit<OrchestratorProviderProps, 'orchestrator'> & {
  orchestrator: O;
};

/** errand/react's provider and hooks, typed by one orchestrator's task map (see `createTaskHooks`). */
export interface TaskHooks<O extends OrchestratorLike> {
  OrchestratorProvider(props: OrchestratorProviderPropsOf<O>): ReactNode;
  useOrchestrator(): O;
  useTask<TId extends TaskIdOf<TasksOf<O>>>(taskId: TId): UseTaskResultOf<O, TId>;
  // Three signatures: a predicate's parameter keeps its contextual type, a literal prefix is
  // read from a fields filter, and a filter held as a TaskFilter still fits.
  useTasks(filter?: Extract<TaskFilter, (task: TaskSnapshot) => boolean>): readonly TaskSnapshot[];
  useTasks<const TFilter extends Exclude<TaskFilter, (task: TaskSnapshot) => boolean>>(filter: TFilter): readonly ListedTaskOf<TasksOf<O>, TFilter>[];
  useTasks(filter?: TaskFilter): readonly TaskSnapshot[];
  useTaskTimeline(taskId: TaskIdOf<TasksOf<O>>, history?: TaskHistory): readonly TimelineEntry[];
}
