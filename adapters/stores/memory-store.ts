import type { DueQuery, ListQuery, StoreBatch, StoreOpenOptions, StorePort, StoreRead } from '../../src/core/ports.js';
import type { TaskRecord } from '../../src/core/schemas.js';
import { MemoryIndex } from './memory-index.js';
import { checkBatch, checkDueQuery, checkInstant, checkListQuery, checkTaskId } from './store-queries.js';

export interface MemoryStore extends StorePort {
  /** The records currently kept, in TaskId order, for tests and debugging. */
  records(): TaskRecord[];
}

const read = (records: TaskRecord[]): StoreRead => ({ records, quarantined: [] });

/**
 * Keeps records in this process only: nothing outlives it. The default store. Records are kept as
 * the values they were given, in ordered indexes (B+ trees), so `write` is O(log n) a record and
 * `due`, `nextDueAt` and `list` are O(log n) plus the page. It needs no opening: `open()` only
 * erases ephemeral records, as a new process would find them gone.
 */
export function memoryStore(initial: Iterable<TaskRecord> = []): MemoryStore {
  const index = new MemoryIndex();
  const apply = (batch: StoreBatch) => {
    checkBatch(batch);
    for (const taskId of batch.delete) index.remove(taskId);
    for (const record of batch.put) index.add(record);
  };
  apply({ put: [...initial], delete: [] });

  return {
    async open(options?: StoreOpenOptions) {
      if (!options?.keepEphemeral) index.removeEphemeral();
    },
    async write(batch: StoreBatch) {
      apply(batch);
    },
    async get(taskId: string) {
      const record = index.get(checkTaskId(taskId));
      return read(record ? [record] : []);
    },
    async due(query: DueQuery) {
      return read(index.due(checkDueQuery(query)));
    },
    async nextDueAt(after: number) {
      return index.nextDueAt(checkInstant('after', after));
    },
    async list(query: ListQuery) {
      return read(index.list(checkListQuery(query)));
    },
    async held() {
      return read(index.held());
    },
    records: () => index.all(),
  };
}
