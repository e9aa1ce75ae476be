// The events the panel has seen, per TaskId, while it was open: bounded, oldest dropped first.
import type { DevtoolsTaskEvent } from './source.js';

const NONE: readonly DevtoolsTaskEvent[] = Object.freeze([]);

export class TaskEventLog {
  private readonly byTask = new Map<string, readonly DevtoolsTaskEvent[]>();
  private readonly listeners = new Set<() => void>();
  /** Bumped on every event, for useSyncExternalStore. */
  version = 0;

  constructor(
    private readonly perTask = 200,
    private readonly maxTasks = 500,
  ) {}

  add = (event: DevtoolsTaskEvent): void => {
    const previous = this.byTask.get(event.taskId) ?? NONE;
    const kept = previous.slice(Math.max(0, previous.length + 1 - this.perTask));
    kept.push(event);
    this.byTask.delete(event.taskId);
    this.byTask.set(event.taskId, Object.freeze(kept));
    if (this.byTask.size > this.maxTasks) {
      const oldest = this.byTask.keys().next().value;
      if (oldest !== undefined) this.byTask.delete(oldest);
    }
    this.version++;
    for (const listener of [...this.listeners]) listener();
  };

  /** The TaskId's events, oldest first; the same array until it gets another. */
  of(taskId: string): readonly DevtoolsTaskEvent[] {
    return this.byTask.get(taskId) ?? NONE;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };
}

/** What an event did, in words, where the states alone do not say it (a pre-emption, a lost constraint). */
export function describeEvent(event: DevtoolsTaskEvent): string {
  const { type, from, to, detail } = event;
  switch (type) {
    case 'xstate.init':
      return `actor started in ${to}`;
    case 'RUN_NOW':
      return from === 'running' ? 'runNow pre-empted the run in flight' : 'runNow took the TaskId over';
    case 'SCHEDULE':
      return from === 'running' ? 'scheduled again: the run in flight was aborted' : 'scheduled';
    case 'CANCEL':
      return `cancelled (${String(detail['reason'] ?? 'cancelled')})${from === 'running' ? ': the run in flight was aborted' : ''}`;
    case 'CALLER_ABORTED':
      return to === 'cancelled' ? "the runNow caller's signal aborted" : 'an earlier caller aborted (ignored)';
    case 'CONDITIONS_CHANGED':
      if (from === 'running' && to === 'constrained') return 'run aborted: its constraints no longer hold (the attempt is not counted)';
      return to === 'running' ? 'constraints met: running' : 'conditions changed';
    case 'SLOT_FREE':
      return 'a worker slot came free';
    case 'GATE_OPENED':
      return 'orchestrator started: overdue work may run';
    case 'PROGRESS':
      return typeof detail['value'] === 'number' ? `progress ${Math.round(detail['value'] * 100)}%` : 'progress';
    case 'WORK_DONE':
      if (to === 'backoff') return 'the worker asked for a retry';
      return from === to ? 'a superseded run finished (ignored)' : 'the worker returned';
    case 'WORK_FAILED': {
      const error = detail['error'];
      const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : 'failed';
      return from === to ? `a superseded run threw (ignored): ${message}` : `the worker threw: ${message}`;
    }
  }
  if (type.startsWith('xstate.after.')) return from === to ? 'timer fired' : 'due (its timer fired)';
  return '';
}
