import type { ScheduledWork } from '../../machines/task-machine.js';
import { ValidationError } from '../core/errors.js';
import { decodeInput, encodeInput } from '../core/input-codec.js';
import { scheduleRequestSchema, toTaskRequest, type TaskRecord } from '../core/schemas.js';
import type { TaskDefinition } from '../define-task.js';
import { newRecord, parseInput } from './task-records.js';

/** A `schedule()` argument errand has accepted: the record to store and the task it is for. */
export interface AcceptedRequest {
  record: TaskRecord;
  definition: TaskDefinition;
  onConflict: 'replace' | 'keep';
}

/**
 * Validates a `schedule()` argument and takes what it stores at that moment: the input is encoded
 * now (a caller mutating its object later changes nothing) and checked against the task's schema
 * (the encoding is exact, so the input as given and as stored parse alike). Throws ValidationError
 * naming the field. The worker's input is decoded from the stored text only when the work goes
 * live (`liveWork`): dormant work never pays for it.
 */
export function acceptRequest(
  request: unknown,
  definitionFor: (taskId: string) => TaskDefinition | undefined,
  now: number,
): AcceptedRequest {
  const parsed = scheduleRequestSchema.safeParse(request);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const { taskId, onConflict } = parsed.data;
  const definition = definitionFor(taskId);
  if (!definition) throw new ValidationError('taskId', `no task registered for ${taskId}`);
  const inputText = encodeInput(parsed.data.input);
  const input = parseInput(definition, parsed.data.input);
  if (!input.success) throw ValidationError.fromZod(input.error, 'input');
  return { record: newRecord(toTaskRequest(parsed.data), inputText, now), definition, onConflict };
}

/** The work an accepted request stands for, with the input decoded from what was stored: what the worker gets. */
export function liveWork({ record, definition }: AcceptedRequest): ScheduledWork {
  const input = parseInput(definition, decodeInput(record.input));
  // The same text parsed at schedule(): only a schema that is not deterministic could fail here.
  if (!input.success) throw ValidationError.fromZod(input.error, 'input');
  return { request: record.request, inputText: record.input, input: input.data, run: definition.run };
}
