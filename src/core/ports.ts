import type { Conditions, PlatformEvent } from './conditions.js';
import type { PersistedStatus, TaskRecord } from './schemas.js';
import type { TaskSnapshot } from './types.js';

/** Feeds OS or host events into the orchestrator. Adapters live in `adapters/platforms`. */
export interface PlatformPort {
  /** Conditions at the moment the orchestrator subscribes; missing fields count as satisfied. */
  current(): Partial<Conditions>;
  subscribe(listener: (event: PlatformEvent) => void): () => void;
}

/** One group of writes, applied atomically (all or nothing): deletes first, then puts. */
export interface StoreBatch {
  put: TaskRecord[];
  delete: string[];
}

/** A stored record that failed validation when read: set aside (not deleted, never run). */
export interface QuarantinedRecord {
  /** The store's key for it (usually the TaskId). */
  key: string;
  /** Why it was set aside (the first validation issue, or the parse error). */
  reason: string;
}

/** A quarantined row as a durable store keeps it: the row exactly as found, and when it was set aside. */
export interface KeptQuarantineEntry extends QuarantinedRecord {
  /** The stored row exactly as it was found. */
  data: unknown;
  /** When it was set aside (epoch ms). */
  quarantinedAt: number;
}

/**
 * What a read returns. A row that fails validation is moved out of the task records (into the
 * store's quarantine) by the read that meets it, listed in `quarantined` and not returned again.
 */
export interface StoreRead {
  records: TaskRecord[];
  quarantined: QuarantinedRecord[];
}

/** A position in due order: records are ordered by `dueAt`, then by `taskId`. */
export interface DueCursor {
  dueAt: number;
  taskId: string;
}

export interface DueQuery {
  /** Only records strictly after this position in due order; null for the start. */
  after: DueCursor | null;
  /** Only records with `dueAt <= until`. */
  until: number;
  /** Most rows to read (valid and quarantined together); fewer means there are no more. */
  limit: number;
}

export interface ListQuery {
  /** Only records whose TaskId sorts strictly after this one (the previous page's last). */
  after?: string | undefined;
  /** Only TaskIds that start with this text. */
  prefix?: string | undefined;
  /** Only records in this status. */
  status?: PersistedStatus | undefined;
  /** Most rows to read (valid and quarantined together); fewer means there are no more. */
  limit: number;
}

/**
 * Keeps scheduled work; the source of truth for every TaskId that is not running in this process.
 * Adapters live in `adapters/stores`; `test/store-contract.ts` is the behaviour each must show.
 * Every method but `open` may be called only after `open` resolved. errand never changes a record
 * object after handing it to `write` (a changed record is a new object), so a store may keep them as given.
 * `nextDueAt` is a hint: the row it points at may turn out to be quarantined by the `due` read.
 */
export interface StorePort {
  /**
   * Opens the store (creating or migrating it) and erases every ephemeral record
   * (`request.ephemeral`): a new process never runs ephemeral work of an earlier one.
   * The orchestrator calls it once, before it reads or writes anything else. With
   * `keepEphemeral` (another context of the same app session already runs on this store, see
   * CoordinatorPort) the ephemeral records are that session's and stay.
   */
  open(options?: StoreOpenOptions): Promise<void>;
  /** Applies one batch atomically; resolves once it is durable (as durable as the store is). */
  write(batch: StoreBatch): Promise<void>;
  /** The record of one TaskId (zero or one in `records`). */
  get(taskId: string): Promise<StoreRead>;
  /** Runnable records (`held === null`) in due order, after `query.after`, due by `query.until`. */
  due(query: DueQuery): Promise<StoreRead>;
  /** The earliest `dueAt` of a runnable record with `dueAt > after`, or null. */
  nextDueAt(after: number): Promise<number | null>;
  /** Records in TaskId order (the order of JavaScript's `<` on strings), filtered as asked. */
  list(query: ListQuery): Promise<StoreRead>;
  /** Every record with `held !== null` (records the orchestrator could not run). */
  held(): Promise<StoreRead>;
  close?(): Promise<void>;
}

