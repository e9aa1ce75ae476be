import type { InputSchema, RawInputOf, TaskDefinition } from './define-task.js';
import type { ScheduleRequest } from './core/schemas.js';
import type { DefinitionOf, TaskMap } from './task-map.js';

export type { OutputFor, TaskMap } from './task-map.js';

// Distributes over a union of TaskIds; an instance id `name/…` takes the input of `name`.
type InputFor<TTasks extends TaskMap, TId extends string> = TId extends string
  ? DefinitionOf<TTasks, TId> extends TaskDefinition<string, infer S extends InputSchema>
    ? RawInputOf<S>
    : unknown
  : unknown;

/** `schedule()`'s argument; `input` is typed by the registered task's schema, and required when it is. */
export type ScheduleRequestFor<TTasks extends TaskMap, TId extends string> = Omit<ScheduleRequest, 'taskId' | 'input'> & {
  taskId: TId;
} & (undefined extends InputFor<TTasks, TId> ? { input?: InputFor<TTasks, TId> } : { input: InputFor<TTasks, TId> });
