import { ValidationError } from './core/errors.js';
import { taskIdSchema } from './core/schemas.js';
import type { WorkerFn } from './core/types.js';
import { checkConcurrency, type TaskDefinition } from './define-task.js';

/** The registered task definitions; a TaskId `name/instance` runs the definition registered as `name`. */
export class TaskRegistry {
  private readonly byId = new Map<string, TaskDefinition>();
  /** Some definition limits its workers (`concurrency`): only then are slots looked up per task. */
  private limits = false;

  add(definitionOrId: TaskDefinition | string, run?: WorkerFn): void {
    if (typeof definitionOrId !== 'string' && (typeof definitionOrId !== 'object' || definitionOrId === null)) {
      throw new ValidationError('definition', 'must be a task definition (defineTask) or a TaskId');
    }
    const definition: TaskDefinition =
      typeof definitionOrId === 'string' ? { id: definitionOrId, input: undefined, run: run as WorkerFn } : definitionOrId;
    const id = taskIdSchema.safeParse(definition.id);
    if (!id.success) throw ValidationError.fromZod(id.error, 'taskId');
    if (typeof definition.run !== 'function') throw new ValidationError('run', 'must be a function');
    if (definition.id.includes('/')) throw new ValidationError('taskId', 'a registered id cannot contain "/" (it separates instances)');
    if (this.byId.has(definition.id)) throw new ValidationError('taskId', `${definition.id} is already registered`);
    // Checked again: a definition need not come from defineTask.
    if (checkConcurrency(definition.concurrency) !== undefined) this.limits = true;
    this.byId.set(definition.id, definition);
  }

  readonly anyTaskLimit = (): boolean => this.limits;

  /** 'email.send/42' runs the worker registered as 'email.send': one definition, many TaskIds. */
  readonly definitionFor = (taskId: string): TaskDefinition | undefined => {
    const slash = taskId.indexOf('/');
    return this.byId.get(taskId) ?? (slash > 0 ? this.byId.get(taskId.slice(0, slash)) : undefined);
  };
}
