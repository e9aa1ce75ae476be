import type { TaskMachineSnapshot } from '../../machines/task-machine.js';
import type { TaskSnapshot, TaskStatus } from '../core/types.js';

const NONE = Object.freeze([]) as readonly never[];

/** The public view of a task machine's snapshot. */
export function toTaskSnapshot(snapshot: TaskMachineSnapshot): TaskSnapshot {
  const status = snapshot.value as TaskStatus;
  const { context } = snapshot;
  return {
    taskId: context.taskId,
    status,
    attempt: context.attempt,
    interrupted: context.interrupted,
    runCount: context.runCount,
    nextRunAt: status === 'pending' || status === 'backoff' ? context.nextRunAt : null,
    progress: status === 'running' ? context.progress : null,
    unmetConstraints: status === 'constrained' ? context.unmet : NONE,
    outcome: status === 'cancelled' ? null : context.outcome,
    cancelReason: status === 'cancelled' ? context.cancelReason : null,
    kind: context.instant ? 'instant' : (context.work?.request.kind ?? 'instant'),
  };
}

/** True when two snapshots show the same thing, so the older object can be kept (stable for React). */
export function sameTaskSnapshot(a: TaskSnapshot, b: TaskSnapshot): boolean {
  return (
    a.status === b.status &&
    a.attempt === b.attempt &&
    a.interrupted === b.interrupted &&
    a.runCount === b.runCount &&
    a.nextRunAt === b.nextRunAt &&
    a.progress === b.progress &&
    a.outcome === b.outcome &&
    a.cancelReason === b.cancelReason &&
    a.kind === b.kind &&
    a.unmetConstraints.length === b.unmetConstraints.length &&
    a.unmetConstraints.every((name, i) => name === b.unmetConstraints[i])
  );
}
