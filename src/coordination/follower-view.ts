import type { Activations } from '../activation/activations.js';
import { FinishedTasks } from '../activation/listeners.js';
import type { TaskSnapshot } from '../core/types.js';

/**
 * What a follower knows of the leader's tasks: the latest snapshot of each one not finished (bounded
 * like the finished ones), fed to this context's listeners and `result()` waits as if local.
 */
export class FollowerView {
  private readonly live: FinishedTasks;

  constructor(
    private readonly tasks: Activations,
    limit: number,
  ) {
    this.live = new FinishedTasks(limit);
  }

  get(taskId: string): TaskSnapshot | undefined {
    return this.live.get(taskId);
  }

  values(): IterableIterator<TaskSnapshot> {
    return this.live.values();
  }

  /** The leader's changes, in order. A TaskId this context runs itself (a runNow) keeps its own view. */
  changed(snapshots: readonly TaskSnapshot[]): void {
    for (const snapshot of snapshots) {
      if (this.tasks.get(snapshot.taskId)) continue;
      if (snapshot.status === 'done' || snapshot.status === 'cancelled') this.live.delete(snapshot.taskId);
      else this.live.set(snapshot);
      this.tasks.notifyDormant(snapshot);
    }
  }

  /** This context leads now: its own activations are the truth. */
  clear(): void {
    for (const snapshot of [...this.live.values()]) this.live.delete(snapshot.taskId);
  }
}
