import type { Conditions, PlatformEvent } from './conditions.js';
import type { TaskRecord } from './schemas.js';

/** Feeds OS or host events into the orchestrator. Adapters live in `adapters/platforms`. */
export interface PlatformPort {
  /** Conditions at the moment the orchestrator subscribes; missing fields count as satisfied. */
  current(): Partial<Conditions>;
  subscribe(listener: (event: PlatformEvent) => void): () => void;
}

/** One group of writes; a store applies it atomically where it can. */
export interface StoreBatch {
  put: TaskRecord[];
  delete: string[];
}

/** A stored record that failed validation on load: set aside, not deleted, not run. */
export interface QuarantinedRecord {
  /** The store's key for it (usually the TaskId). */
  key: string;
  /** Why it was set aside (the first validation issue, or the parse error). */
  reason: string;
}

export interface StoreLoad {
  records: TaskRecord[];
  quarantined: QuarantinedRecord[];
}

/** Keeps scheduled work across restarts. Adapters live in `adapters/stores`. */
export interface StorePort {
  /** Every valid record; invalid ones are moved aside and listed in `quarantined`. */
  load(): Promise<StoreLoad>;
  write(batch: StoreBatch): Promise<void>;
  close?(): Promise<void>;
}
