// What the BullMQ engine needs of the backend BullMQ runs on, beyond BullMQ's own API: the atomic
// replace-or-mark, intents, errand's TaskId index and a side channel. One implementation per backend
// (redis-fleet.ts, postgres-fleet.ts); the engine itself is backend-agnostic.
import type { Job } from 'bullmq';
import type { TaskSnapshot } from '../../../src/core/types.js';
import type { FleetMessage } from './fleet-messages.js';
import type { Intent, JobData, Placed } from './intents.js';

/** The part of a BullMQ Queue the engine uses (the same on every backend). */
export interface FleetQueue {
  getJob(jobId: string): Promise<Job<JobData> | undefined>;
  getWorkersCount(): Promise<number>;
}

export interface WorkerSettings {
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export interface PlaceEntry {
  taskId: string;
  intent: Intent;
  /** The job to add, due at `dueAt` (epoch ms): its BullMQ timestamp + delay equal that. */
  add: { data: JobData; dueAt: number } | null;
}

export type JobProcessor = (job: Job<JobData>, token?: string) => Promise<unknown>;

export interface Fleet {
  readonly queue: FleetQueue;
  /**
   * In one transaction, for each entry in order: if the TaskId's job is active, leave `intent` on it
   * ('marked'); otherwise remove it and, with `add`, add the new job in its place ('placed'). The TaskId
   * index follows. All or nothing: a batch of writes is one transaction.
   */
  placeOrMark(entries: readonly PlaceEntry[]): Promise<Placed[]>;
  /**
   * The TaskId's job data while its job is live (waiting, delayed, active), in one read: a write
   * sent after it (a cancel's remove) cannot land between its parts.
   */
  read(taskId: string): Promise<JobData | null>;
  /**
   * Takes the intent left on the TaskId's job (and clears it), for the process that now holds it; with
   * `data`, sets the job's data in the same step.
   */
  take(taskId: string, data: JobData | null): Promise<Intent | null>;
  /** A job held here ended: its data (with how it ended) set, and the TaskId out of the index, in one step. */
  finish(taskId: string, data: JobData): Promise<void>;
  /** TaskIds that have a job, in TaskId order (JavaScript `<`), after `after`, starting with `prefix`. */
  indexed(range: { after?: string | undefined; prefix?: string | undefined; limit: number }): Promise<string[]>;
  unindex(taskId: string): Promise<void>;
  nudge(taskId: string): Promise<void>;
  changed(snapshots: readonly TaskSnapshot[]): Promise<void>;
  /**
   * Delivers the side channel's messages; `resumed` runs each time the channel is back after it was
   * lost (what was sent meanwhile is gone: the engine takes the intents of the jobs it holds again).
   */
  listen(listener: (message: FleetMessage) => void, resumed: () => void): Promise<void>;
  worker(processor: JobProcessor, settings: WorkerSettings): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}
