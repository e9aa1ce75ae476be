// Interim (naive) memory store on StorePort v2; replaced by the ordered-index version from the stores branch.
import type { DueQuery, ListQuery, StoreBatch, StorePort, StoreRead } from '../../src/core/ports.js';
import type { TaskRecord } from '../../src/core/schemas.js';

export interface MemoryStore extends StorePort {
  records(): TaskRecord[];
}

const read = (records: TaskRecord[]): StoreRead => ({ records, quarantined: [] });
const byDue = (a: TaskRecord, b: TaskRecord) => a.dueAt - b.dueAt || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);

export function memoryStore(initial: Iterable<TaskRecord> = []): MemoryStore {
  const byId = new Map<string, TaskRecord>();
  for (const record of initial) byId.set(record.taskId, record);
  return {
    async open() {
      for (const [id, record] of byId) if (record.request.ephemeral) byId.delete(id);
    },
    async write(batch: StoreBatch) {
      for (const taskId of batch.delete) byId.delete(taskId);
      for (const record of batch.put) byId.set(record.taskId, record);
    },
    async get(taskId: string) {
      const record = byId.get(taskId);
      return read(record ? [record] : []);
    },
    async due({ after, until, limit }: DueQuery) {
      const all = [...byId.values()].filter(
        (r) => r.held === null && r.dueAt <= until && (!after || r.dueAt > after.dueAt || (r.dueAt === after.dueAt && r.taskId > after.taskId)),
      );
      return read(all.sort(byDue).slice(0, limit));
    },
    async nextDueAt(after: number) {
      let best: number | null = null;
      for (const r of byId.values()) if (r.held === null && r.dueAt > after && (best === null || r.dueAt < best)) best = r.dueAt;
      return best;
    },
    async list({ after, prefix, status, limit }: ListQuery) {
      const all = [...byId.values()].filter(
        (r) => (after === undefined || r.taskId > after) && (prefix === undefined || r.taskId.startsWith(prefix)) && (status === undefined || r.status === status),
      );
      return read(all.sort((a, b) => (a.taskId < b.taskId ? -1 : 1)).slice(0, limit));
    },
    async held() {
      return read([...byId.values()].filter((r) => r.held !== null));
    },
    records: () => [...byId.values()],
  };
}
