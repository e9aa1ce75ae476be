import type { Orchestrator, RunNowOptions } from '../orchestrator.js';
import type { ScheduleRequest } from '../core/schemas.js';
import type { InstantFn, TaskSnapshot, TaskStatus } from '../core/types.js';

/**
 * The part of an Orchestrator the hooks and components use (any `Orchestrator<...>` fits).
 * `actorOf`, when there, lets timelines tell a new run from progress on the same run.
 */
export type OrchestratorLike = Pick<Orchestrator, 'peekTask' | 'peekTasks' | 'listTasks' | 'subscribe' | 'runNow' | 'schedule' | 'cancel'> &
  Partial<Pick<Orchestrator, 'actorOf'>>;

/** Where "now" comes from for timelines: pass the orchestrator's clock (a TestClock in tests and stories). */
export interface NowSource {
  now(): number;
}

/** Which tasks `useTasks` and `<TaskBoard>` show: a predicate, or fields to match. */
export type TaskFilter =
  | ((task: TaskSnapshot) => boolean)
  | {
      status?: TaskStatus | readonly TaskStatus[];
      kind?: TaskSnapshot['kind'] | readonly TaskSnapshot['kind'][];
      /** Keeps TaskIds that start with this ('email.send/' for every instance of a definition). */
      prefix?: string;
    };

/** `schedule()`'s request without the TaskId, which `useTask` binds. */
export type BoundScheduleRequest = Omit<ScheduleRequest, 'taskId'>;

/** What `useTask(taskId)` returns; `task` is undefined while the orchestrator knows no such task. */
export interface UseTaskResult {
  task: TaskSnapshot | undefined;
  runNow<TResult>(fn: InstantFn<TResult>, options?: RunNowOptions): Promise<TResult>;
  // Whatever the orchestrator's schedule() resolves to, so a change there reaches the hook.
  schedule(request?: BoundScheduleRequest): ReturnType<OrchestratorLike['schedule']>;
  cancel(): Promise<void>;
}
