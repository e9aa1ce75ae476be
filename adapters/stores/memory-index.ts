import type { DueCursor, DueQuery, ListQuery } from '../../src/core/ports.js';
import type { PersistedStatus, TaskRecord } from '../../src/core/schemas.js';
import { BTree } from './btree.js';
import { compareDue, compareIds } from './store-queries.js';

/*
 * The trees are B+ trees in "set mode": the key is the record itself and there are no values, so
 * an index costs one pointer a record (it matters at a million dormant tasks). Lookups use probe
 * keys that carry only the fields the comparators read.
 */
interface Keyed {
  readonly taskId: string;
}

/** A position in due order; `last` sorts after every TaskId at that `dueAt` (for `nextDueAt`). */
interface DueKey extends DueCursor {
  readonly last?: true;
}

type ByIdTree = BTree<Keyed, undefined>;
type DueTree = BTree<DueKey, undefined>;

const byTaskId = (a: Keyed, b: Keyed) => compareIds(a.taskId, b.taskId);
const byDue = (a: DueKey, b: DueKey) => {
  if (a.dueAt !== b.dueAt) return compareDue(a, b);
  if (a.last || b.last) return a.last && b.last ? 0 : a.last ? 1 : -1;
  return compareIds(a.taskId, b.taskId);
};

const newIdTree = (): ByIdTree => new BTree<Keyed, undefined>(undefined, byTaskId);

/** Every key in these trees is a record put by `add`; probes are only ever searched for. */
const recordOf = (key: Keyed): TaskRecord => key as TaskRecord;

/**
 * Ordered indexes over the records of a memory store: every change and every page read is
 * O(log n) plus the page, whatever the number of records.
 */
export class MemoryIndex {
  private readonly byId = newIdTree();
  private readonly byStatus: Record<PersistedStatus, ByIdTree> = {
    pending: newIdTree(),
    constrained: newIdTree(),
    running: newIdTree(),
    backoff: newIdTree(),
  };
  /** Runnable records (`held === null`) only: held records are never due. */
  private readonly runnable: DueTree = new BTree<DueKey, undefined>(undefined, byDue);
  private readonly heldRecords = newIdTree();
  /** TaskIds of ephemeral records, so `open()` erases them without a scan. */
  private readonly ephemeral = new Set<string>();

  get(taskId: string): TaskRecord | undefined {
    const found = this.byId.getPairOrNextHigher({ taskId });
    return found && found[0].taskId === taskId ? recordOf(found[0]) : undefined;
  }

  add(record: TaskRecord): void {
    this.remove(record.taskId);
    this.byId.set(record, undefined);
    this.byStatus[record.status].set(record, undefined);
    if (record.held === null) this.runnable.set(record, undefined);
    else this.heldRecords.set(record, undefined);
    if (record.request.ephemeral) this.ephemeral.add(record.taskId);
  }

  remove(taskId: string): void {
    const old = this.get(taskId);
    if (!old) return;
    this.byId.delete(old);
    this.byStatus[old.status].delete(old);
    if (old.held === null) this.runnable.delete(old);
    else this.heldRecords.delete(old);
    this.ephemeral.delete(taskId);
  }

  removeEphemeral(): void {
    for (const taskId of [...this.ephemeral]) this.remove(taskId);
  }

  due({ after, until, limit }: DueQuery): TaskRecord[] {
    const first = after === null ? this.runnable.minKey() : this.runnable.nextHigherKey(after);
    const page: TaskRecord[] = [];
    if (first === undefined || limit === 0) return page;
    for (const key of this.runnable.keys(first)) {
      if (key.dueAt > until) break;
      page.push(recordOf(key));
      if (page.length >= limit) break;
    }
    return page;
  }

  nextDueAt(after: number): number | null {
    return this.runnable.nextHigherKey({ dueAt: after, taskId: '', last: true })?.dueAt ?? null;
  }

  list({ after, prefix = '', status, limit }: ListQuery): TaskRecord[] {
    const tree = status === undefined ? this.byId : this.byStatus[status];
    // Start at the prefix, or just past `after` when that is further on.
    const first = after !== undefined && after >= prefix ? tree.nextHigherKey({ taskId: after }) : tree.getPairOrNextHigher({ taskId: prefix })?.[0];
    const page: TaskRecord[] = [];
    if (first === undefined || limit === 0) return page;
    for (const key of tree.keys(first)) {
      if (!key.taskId.startsWith(prefix)) break;
      page.push(recordOf(key));
      if (page.length >= limit) break;
    }
    return page;
  }

  held(): TaskRecord[] {
    return this.heldRecords.keysArray().map(recordOf);
  }

  all(): TaskRecord[] {
    return this.byId.keysArray().map(recordOf);
  }
}
