import type { TaskSnapshot } from './types.js';

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

/** Snapshots of finished tasks; past `limit`, the oldest are forgotten. */
export class FinishedTasks {
  private byId = new Map<string, TaskSnapshot>();
  constructor(private readonly limit: number) {}

  set(snapshot: TaskSnapshot): void {
    this.byId.delete(snapshot.taskId);
    this.byId.set(snapshot.taskId, snapshot);
    // Evict in bulk: deleting a Map's oldest key one at a time leaves holes that every
    // later `keys().next()` walks over, which turns eviction quadratic.
    if (this.byId.size > this.limit + (this.limit >> 2) + 1) {
      const keep = [...this.byId].slice(-this.limit);
      this.byId = new Map(keep);
    }
  }

  get(taskId: string): TaskSnapshot | undefined {
    return this.byId.get(taskId);
  }

  delete(taskId: string): void {
    this.byId.delete(taskId);
  }

  values(): IterableIterator<TaskSnapshot> {
    return this.byId.values();
  }
}
