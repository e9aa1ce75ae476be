import type { InputSchema, RawInputOf, TaskDefinition } from './define-task.js';
import type { ScheduleRequest } from './core/schemas.js';

export type TaskMap = Record<string, TaskDefinition>;

/** The definition a TaskId runs: registered as itself, or `name/instance` of one registered as `name`. */
type DefinitionFor<TTasks extends TaskMap, TId extends string> = TId extends keyof TTasks
  ? TTasks[TId]
  : TId extends `${infer TName}/${string}`
    ? TName extends keyof TTasks
      ? TTasks[TName]
      : undefined
    : undefined;

type InputFor<TTasks extends TaskMap, TId extends string> =
  DefinitionFor<TTasks, TId> extends TaskDefinition<string, infer S extends InputSchema> ? RawInputOf<S> : unknown;

/** The value a TaskId's worker resolves with (`unknown` for a TaskId the map does not know). */
export type OutputFor<TTasks extends TaskMap, TId extends string> =
  DefinitionFor<TTasks, TId> extends TaskDefinition<string, InputSchema, infer O> ? O : unknown;

/** `schedule()`'s argument; `input` is typed by the registered task's schema, and required when it is. */
export type ScheduleRequestFor<TTasks extends TaskMap, TId extends string> = Omit<ScheduleRequest, 'taskId' | 'input'> & {
  taskId: TId;
} & (undefined extends InputFor<TTasks, TId> ? { input?: InputFor<TTasks, TId> } : { input: InputFor<TTasks, TId> });
