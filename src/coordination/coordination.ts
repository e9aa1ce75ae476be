import type { CoordinatorPort } from '../core/ports.js';
import type { Logger, TaskSnapshot } from '../core/types.js';
import { ChangeFeed } from './change-feed.js';
import { LeaderLink } from './leader-link.js';
import { parseMessage, WIRE_VERSION, type Call, type Message } from './wire.js';
import { errorToWire, snapshotFromWire } from './wire-errors.js';

export type Role = 'follower' | 'leader';

export interface CoordinationDeps {
  port: CoordinatorPort;
  logger: Logger;
  /** The leader's answer to a call (this context's, once it leads). */
  serve(call: Call): Promise<unknown>;
  /** The leader's task changes, for a follower's listeners and views. */
  changed(snapshots: TaskSnapshot[]): void;
  /** A leader announced itself (a follower refreshes what it shows). */
  leaderAppeared(): void;
  /** Another context's runNow took the TaskId over. */
  claimed(taskId: string): void;
  /** Leadership came to this context after start(): it now runs the stored work. */
  promoted(): void;
}

/**
 * This context's place among the app's contexts sharing one store: follower (its calls go to the
 * leader, the leader's changes come to its listeners) or leader (it serves the calls and posts its
 * changes). A context becomes leader at most once and stays leader until it closes.
 */
export class Coordination {
  readonly self = globalThis.crypto.randomUUID();
  private role: Role = 'follower';
  private closed = false;
  readonly link: LeaderLink;
  readonly feed: ChangeFeed;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: CoordinationDeps) {
    const post = (message: Message) => this.deps.port.post(message);
    this.link = new LeaderLink({ self: this.self, post, local: () => (this.role === 'leader' ? this.deps.serve : null) });
    this.feed = new ChangeFeed(post, (error) => this.deps.logger.warn('errand: a task change could not be sent to the other tabs', error));
    this.unsubscribe = deps.port.subscribe((data) => this.received(data));
  }

  get leading(): boolean {
    return this.role === 'leader';
  }

  /** Opens the store under the session lock; ephemeral records stay when the session is already alive. */
  openSession(open: (keepEphemeral: boolean) => Promise<void>): Promise<void> {
    return this.deps.port.openSession((first) => open(!first));
  }

  /** Asks for leadership: true when held now; otherwise `promoted` is called once it comes. */
  campaign(): Promise<boolean> {
    return this.deps.port.lead(() => {
      if (!this.closed) this.deps.promoted();
    });
  }

  /** This context now leads (its gate is open): it answers calls, its own unanswered ones included. */
  lead(): void {
    this.role = 'leader';
    this.deps.port.post({ v: WIRE_VERSION, kind: 'leader', from: this.self });
    this.link.leaderChanged();
  }

  /** This context's runNow took the TaskId over. */
  claim(taskId: string): void {
    this.deps.port.post({ v: WIRE_VERSION, kind: 'claim', from: this.self, taskId });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.link.rejectAll();
    this.deps.port.close();
  }

  private received(data: unknown): void {
    if (this.closed) return;
    const message = parseMessage(data);
    if (!message) return;
    switch (message.kind) {
      case 'call':
        if (this.leading) this.answer(message);
        return;
      case 'reply':
        return this.link.replied(message);
      case 'leader':
        this.deps.leaderAppeared();
        return this.link.leaderChanged();
      case 'changes':
        if (!this.leading) this.deps.changed(message.snapshots.map(snapshotFromWire));
        return;
      case 'claim':
        return this.deps.claimed(message.taskId);
    }
  }

  private answer({ from, id, call }: Extract<Message, { kind: 'call' }>): void {
    const reply = (message: Message) => {
      try {
        this.deps.port.post(message);
      } catch (error) {
        // The value could not be cloned: the caller still gets an answer.
        this.deps.port.post({ v: WIRE_VERSION, kind: 'reply', to: from, id, ok: false, error: errorToWire(error) });
      }
    };
    this.deps.serve(call).then(
      (value) => reply({ v: WIRE_VERSION, kind: 'reply', to: from, id, ok: true, value }),
      (error: unknown) => reply({ v: WIRE_VERSION, kind: 'reply', to: from, id, ok: false, error: errorToWire(error) }),
    );
  }
}
