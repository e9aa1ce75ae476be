import type { TaskSnapshot } from '../core/types.js';

export type TaskListener = (snapshot: TaskSnapshot) => void;

/** Subscribers to every task or to one TaskId; O(1) to find who cares about a change. */
export class TaskListeners {
  private readonly all = new Set<TaskListener>();
  private readonly byTask = new Map<string, Set<TaskListener>>();

  add(listener: TaskListener, taskId?: string): () => void {
    if (taskId === undefined) {
      this.all.add(listener);
      return () => void this.all.delete(listener);
    }
    let set = this.byTask.get(taskId);
    if (!set) this.byTask.set(taskId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byTask.get(taskId) === set) this.byTask.delete(taskId);
    };
  }

  wants(taskId: string): boolean {
    return this.all.size > 0 || this.byTask.has(taskId);
  }

  notify(snapshot: TaskSnapshot, onError: (error: unknown) => void): void {
    for (const listener of [...this.all, ...(this.byTask.get(snapshot.taskId) ?? [])]) {
      try {
        listener(snapshot);
      } catch (error) {
        onError(error);
      }
    }
  }
}

/** Snapshots of finished tasks; past `limit`, the oldest are forgotten. O(1) per task. */
export class FinishedTasks {
  private readonly byId = new Map<string, { snapshot: TaskSnapshot; slot: number }>();
  /** TaskIds in finishing order; the slot about to be reused holds the oldest. */
  private readonly ring: Array<string | undefined>;
  private next = 0;

  constructor(private readonly limit: number) {
    this.ring = new Array<string | undefined>(Math.max(1, limit));
  }

  set(snapshot: TaskSnapshot): void {
    const slot = this.next;
    this.next = (slot + 1) % this.ring.length;
    const evicted = this.ring[slot];
    // A TaskId that finished again since holds a newer slot: leave it.
    if (evicted !== undefined && this.byId.get(evicted)?.slot === slot) this.byId.delete(evicted);
    this.ring[slot] = snapshot.taskId;
    this.byId.set(snapshot.taskId, { snapshot, slot });
  }

  get(taskId: string): TaskSnapshot | undefined {
    return this.byId.get(taskId)?.snapshot;
  }

  delete(taskId: string): void {
    this.byId.delete(taskId);
  }

  *values(): IterableIterator<TaskSnapshot> {
    for (const { snapshot } of this.byId.values()) yield snapshot;
  }
}
