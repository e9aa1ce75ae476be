import { StoreOpenError, StoreWriteError } from '../core/errors.js';
import type { StorePort } from '../core/ports.js';
import type { TaskRecord } from '../core/schemas.js';
import type { Logger } from '../core/types.js';

type Defer = (fn: () => void) => void;

/** Runs after the current macrotask and its microtasks: every write of one tick lands in one batch. */
const nextTick: Defer =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/** TaskId -> the record to put, or null to delete it. */
type Writes = Map<string, TaskRecord | null>;

/**
 * Groups the store writes of one tick into one batch (last write per TaskId wins) and applies
 * batches one at a time, in order, after the store has opened. Each write's promise settles when
 * its batch is durable, and rejects with a StoreWriteError when the batch failed.
 */
export class Persister {
  private batch: Writes = new Map();
  private queued: Promise<void> | null = null;
  /** Batches handed to the store and not settled yet, oldest first (their writes are still news to readers). */
  private readonly inFlight: Writes[] = [];
  private tail: Promise<void> = Promise.resolve();

  /** `open` opens the store (memoized by the caller); no batch is written before it resolves. */
  constructor(
    private readonly store: StorePort,
    private readonly open: () => Promise<void>,
    private readonly logger: Logger,
    private readonly defer: Defer = nextTick,
  ) {}

  put(record: TaskRecord): Promise<void> {
    this.batch.set(record.taskId, record);
    return this.queue();
  }

  delete(taskId: string): Promise<void> {
    this.batch.set(taskId, null);
    return this.queue();
  }

  /**
   * What this process last wrote for a TaskId and the store may not have yet: the record,
   * null for a delete, undefined when nothing is on its way (the store knows best).
   */
  peek(taskId: string): TaskRecord | null | undefined {
    const queued = this.batch.get(taskId);
    if (queued !== undefined) return queued;
    for (let i = this.inFlight.length - 1; i >= 0; i--) {
      const write = this.inFlight[i]!.get(taskId);
      if (write !== undefined) return write;
    }
    return undefined;
  }

  /** Settles when every write queued so far is durable; rejects if its batch failed. */
  written(): Promise<void> {
    return this.queued ?? this.tail;
  }

  private queue(): Promise<void> {
    if (this.queued) return this.queued;
    const flushed = new Promise<void>((resolve, reject) => {
      this.defer(() => {
        this.queued = null;
        const batch = this.batch;
        this.batch = new Map();
        this.inFlight.push(batch);
        const settled = () => void this.inFlight.splice(this.inFlight.indexOf(batch), 1);
        this.tail = this.tail
          .then(() => this.open())
          .then(() => this.write(batch))
          .then(
            () => {
              settled();
              resolve();
            },
            (error: unknown) => {
              settled();
              reject(isStoreError(error) ? error : new StoreWriteError(`store write failed: ${messageOf(error)}`, error));
            },
          );
      });
    });
    flushed.catch((error: unknown) => this.logger.error('errand: store write failed', error));
    this.queued = flushed;
    return flushed;
  }

  private write(batch: Writes): Promise<void> {
    const put: TaskRecord[] = [];
    const del: string[] = [];
    for (const [taskId, record] of batch) {
      if (record) put.push(record);
      else del.push(taskId);
    }
    return this.store.write({ put, delete: del });
  }
}

const isStoreError = (error: unknown) => error instanceof StoreOpenError || error instanceof StoreWriteError;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
