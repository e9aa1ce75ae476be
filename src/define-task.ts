import type { z } from 'zod';
import { ValidationError } from './core/errors.js';
import { taskIdSchema } from './core/schemas.js';
import type { WorkContext, WorkerFn } from './core/types.js';

export type InputSchema = z.ZodType | undefined;
export type InputOf<TSchema extends InputSchema> = TSchema extends z.ZodType ? z.output<TSchema> : undefined;
/** What `schedule()` accepts as `input` for this schema (before parsing, so coercions apply). */
export type RawInputOf<TSchema extends InputSchema> = TSchema extends z.ZodType ? z.input<TSchema> : undefined;

export interface TaskDefinition<TId extends string = string, TSchema extends InputSchema = InputSchema, TOutput = unknown> {
  readonly id: TId;
  readonly input: TSchema;
  // Method syntax keeps definitions with specific inputs assignable to TaskDefinition.
  run(context: WorkContext<InputOf<TSchema>>): ReturnType<WorkerFn<InputOf<TSchema>, TOutput>>;
}

/** Declares a scheduled task: its TaskId, the zod schema of its input and its worker. */
export function defineTask<const TId extends string, TSchema extends InputSchema = undefined, TOutput = unknown>(definition: {
  id: TId;
  input?: TSchema;
  run: WorkerFn<InputOf<TSchema>, TOutput>;
}): TaskDefinition<TId, TSchema, TOutput> {
  const id = taskIdSchema.safeParse(definition.id);
  if (!id.success) throw ValidationError.fromZod(id.error, 'id');
  if (typeof definition.run !== 'function') throw new ValidationError('run', 'must be a function');
  return { id: definition.id, input: definition.input as TSchema, run: definition.run };
}