export interface StoreOpenOptions {
  /** Keep ephemeral records: they belong to a session (other tabs of the app) still alive. Default false. */
  keepEphemeral?: boolean;
}

/** A durable store: it keeps every row it set aside (errand never empties that) and is closed by its owner. */
export interface QuarantiningStore<TEntry extends KeptQuarantineEntry = KeptQuarantineEntry> extends StorePort {
  /** Every row ever quarantined, oldest first. */
  quarantine(): Promise<TEntry[]>;
  close(): Promise<void>;
}

/**
 * Leadership and messages among the contexts of one app that share one store (its tabs, its service
 * worker): exactly one context, the leader, runs stored scheduled work; the others forward their
 * calls to it. `tabCoordinator` (errand/browser) is the Web Locks + BroadcastChannel one.
 */
export interface CoordinatorPort {
  /**
   * Runs `open` (the store's opening) under a lock the app's contexts share, with `first` true when
   * no other context of this app session is alive (then ephemeral records are an ended session's).
   */
  openSession(open: (first: boolean) => Promise<void>): Promise<void>;
  /** Asks for leadership: resolves true when held now; else false, and `onLead` is called once it is granted. */
  lead(onLead: () => void): Promise<boolean>;
  /** Sends a message to every other context (never to this one). */
  post(message: unknown): void;
  /** Messages from the other contexts; returns unsubscribe. */
  subscribe(listener: (message: unknown) => void): () => void;
  /** Gives leadership up (or stops asking), leaves the session, and stops messages. */
  close(): void;
}

/**
 * An engine that decides when and where stored work runs (BullMQ across a fleet of processes), in
 * place of errand's own wake-up timer over the store. The engine's store is its view of every
 * TaskId's request; its dispatcher hands this process the work that fell due and that it now holds.
 */
export interface Engine {
  store: StorePort;
  dispatch: DispatchPort;
}

export type Activation = 'activated' | 'held' | 'busy' | 'constrained';

/** What an engine's dispatcher may ask of the orchestrator of its process. */
export interface DispatchHost {
  /**
   * Makes a record that fell due (and that this process now holds) active here. Otherwise says why
   * not: 'held' (errand cannot run it: its task is not registered here, its input no longer parses),
   * 'busy' (the TaskId is active here already, a runNow say, or the orchestrator is shutting down), or
   * 'constrained' (this process's conditions do not meet its constraints: another process may take it).
   */
  activate(record: TaskRecord): Activation;
  /** Another process replaced the request of a task active here: the task adopts it (as a schedule() here would). */
  adopt(record: TaskRecord): void;
  /** Another process cancelled the task active here, or its runNow took the TaskId over. */
  cancel(taskId: string, reason: 'cancelled' | 'preempted'): void;
  /** A task changed in another process (it ended there, say): this process's listeners and `result()` waits hear it. */
  changed(snapshot: TaskSnapshot): void;
}

/**
 * The engine's side of activation: it activates due work through the host, and hears when a task
 * active here gives its work back (dormant again), ends, or is taken over by a runNow of this process.
 * When the orchestrator shuts down, the engine's `store.close()` hands back whatever it still holds.
 */
export interface DispatchPort {
  /** Starts delivering due work to `host` (once, when `start()` opens the ready gate). */
  start(host: DispatchHost): Promise<void>;
  /** A task active here went dormant: `record` says when it is due next; the engine holds it from now on. */
  dormant(record: TaskRecord): void;
  /** A task active here ended: done, or cancelled (never by shutdown: shut-down work stays stored). */
  finished(snapshot: TaskSnapshot): void;
  /** A runNow in this process took the TaskId over: wherever it is active, it is pre-empted. */
  claim(taskId: string): void;
  /** How the TaskId's work last ended anywhere in the fleet, while the engine retains it (for getTask and result()). */
  lastEnd?(taskId: string): Promise<TaskSnapshot | undefined>;
}
