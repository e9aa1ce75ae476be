import type { TaskRecord } from '../../src/core/schemas.js';
import type { StoreBatch, StorePort } from '../../src/core/ports.js';

export interface MemoryStore extends StorePort {
  /** The records currently kept, for tests and debugging. */
  records(): TaskRecord[];
}

/** Keeps records in this process only: nothing outlives it. The default store. */
export function memoryStore(initial: Iterable<TaskRecord> = []): MemoryStore {
  const byId = new Map<string, TaskRecord>();
  for (const record of initial) byId.set(record.taskId, record);
  return {
    async load() {
      return { records: [...byId.values()], quarantined: [] };
    },
    async write(batch: StoreBatch) {
      for (const taskId of batch.delete) byId.delete(taskId);
      for (const record of batch.put) byId.set(record.taskId, record);
    },
    records: () => [...byId.values()],
  };
}
