import type { Clock } from '../core/clock.js';
import type { DueCursor, QuarantinedRecord, StorePort } from '../core/ports.js';
import type { TaskRecord } from '../core/schemas.js';
import type { Logger } from '../core/types.js';
import type { OpOrder } from './op-order.js';

export interface WakeUpDeps {
  store: StorePort;
  clock: Clock;
  logger: Logger;
  horizonMs: number;
  ops: OpOrder;
  /** Every write queued so far is in the store (the scan then reads what this process wrote). */
  flushed(): Promise<void>;
  /** True while the TaskId has an actor (or an activation under way): the scan leaves it alone. */
  isActive(taskId: string): boolean;
  activate(record: TaskRecord): void;
  quarantined(items: readonly QuarantinedRecord[]): void;
  /** False once the orchestrator shuts down: nothing is activated after that. */
  running(): boolean;
}

/** Records per read; between slices the scan yields to the event loop. */
const SLICE = 256;

const nextMacrotask = (): Promise<void> =>
  new Promise((resolve) => void (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * One timer for all dormant work: it fires `horizonMs` before the earliest dormant due time, and a
 * scan then activates every runnable record due within the horizon, in slices that yield to the
 * event loop. `covered` is the due time up to which every runnable record has been activated; a
 * task only goes dormant due beyond now + horizon, so it always lands after `covered`.
 */
export class WakeUp {
  private covered = -Infinity;
  private timer: unknown = null;
  private armedFor = Infinity;
  private scanning: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: WakeUpDeps) {}

  /** A task went dormant due at `dueAt` (its record is written or on its way). */
  dormantAt(dueAt: number): void {
    this.arm(dueAt);
  }

  /** Activates what is due within the horizon now; resolves when this scan (and any asked for meanwhile) ends. */
  scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = this.scanLoop().finally(() => (this.scanning = null));
    return this.scanning;
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private async scanLoop(): Promise<void> {
    do {
      this.again = false;
      this.disarm();
      try {
        await this.scanOnce();
      } catch (error) {
        // Stay alive: the next wake-up (or the next write) tries again.
        this.deps.logger.error('errand: reading due work from the store failed', error);
        if (!this.stopped) this.armAt(this.deps.clock.now() + this.deps.horizonMs);
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async scanOnce(): Promise<void> {
    const { store, ops } = this.deps;
    // Watched from before the wait for writes on their way: a call made while this scan waits (a
    // cancel whose delete is still queued) decides its TaskId, whatever the store still holds.
    const watch = ops.watch();
    let until: number;
    try {
      await this.deps.flushed().catch(() => {});
      until = this.deps.clock.now() + this.deps.horizonMs;
      let after: DueCursor | null = null;
      for (;;) {
        const read = await store.due({ after, until, limit: SLICE });
        if (read.quarantined.length > 0) this.deps.quarantined(read.quarantined);
        if (!this.deps.running() || this.stopped) return;
        for (const record of read.records) {
          // Touched while the read was under way: the call that touched it decides (its write wins).
          if (watch.touched.has(record.taskId) || this.deps.isActive(record.taskId)) continue;
          this.deps.activate(record);
        }
        const last = read.records[read.records.length - 1];
        if (read.records.length + read.quarantined.length < SLICE) break;
        if (last) after = { dueAt: last.dueAt, taskId: last.taskId };
        await nextMacrotask();
      }
    } finally {
      watch.stop();
    }
    this.covered = Math.max(this.covered, until);
    const next = await store.nextDueAt(this.covered);
    if (next !== null && !this.stopped) this.arm(next);
  }

  /** Wakes `horizonMs` before `dueAt`, but no sooner than half a horizon after the last scan. */
  private arm(dueAt: number): void {
    if (this.stopped || dueAt <= this.covered) return;
    this.armAt(Math.max(dueAt - this.deps.horizonMs, this.covered - this.deps.horizonMs / 2));
  }

  private armAt(at: number): void {
    if (at >= this.armedFor) return;
    this.disarm();
    this.armedFor = at;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.armedFor = Infinity;
      void this.scan();
    }, Math.max(0, at - this.deps.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }
}
