import type { TaskMachineSnapshot } from '../machines/task-machine.js';
import type { TaskSnapshot, TaskStatus } from './types.js';

const NONE = Object.freeze([]) as readonly never[];

/** The public view of a task machine's snapshot. */
export function toTaskSnapshot(snapshot: TaskMachineSnapshot): TaskSnapshot {
  const status = snapshot.value as TaskStatus;
  const { context } = snapshot;
  return {
    taskId: context.taskId,
    status,
    attempt: context.attempt,
    nextRunAt: status === 'pending' || status === 'backoff' ? context.nextRunAt : null,
    progress: status === 'running' ? context.progress : null,
    unmetConstraints: status === 'constrained' ? context.unmet : NONE,
    outcome: status === 'cancelled' ? null : context.outcome,
    cancelReason: status === 'cancelled' ? context.cancelReason : null,
    kind: context.instant ? 'instant' : (context.work?.request.kind ?? 'instant'),
  };
}
