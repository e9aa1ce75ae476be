import type { z } from 'zod';
import { ValidationError } from './core/errors.js';
import { taskIdSchema, workerLimitSchema } from './core/schemas.js';
import type { WorkContext, WorkerFn } from './core/types.js';

export type InputSchema = z.ZodType | undefined;
export type InputOf<TSchema extends InputSchema> = TSchema extends z.ZodType ? z.output<TSchema> : undefined;
/** What `schedule()` accepts as `input` for this schema (before parsing, so coercions apply). */
export type RawInputOf<TSchema extends InputSchema> = TSchema extends z.ZodType ? z.input<TSchema> : undefined;

export interface TaskDefinition<TId extends string = string, TSchema extends InputSchema = InputSchema, TOutput = unknown> {
  readonly id: TId;
  readonly input: TSchema;
  /** At most this many workers of this task at once, across its instances `id/*`; unlimited when undefined. */
  readonly concurrency?: number | undefined;
  // Method syntax keeps definitions with specific inputs assignable to TaskDefinition.
  run(context: WorkContext<InputOf<TSchema>>): ReturnType<WorkerFn<InputOf<TSchema>, TOutput>>;
}

/** Declares a scheduled task: its TaskId, the zod schema of its input, its worker and its worker limit. */
export function defineTask<const TId extends string, TSchema extends InputSchema = undefined, TOutput = unknown>(definition: {
  id: TId;
  input?: TSchema;
  run: WorkerFn<InputOf<TSchema>, TOutput>;
  /** At most this many of its workers at once (scheduled work waits, `constrained` with 'concurrency'). */
  concurrency?: number;
}): TaskDefinition<TId, TSchema, TOutput> {
  const id = taskIdSchema.safeParse(definition.id);
  if (!id.success) throw ValidationError.fromZod(id.error, 'id');
  if (typeof definition.run !== 'function') throw new ValidationError('run', 'must be a function');
  const concurrency = checkConcurrency(definition.concurrency);
  return { id: definition.id, input: definition.input as TSchema, run: definition.run, concurrency };
}

/** A definition's `concurrency`: undefined (no limit) or a whole number of workers, 1 or more. */
export function checkConcurrency(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const parsed = workerLimitSchema.safeParse(value);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'concurrency');
  return parsed.data;
}
