import type { DBSchema } from 'idb';
import type { PersistedStatus, TaskRecord } from '../../src/core/schemas.js';

/**
 * One record is one row of `tasks`, keyed by TaskId: the record itself (structured clone, input as the
 * text the core encoded) and copies of the fields the queries order and filter by. A copy is present
 * only when its index should hold the row (IndexedDB leaves a row out of an index whose key it lacks),
 * so `due` holds only runnable rows and `held` and `ephemeral` only the few rows they are about.
 * The record is the truth; a row whose copies disagree with it is quarantined.
 */
export interface TaskRow {
  key: string;
  record: TaskRecord;
  status: PersistedStatus;
  /** `record.dueAt`, when `record.held === null`. */
  due?: number;
  /** The TaskId, when the record is held. */
  heldKey?: string;
  /** The TaskId, when the record is ephemeral. */
  ephemeralKey?: string;
}

/** A row set aside by a read, kept as it was found; errand never deletes these. */
export interface QuarantineRow {
  key: string;
  data: unknown;
  reason: string;
  quarantinedAt: number;
}

export interface ErrandDb extends DBSchema {
  tasks: {
    key: string;
    value: TaskRow;
    indexes: { due: [number, string]; status: [string, string]; held: string; ephemeral: string };
  };
  quarantine: { key: number; value: QuarantineRow };
}

export const TASKS = 'tasks';
export const QUARANTINE = 'quarantine';
