import type { DispatchPort, QuarantinedRecord, StorePort } from '../core/ports.js';
import type { TaskRecord } from '../core/schemas.js';
import type { Logger, TaskSnapshot } from '../core/types.js';
import { liveWork, type AcceptedRequest } from '../persistence/accept-request.js';
import type { Persister } from '../persistence/persister.js';
import { snapshotOfRecord } from '../persistence/task-records.js';
import type { Activations } from './activations.js';
import { OpOrder } from './op-order.js';
import { mergePage, storeStatusOf, type ParsedTaskQuery, type TaskPage } from './task-pages.js';
import type { WakeUp } from './wake-up.js';

export interface TaskCallsDeps {
  store: StorePort;
  persister: Persister;
  tasks: Activations;
  wakeUp: Pick<WakeUp, 'dormantAt'>;
  logger: Logger;
  /** Opens the store once; every read waits for it. */
  open(): Promise<void>;
  quarantined(items: readonly QuarantinedRecord[]): void;
  /** True once the orchestrator shut down: nothing is made live after that. */
  stopped(): boolean;
  /**
   * An engine decides where due work runs (`Engine`): a schedule() here never activates the work
   * here by itself (the engine hands it to whichever process takes it), and runNow claims the TaskId there.
   */
  engine?: Pick<DispatchPort, 'claim' | 'lastEnd'> | undefined;
}

/**
 * What the public calls do to one TaskId, active or dormant, in call order: "the last call wins".
 * A schedule writes its record first and makes the work live once that is durable; a call made on
 * the TaskId meanwhile supersedes it. Dormant TaskIds are read from the store, never held here.
 */
export class TaskCalls {
  readonly ops = new OpOrder();
  /** Observed TaskIds whose record is being read to activate them. */
  private readonly activating = new Map<string, Promise<void>>();
  /**
   * Records of schedule() calls that were refused because their write failed. A store that is not
   * atomic may still have kept one; such a record is held when met, never run. Empty unless writes fail.
   */
  private readonly refused = new Map<string, TaskRecord>();

  constructor(private readonly deps: TaskCallsDeps) {}

  /** Activates a stored record, unless it is one a refused schedule() left behind (then it is held); false when held. */
  activate(record: TaskRecord): boolean {
    const refused = this.refused.get(record.taskId);
    if (refused && refused.updatedAt === record.updatedAt && refused.dueAt === record.dueAt && refused.input === record.input) {
      this.deps.tasks.hold(record, 'its schedule() was refused (the store write failed) but the store kept it');
      return false;
    }
    return this.deps.tasks.activate(record);
  }

  /** Another process replaced the request of a task active here (an engine tells): it takes the new one. */
  adopt(accepted: AcceptedRequest): void {
    if (this.deps.tasks.get(accepted.record.taskId)) this.deliver(accepted);
  }

  /** The TaskId has an actor, or one is on its way: the wake-up scan leaves it alone. */
  isActive(taskId: string): boolean {
    return this.deps.tasks.get(taskId) !== undefined || this.activating.has(taskId);
  }

  /** runNow takes the TaskId over: a scheduled request for it (dormant, or on its way) is dropped. */
  takeOver(taskId: string, mayHaveStoredWork: boolean): void {
    const live = this.deps.tasks.get(taskId);
    if (!live) this.deps.engine?.claim(taskId);
    if ((!live && mayHaveStoredWork) || this.ops.inFlight(taskId)) void this.forget(taskId).catch(() => {});
  }

  cancel(taskId: string): Promise<void> {
    const entry = this.deps.tasks.get(taskId);
    if (entry) {
      entry.actor.send({ type: 'CANCEL', reason: 'cancelled' });
      return this.forget(taskId);
    }
    // Read before the delete is queued: the store answers with what is being cancelled.
    const prior = this.readRecord(taskId);
    const forgotten = this.forget(taskId);
    void prior
      .then((record) => {
        if (!record) return;
        this.deps.tasks.notifyDormant({ ...snapshotOfRecord(record), status: 'cancelled', nextRunAt: null, cancelReason: 'cancelled' });
      })
      .catch((error: unknown) => this.deps.logger.error(`errand: reading ${taskId} to cancel it failed`, error));
    return forgotten;
  }

  /** Every task, active and dormant (a store with many records is deleted page by page). */
  async cancelAll(): Promise<void> {
    for (const entry of this.deps.tasks.entries()) entry.actor.send({ type: 'CANCEL', reason: 'cancelled' });
    await this.deps.open();
    for (let after: string | undefined; ; ) {
      const page = await this.deps.store.list({ after, limit: 1_000 });
      await Promise.all(page.records.map((record) => this.cancel(record.taskId)));
      if (page.records.length + page.quarantined.length < 1_000 || page.records.length === 0) break;
      after = page.records[page.records.length - 1]!.taskId;
    }
    return this.deps.persister.written();
  }

  /** A dormant task's snapshot, from what is on its way to the store or from the store. */
  async dormant(taskId: string): Promise<TaskSnapshot | undefined> {
    const record = await this.readRecord(taskId);
    if (record) return snapshotOfRecord(record);
    // Under an engine the work may have ended in another process: the engine may still know how.
    return record === null || !this.deps.engine?.lastEnd || this.deps.tasks.get(taskId) ? undefined : this.deps.engine.lastEnd(taskId);
  }

