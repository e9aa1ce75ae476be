import type { ScheduledWork } from '../../machines/task-machine.js';
import { ValidationError } from '../core/errors.js';
import { decodeInput, encodeInput } from '../core/input-codec.js';
import { scheduleRequestSchema, toTaskRequest, type TaskRecord } from '../core/schemas.js';
import type { TaskDefinition } from '../define-task.js';
import { newRecord, parseInput } from './task-records.js';

/** A `schedule()` argument errand has accepted: the record to store and the work it stands for. */
export interface AcceptedRequest {
  record: TaskRecord;
  work: ScheduledWork;
  onConflict: 'replace' | 'keep';
}

/**
 * Validates a `schedule()` argument and takes what it stores at that moment: the input is encoded
 * now (a caller mutating its object later changes nothing), and the worker gets the input decoded
 * back and parsed, exactly as it would after a restart. Throws ValidationError naming the field.
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
  const input = parseInput(definition, inputText === null ? undefined : decodeInput(inputText));
  if (!input.success) throw ValidationError.fromZod(input.error, 'input');
  const record = newRecord(toTaskRequest(parsed.data), inputText, now);
  return { record, work: { request: record.request, inputText, input: input.data, run: definition.run }, onConflict };
}
