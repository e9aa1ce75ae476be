import { unmetConstraints, type Conditions } from '../core/conditions.js';
import type { Activation, DispatchHost, DispatchPort } from '../core/ports.js';
import type { TaskRecord } from '../core/schemas.js';
import type { TaskSnapshot } from '../core/types.js';
import type { TaskDefinition } from '../define-task.js';
import type { Activations } from './activations.js';
import type { TaskCalls } from './task-calls.js';

export interface EngineHostDeps {
  calls: TaskCalls;
  tasks: Activations;
  definitionFor(taskId: string): TaskDefinition | undefined;
  /** The ready gate is open and the orchestrator not shut down. */
  running(): boolean;
  /** What this process's platform reports now. */
  conditions(): Conditions;
  /** `orchestrator.pause()` holds scheduled work here. */
  paused(): boolean;
}

/** The orchestrator as an engine's dispatcher sees it: activate what fell due, adopt, cancel. */
export function engineHost(deps: EngineHostDeps): DispatchHost {
  return {
    activate(record: TaskRecord): Activation {
      if (record.held !== null) return 'held';
      if (!deps.running() || deps.calls.isActive(record.taskId)) return 'busy';
      // Work this process's conditions do not allow is left for a process whose conditions do.
      if (deps.paused() || unmetConstraints(record.request.constraints, deps.conditions()).length > 0) return 'constrained';
      return deps.calls.activate(record) ? 'activated' : 'held';
    },
    adopt(record: TaskRecord): void {
      const definition = deps.definitionFor(record.taskId);
      if (definition) deps.calls.adopt({ record, definition, onConflict: 'replace' });
    },
    cancel(taskId: string, reason: 'cancelled' | 'preempted'): void {
      deps.tasks.get(taskId)?.actor.send({ type: 'CANCEL', reason });
    },
    changed(snapshot: TaskSnapshot): void {
      // A task active here is its own truth; the others' changes reach listeners as dormant ones do.
      if (deps.tasks.get(snapshot.taskId)) return;
      // Changes are written (and sent) a little after they happen: a state heard after this process
      // knows the work ended is an older one. A new request made here forgets the end first.
      const ended = deps.tasks.finished.get(snapshot.taskId);
      const final = (s: TaskSnapshot) => s.status === 'done' || s.status === 'cancelled';
      if (ended && final(ended) && !final(snapshot)) return;
      deps.tasks.notifyDormant(snapshot);
    },
  };
}

/**
 * Stands where errand's own wake-up timer stands when an engine decides what is due: the first scan
 * (`start()`) starts the engine's dispatcher; dormant work is the engine's to wake, so nothing is armed here.
 */
export class EngineWakeUp {
  private starting: Promise<void> | null = null;

  constructor(
    private readonly dispatch: DispatchPort,
    private readonly host: DispatchHost,
  ) {}

  dormantAt(): void {}

  scan(): Promise<void> {
    this.starting ??= this.dispatch.start(this.host);
    return this.starting;
  }

  /** The dispatcher stops with the engine's store (`close()`), after the last writes. */
  stop(): void {}
}
