// The contract between the devtools panel and what feeds it: an orchestrator in this page
// (devtoolsSourceOf, src/devtools/local-source.ts) or one in a Node process, over a WebSocket
// (remoteDevtoolsSource). Everything crossing it is JSON-safe so the two are interchangeable.
import type { ScheduleRequest } from '../core/schemas.js';
import type { TaskSnapshot } from '../core/types.js';

/** One event a task's actor received, as the panel logs it. */
export interface DevtoolsTaskEvent {
  taskId: string;
  /** Orchestrator clock, epoch ms. */
  at: number;
  /** The XState event type (SCHEDULE, RUN_NOW, CANCEL, WORK_DONE, ...). */
  type: string;
  /** The event's other fields made JSON-safe (functions, signals and errors described, not sent). */
  detail: Record<string, unknown>;
  /** The task's state before and after the event ('running' -> 'running' for a pre-empting runNow). */
  from: string | null;
  to: string;
}

/** What the panel reads and does. A source attaches no inspection observer until someone watches. */
export interface DevtoolsSource {
  /** Tasks known now, synchronously (a remote source answers from its mirror). */
  tasks(): readonly TaskSnapshot[];
  /** Called after tasks() changed; returns unsubscribe. */
  subscribeTasks(listener: () => void): () => void;
  /** Every task event from now on; the first watcher attaches the inspection observer, the last one detaches it. */
  watchTaskEvents(listener: (event: DevtoolsTaskEvent) => void): () => void;
  /** The last request accepted for a TaskId, while the source still knows it (for "run again"). */
  requestOf(taskId: string): ScheduleRequest | undefined;
  /**
   * Optional (added after the first contract): keeps a TaskId active while the panel shows it, so a
   * dormant task's request becomes known (an orchestrator activates it from its record). Returns release.
   */
  observeTask?(taskId: string): () => void;
  cancel(taskId: string): Promise<void>;
  schedule(request: ScheduleRequest): Promise<void>;
  now(): number;
}
