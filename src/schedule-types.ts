import type { InputSchema, RawInputOf, TaskDefinition } from './define-task.js';
import type { ScheduleRequest } from './core/schemas.js';

export type TaskMap = Record<string, TaskDefinition>;

type InputFor<TTasks extends TaskMap, TId extends string> = TId extends keyof TTasks
  ? TTasks[TId] extends TaskDefinition<string, infer S extends InputSchema>
    ? RawInputOf<S>
    : unknown
  : unknown;

/** `schedule()`'s argument; `input` is typed by the registered task's schema, and required when it is. */
export type ScheduleRequestFor<TTasks extends TaskMap, TId extends string> = Omit<ScheduleRequest, 'taskId' | 'input'> & {
  taskId: TId;
} & (undefined extends InputFor<TTasks, TId> ? { input?: InputFor<TTasks, TId> } : { input: InputFor<TTasks, TId> });