  /**
   * The TaskId's record as this process last wrote it (on its way to the store), else as the store
   * has it; null or undefined when there is none. The store read is issued before this returns to
   * the event loop, so it sees nothing queued after the call.
   */
  private readRecord(taskId: string): Promise<TaskRecord | null | undefined> {
    const pending = this.deps.persister.peek(taskId);
    if (pending !== undefined) return Promise.resolve(pending);
    return this.deps
      .open()
      .then(() => this.deps.store.get(taskId))
      .then((read) => {
        this.deps.quarantined(read.quarantined);
        return read.records[0];
      });
  }

  async list(query: ParsedTaskQuery, inMemory: () => Iterable<TaskSnapshot>): Promise<TaskPage> {
    const status = storeStatusOf(query);
    let stored = null;
    if (status !== null) {
      await this.deps.persister.written().catch(() => {});
      await this.deps.open();
      stored = await this.deps.store.list({ after: query.after, prefix: query.prefix, status, limit: query.limit });
      this.deps.quarantined(stored.quarantined);
    }
    return mergePage(stored, inMemory(), query);
  }

  /** Stores the request, then (unless a later call on the TaskId superseded it) makes it live. */
  /** Resolves with `handle` (schedule()'s answer) in the same step, so the hot path makes no extra promise. */
  commit<H>(accepted: AcceptedRequest, handle: H, ticket = this.ops.begin(accepted.record.taskId)): Promise<H> {
    const { taskId } = accepted.record;
    this.ops.touch(taskId);
    // Under an engine the work may run (and end) in another process before this write's answer
    // arrives here: the TaskId's earlier end is forgotten now, so an end heard meanwhile is kept.
    if (this.deps.engine && !this.deps.tasks.get(taskId)) this.deps.tasks.notifyDormant(snapshotOfRecord(accepted.record));
    return this.deps.persister.put(accepted.record).then(
      () => {
        this.refused.delete(taskId);
        const latest = this.ops.isLatest(taskId, ticket);
        this.ops.end(taskId, ticket);
        if (latest) this.deliver(accepted);
        return handle;
      },
      (error: unknown) => {
        this.refused.set(taskId, accepted.record);
        this.ops.end(taskId, ticket);
        throw error;
      },
    );
  }

  private deliver(accepted: AcceptedRequest): void {
    const { record } = accepted;
    if (this.deps.stopped()) return; // stored: it runs after the next start
    const { taskId } = record;
    this.deps.tasks.lastRuns.delete(taskId); // a new request: the last run was of the one it replaces
    const entry = this.deps.tasks.get(taskId);
    if (entry) {
      entry.record = record;
      entry.actor.send({ type: 'SCHEDULE', work: liveWork(accepted), nextRunAt: record.dueAt });
    } else if (!this.deps.engine && (this.activating.has(taskId) || this.deps.tasks.activeAt(taskId, record.dueAt))) {
      this.deps.tasks.spawn(taskId, { work: liveWork(accepted), nextRunAt: record.dueAt }, record);
    } else if (!this.deps.engine) {
      this.deps.tasks.notifyDormant(snapshotOfRecord(record));
      this.deps.wakeUp.dormantAt(record.dueAt);
    }
  }

  /** `onConflict: 'keep'`: stores the request only when the TaskId has nothing, live or stored. */
  async scheduleIfAbsent<H>(accepted: AcceptedRequest, handle: H): Promise<H> {
    const { taskId } = accepted.record;
    // The ticket is taken at the call, so a call made after this one (a cancel) comes after it.
    const ticket = this.ops.begin(taskId);
    await this.activating.get(taskId);
    if (this.deps.tasks.get(taskId)) {
      this.ops.end(taskId, ticket);
      return handle;
    }
    const existing = await this.readRecord(taskId).catch((error: unknown) => {
      this.ops.end(taskId, ticket);
      throw error;
    });
    if (!this.ops.isLatest(taskId, ticket)) {
      this.ops.end(taskId, ticket);
      return handle; // a later call decided
    }
    if (this.deps.tasks.get(taskId) || existing) {
      this.ops.end(taskId, ticket);
      // An observer's activation stood aside while this call was in flight: it goes ahead now.
      if (!this.deps.tasks.get(taskId) && this.deps.tasks.pinned(taskId)) this.observe(taskId);
      await this.deps.persister.written(); // kept: resolves once what is on its way is stored
      return handle;
    }
    return this.commit(accepted, handle, ticket);
  }

  /** Deletes the TaskId's stored request, in call order; resolves once that is durable. */
  forget(taskId: string): Promise<void> {
    const ticket = this.ops.begin(taskId);
    this.ops.touch(taskId);
    const end = () => this.ops.end(taskId, ticket);
    return this.deps.persister.delete(taskId).then(end, (error: unknown) => {
      end();
      throw error;
    });
  }

  /** An observed TaskId is activated from its record (if it has one) and kept active while observed. */
  observe(taskId: string): void {
    // Under an engine the work is activated where the engine hands it, not where it is observed.
    if (this.deps.engine || this.deps.stopped() || this.deps.tasks.get(taskId) || this.activating.has(taskId)) return;
    const watch = this.ops.watch();
    const activation = this.readRecord(taskId)
      .then((record) => {
        this.activating.delete(taskId);
        watch.stop();
        if (this.deps.stopped() || this.deps.tasks.get(taskId) || !this.deps.tasks.pinned(taskId)) return;
        // A call in flight decides what the TaskId does (a schedule spawns it once durable).
        if (this.ops.inFlight(taskId)) return;
        if (watch.touched.has(taskId)) return this.observe(taskId); // changed while read: read again
        if (record && record.held === null) this.activate(record);
      })
      .catch((error: unknown) => {
        this.activating.delete(taskId);
        watch.stop();
        this.deps.logger.error(`errand: activating ${taskId} failed`, error);
      });
    this.activating.set(taskId, activation);
  }
}
