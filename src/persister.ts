import type { Logger } from './core/types.js';
import type { TaskRecord } from './core/schemas.js';
import type { StorePort } from './core/ports.js';

type Defer = (fn: () => void) => void;

/** Runs after the current macrotask and its microtasks: every transition of one tick lands in one batch. */
const nextTick: Defer =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/**
 * Groups the store writes of one tick into one batch (last write per TaskId wins) and applies
 * batches one at a time, in order. Each write's promise settles when its batch is durable.
 */
export class Persister {
  private batch = new Map<string, TaskRecord | null>();
  private queued: Promise<void> | null = null;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: StorePort,
    private readonly logger: Logger,
    private readonly defer: Defer = nextTick,
  ) {}

  put(record: TaskRecord): void {
    this.batch.set(record.taskId, record);
    this.queue();
  }

  delete(taskId: string): void {
    this.batch.set(taskId, null);
    this.queue();
  }

  /** Settles when every write queued so far is durable; rejects if its batch failed. */
  written(): Promise<void> {
    return this.queued ?? this.tail;
  }

  private queue(): void {
    if (this.queued) return;
    const flushed = new Promise<void>((resolve, reject) => {
      this.defer(() => {
        this.queued = null;
        const batch = this.batch;
        this.batch = new Map();
        this.tail = this.tail.then(() => this.write(batch)).then(resolve, reject);
        // Later batches still run after a failed one; the failure reaches whoever awaits `flushed`.
        this.tail = this.tail.catch(() => {});
      });
    });
    flushed.catch((error: unknown) => this.logger.error('errand: store write failed', error));
    this.queued = flushed;
  }

  private async write(batch: Map<string, TaskRecord | null>): Promise<void> {
    const put: TaskRecord[] = [];
    const del: string[] = [];
    for (const [taskId, record] of batch) {
      if (record) put.push(record);
      else del.push(taskId);
    }
    await this.store.write({ put, delete: del });
  }
}
