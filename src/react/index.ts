// errand/react: hooks and components for errand's tasks. React (>= 18) is an optional peer dependency.
export { OrchestratorProvider, useOrchestrator, type OrchestratorProviderProps } from './context.js';
export { useTask, useTasks, useTaskTimeline, matchesFilter } from './hooks.js';
export { createTaskHooks } from './create-task-hooks.js';
export {
  TaskHistory,
  recordTaskHistory,
  type TaskHistoryOptions,
  type TimelineEntry,
} from './task-history.js';
export {
  TaskBoard,
  TaskTimeline,
  TaskProgress,
  type TaskBoardProps,
  type TaskTimelineProps,
  type TaskProgressProps,
} from './components.js';
export { ErrandStyles, errandCss } from './styles.js';
export { describeTask, describeTransition, attemptLabel, formatTimeUtc, progressPercent } from './format.js';
export type { OrchestratorLike, NowSource, TaskFilter, BoundScheduleRequest, UseTaskResult } from './types.js';
export type {
  TaskHooks,
  TasksOf,
  TaskIdOf,
  TaskSnapshotOf,
  OutcomeOf,
  UseTaskResultOf,
  BoundScheduleRequestFor,
  ListedTaskOf,
  OrchestratorProviderPropsOf,
} from './typed-types.js';
