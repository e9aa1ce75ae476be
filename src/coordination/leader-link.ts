import { TaskCancelledError } from '../core/errors.js';
import type { Call, Message } from './wire.js';
import { WIRE_VERSION } from './wire.js';
import { errorFromWire } from './wire-errors.js';

interface Unanswered {
  call: Call;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface LeaderLinkDeps {
  /** This context's id on the channel. */
  self: string;
  post(message: Message): void;
  /** This context's own answer to a call, once it leads; null while another context leads (or none yet). */
  local(): ((call: Call) => Promise<unknown>) | null;
}

/**
 * A context's calls to whichever context leads. A call stays unanswered until the leader replies;
 * when a new leader announces itself (the old one closed or crashed mid-call) every unanswered call
 * goes to it again, so each call is answered by some leader, and a call the old leader already
 * applied is applied again (calls are written to be idempotent: a replace of the same record, a cancel).
 */
export class LeaderLink {
  private nextId = 0;
  private readonly unanswered = new Map<number, Unanswered>();

  constructor(private readonly deps: LeaderLinkDeps) {}

  call(call: Call): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      this.unanswered.set(id, { call, resolve, reject });
      this.send(id, call);
    });
  }

  /** A reply on the channel: settles this context's call it answers. */
  replied(message: Extract<Message, { kind: 'reply' }>): void {
    if (message.to !== this.deps.self) return;
    const waiting = this.unanswered.get(message.id);
    if (!waiting) return; // answered already (sent twice around a failover)
    this.unanswered.delete(message.id);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(errorFromWire(message.error));
  }

  /** A leader appeared (another context, or this one): it gets every call still unanswered. */
  leaderChanged(): void {
    for (const [id, { call }] of this.unanswered) this.send(id, call);
  }

  /** Shutdown: no call of this context will be answered any more. */
  rejectAll(): void {
    for (const { reject } of this.unanswered.values()) reject(new TaskCancelledError('(orchestrator)', 'shutdown'));
    this.unanswered.clear();
  }

  private send(id: number, call: Call): void {
    const local = this.deps.local();
    if (!local) {
      this.deps.post({ v: WIRE_VERSION, kind: 'call', from: this.deps.self, id, call });
      return;
    }
    const settle = (outcome: (waiting: Unanswered) => void) => {
      const waiting = this.unanswered.get(id);
      if (!waiting) return;
      this.unanswered.delete(id);
      outcome(waiting);
    };
    local(call).then(
      (value) => settle((w) => w.resolve(value)),
      (error: unknown) => settle((w) => w.reject(error)),
    );
  }
}
