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

/** Keeps scheduled work across restarts. Adapters live in `adapters/stores`. */
export interface StorePort {
  load(): Promise<TaskRecord[]>;
  write(batch: StoreBatch): Promise<void>;
  close?(): Promise<void>;
}
