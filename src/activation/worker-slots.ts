import { BTree } from '../../adapters/stores/btree.js';
import type { SlotWaiter, WorkerSlotsView } from '../../machines/task-environment.js';
import type { TaskDefinition } from '../define-task.js';

/** A due task in line for a worker slot. */
interface Waiter {
  readonly taskId: string;
  readonly dueAt: number;
  /** When it got in line: ties on `dueAt` go to the first in. */
  readonly seq: number;
  readonly actor: SlotWaiter;
  readonly group: SlotGroup;
}

const inDueOrder = (a: Waiter, b: Waiter): number => a.dueAt - b.dueAt || a.seq - b.seq;
const SLOT_FREE = Object.freeze({ type: 'SLOT_FREE' as const });

/** The workers of one limited definition (or of every unlimited one, under an orchestrator-wide limit). */
class SlotGroup {
  running = 0;
  readonly line = new BTree<Waiter, undefined>(undefined, inDueOrder);
  /** Its first waiter while it is listed among the heads (it has room and someone in line). */
  listedAs: Waiter | null = null;

  constructor(readonly limit: number) {}
}

export interface WorkerSlotsDeps {
  /** The orchestrator-wide limit (`maxConcurrentWorkers`), if any. */
  maxConcurrentWorkers: number | undefined;
  definitionFor(taskId: string): TaskDefinition | undefined;
  /** Some registered definition has a `concurrency` (fixed once the orchestrator starts). */
  anyTaskLimit(): boolean;
  /** False after shutdown: no slot is handed out then. */
  gateOpen(): boolean;
}

/**
 * Worker slots: how many workers run per limited definition (across its instances `name/*`) and
 * in all, and who waits for one. Each group keeps its waiters in due order; `heads` holds the
 * first waiter of every group with room, so the earliest due waiter that fits is the smallest
 * head: every step is O(log n). With no limit set nothing is counted (`groupFor` is null).
 */
export class WorkerSlots implements WorkerSlotsView {
  private running = 0;
  private readonly limit: number;
  /** Tasks without a limit of their own, counted only under an orchestrator-wide limit. */
  private readonly unlimited: SlotGroup | null;
  private readonly groups = new Map<TaskDefinition, SlotGroup>();
  private readonly waiting = new Map<string, Waiter>();
  private readonly heads = new BTree<Waiter, SlotGroup>(undefined, inDueOrder);
  private seq = 0;
  private drainQueued = false;

  constructor(private readonly deps: WorkerSlotsDeps) {
    this.limit = deps.maxConcurrentWorkers ?? Infinity;
    this.unlimited = deps.maxConcurrentWorkers === undefined ? null : new SlotGroup(Infinity);
  }

  /** Some limit is set: only then does the order tasks are dispatched in matter. */
  limited(): boolean {
    return this.unlimited !== null || this.deps.anyTaskLimit();
  }

  free(taskId: string): boolean {
    const group = this.groupFor(taskId);
    if (group === null) return true;
    // Waiters while there is room means a drain is due: a newcomer gets in line behind those it would pass.
    return this.fits(group) && group.line.size === 0 && (this.limit === Infinity || this.heads.size === 0);
  }

  take(taskId: string): void {
    const group = this.groupFor(taskId);
    if (group === null) return;
    group.running++;
    this.running++;
    this.relist(group);
  }

  release(taskId: string): void {
    const group = this.groupFor(taskId);
    if (group === null) return;
    group.running--;
    this.running--;
    this.relist(group);
    this.drainSoon();
  }

  wait(taskId: string, dueAt: number, actor: SlotWaiter): void {
    if (this.waiting.has(taskId)) return;
    const group = this.groupFor(taskId);
    if (group === null) return void actor.send(SLOT_FREE); // nothing limits it
    const waiter: Waiter = { taskId, dueAt, seq: ++this.seq, actor, group };
    this.waiting.set(taskId, waiter);
    group.line.set(waiter, undefined);
    this.relist(group);
  }

  leave(taskId: string): void {
    const waiter = this.waiting.get(taskId);
    if (!waiter) return;
    this.waiting.delete(taskId);
    waiter.group.line.delete(waiter);
    this.relist(waiter.group);
  }

  private groupFor(taskId: string): SlotGroup | null {
    if (!this.deps.anyTaskLimit()) return this.unlimited;
    const definition = this.deps.definitionFor(taskId);
    if (definition?.concurrency === undefined) return this.unlimited;
    let group = this.groups.get(definition);
    if (!group) this.groups.set(definition, (group = new SlotGroup(definition.concurrency)));
    return group;
  }

  private fits(group: SlotGroup): boolean {
    return group.running < group.limit && this.running < this.limit;
  }

  /** Lists the group's first waiter among the heads while it has room, under its current key. */
  private relist(group: SlotGroup): void {
    if (group.listedAs === null && group.line.size === 0) return; // the common case: nobody waits
    const head = group.running < group.limit ? (group.line.minKey() ?? null) : null;
    if (head === group.listedAs) return;
    if (group.listedAs) this.heads.delete(group.listedAs);
    group.listedAs = head;
    if (head) this.heads.set(head, group);
  }

  /**
   * Hands freed slots out after the current transition has finished (a slot freed and taken
   * again in one step, as when runNow takes over a running task, hands nothing out).
   */
  private drainSoon(): void {
    if (this.drainQueued || this.heads.size === 0 || this.running >= this.limit) return;
    this.drainQueued = true;
    queueMicrotask(() => {
      this.drainQueued = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.running < this.limit && this.deps.gateOpen()) {
      const head = this.heads.minKey();
      if (!head) return;
      this.leave(head.taskId);
      // It starts at once (take); if it cannot (its actor is gone), the loop goes on down the line.
      head.actor.send(SLOT_FREE);
    }
  }
}
