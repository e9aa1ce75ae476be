import { OrchestratorProvider, useOrchestrator } from './context.js';
import { useTask, useTasks, useTaskTimeline } from './hooks.js';
import type { TaskHooks } from './typed-types.js';
import type { OrchestratorLike } from './types.js';

/**
 * errand/react's provider and hooks typed by one orchestrator's task map: TaskIds are checked,
 * `schedule()` takes that task's input, outcomes have its output type. Call it once, with the type
 * only (`createTaskHooks<typeof orchestrator>()`), so UI modules need not import the orchestrator.
 * The functions are errand/react's own, sharing one context with its components.
 */
export function createTaskHooks<O extends OrchestratorLike = OrchestratorLike>(): TaskHooks<O> {
  return {
    OrchestratorProvider,
    // Trusted, not checked at run time: the context holds what the nearest provider was given,
    // and this provider accepts only an O.
    useOrchestrator: useOrchestrator as () => O,
    useTask: useTask as TaskHooks<O>['useTask'],
    useTasks: useTasks as TaskHooks<O>['useTasks'],
    useTaskTimeline,
  };
}
