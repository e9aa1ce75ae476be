import type { DueQuery, ListQuery, StoreBatch, StorePort, StoreRead } from '../../src/core/ports.js';

/** Whether a fault hits only the next call it applies to, or every one until `heal()`. */
export type FaultTimes = 'next' | 'every';

export type ReadMethod = 'get' | 'due' | 'nextDueAt' | 'list' | 'held';

const READ_METHODS: readonly ReadMethod[] = ['get', 'due', 'nextDueAt', 'list', 'held'];

/** Writes held back by `hangWrites`: they stay pending until released. */
export interface HungWrites {
  /** How many writes are waiting. */
  readonly waiting: number;
  /** Resolves when `count` writes are waiting (to sync a test with the code under test). */
  whenWaiting(count?: number): Promise<void>;
  /** Lets the waiting writes (and, for 'every', later ones) through to the inner store, in order. */
  release(): Promise<void>;
  /** Rejects the waiting writes with `error` without applying them (and stops hanging later ones). */
  fail(error: unknown): void;
}

export interface FaultyStore extends StorePort {
  readonly inner: StorePort;
  /** Every batch `write` was called with, in call order, whatever became of it. */
  readonly writes: readonly StoreBatch[];
  /** Writes reject with `error` and change nothing. */
  rejectWrites(error: unknown, times?: FaultTimes): void;
  /** Writes never settle (and change nothing) until the returned handle releases or fails them. */
  hangWrites(times?: FaultTimes): HungWrites;
  /**
   * Writes apply only their first `applied` operations (deletes first, then puts, as a store
   * applies them) and then reject with `error`: a store that is not atomic, failing mid-batch.
   */
  tearWrites(applied: number, error: unknown, times?: FaultTimes): void;
  /** Reads (all of them, or those named) reject with `error`. */
  rejectReads(error: unknown, times?: FaultTimes, methods?: readonly ReadMethod[]): void;
  /** Clears every armed fault; writes already hanging stay hung until their handle is used. */
  heal(): void;
}

type WriteFault =
  | { kind: 'reject'; error: unknown; times: FaultTimes }
  | { kind: 'tear'; applied: number; error: unknown; times: FaultTimes }
  | { kind: 'hang'; times: FaultTimes; hang: Hang };

interface Waiting {
  batch: StoreBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

class Hang implements HungWrites {
  private readonly queue: Waiting[] = [];
  private readonly watchers: { count: number; resolve: () => void }[] = [];
  /** Set by release/fail: the hang is over, later writes pass (or fail) through it at once. */
  settled: { kind: 'released' } | { kind: 'failed'; error: unknown } | null = null;

  constructor(private readonly apply: (batch: StoreBatch) => Promise<void>) {}

  get waiting(): number {
    return this.queue.length;
  }

  hold(batch: StoreBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      for (const watcher of this.watchers.filter((w) => this.queue.length >= w.count)) {
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    });
  }

  whenWaiting(count = 1): Promise<void> {
    if (this.queue.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push({ count, resolve }));
  }

  async release(): Promise<void> {
    // Writes that arrive while the queue drains join its end, so none overtakes an earlier one.
    for (let waiting = this.queue.shift(); waiting; waiting = this.queue.shift()) {
      await this.apply(waiting.batch).then(waiting.resolve, waiting.reject);
    }
    this.settled = { kind: 'released' };
  }

  fail(error: unknown): void {
    this.settled = { kind: 'failed', error };
    for (const waiting of this.queue.splice(0)) waiting.reject(error);
  }
}

/** The first `applied` operations of a batch, split as the store would apply them. */
function prefixOf(batch: StoreBatch, applied: number): StoreBatch[] {
  const deletes = batch.delete.slice(0, applied);
  const puts = batch.put.slice(0, Math.max(0, applied - batch.delete.length));
  return [
    { put: [], delete: deletes },
    { put: puts, delete: [] },
  ].filter((part) => part.put.length + part.delete.length > 0);
}

/**
 * Wraps a store so a test can make it fail: writes that reject, hang or half-apply, reads that
 * reject. With no fault armed it is the inner store, call for call.
 */
export function faultyStore(inner: StorePort): FaultyStore {
  const writeFaults: WriteFault[] = [];
  const readFaults: { error: unknown; times: FaultTimes; methods: ReadonlySet<ReadMethod> }[] = [];
  const writes: StoreBatch[] = [];

  /** The first armed fault, used up if it was for the next call only. */
  function take<T extends { times: FaultTimes }>(faults: T[], applies: (fault: T) => boolean = () => true): T | undefined {
    const index = faults.findIndex(applies);
    const fault = faults[index];
    if (fault?.times === 'next') faults.splice(index, 1);
    return fault;
  }

  async function read<T>(method: ReadMethod, run: () => Promise<T>): Promise<T> {
    const fault = take(readFaults, (f) => f.methods.has(method));
    if (fault) throw fault.error;
    return run();
  }

  async function write(batch: StoreBatch): Promise<void> {
    writes.push(batch);
    const fault = take(writeFaults, (f) => f.kind !== 'hang' || f.hang.settled === null);
    if (!fault) return inner.write(batch);
    switch (fault.kind) {
      case 'reject':
        throw fault.error;
      case 'tear':
        for (const part of prefixOf(batch, fault.applied)) await inner.write(part);
        throw fault.error;
      case 'hang':
        return fault.hang.hold(batch);
    }
  }

  return {
    inner,
    writes,
    open: (options) => inner.open(options),
    write,
    get: (taskId: string) => read('get', () => inner.get(taskId)),
    due: (query: DueQuery): Promise<StoreRead> => read('due', () => inner.due(query)),
    nextDueAt: (after: number) => read('nextDueAt', () => inner.nextDueAt(after)),
    list: (query: ListQuery) => read('list', () => inner.list(query)),
    held: () => read('held', () => inner.held()),
    close: async () => inner.close?.(),
    rejectWrites(error, times = 'next') {
      writeFaults.push({ kind: 'reject', error, times });
    },
    hangWrites(times = 'next') {
      const hang = new Hang((batch) => inner.write(batch));
      writeFaults.push({ kind: 'hang', times, hang });
      return hang;
    },
    tearWrites(applied, error, times = 'next') {
      writeFaults.push({ kind: 'tear', applied, error, times });
    },
    rejectReads(error, times = 'next', methods = READ_METHODS) {
      readFaults.push({ error, times, methods: new Set(methods) });
    },
    heal() {
      writeFaults.splice(0);
      readFaults.splice(0);
    },
  };
}
