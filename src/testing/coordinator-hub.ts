import type { CoordinatorPort } from '../core/ports.js';

/** One context's port on a CoordinatorHub (a tab, in a test). */
export interface TestCoordinator extends CoordinatorPort {
  /** Holds the leadership now. */
  readonly leading: boolean;
}

/**
 * Several contexts in one process, as tabs of one app are: a leader lock granted first come first
 * served (the next waiter gets it when the holder closes), a session that ends when its last
 * member closes, and messages delivered to every other open port, cloned as a BroadcastChannel does.
 */
export interface CoordinatorHub {
  /** A new context's port. */
  port(): TestCoordinator;
  /** The port that leads now, if any. */
  leader(): TestCoordinator | null;
}

interface Member {
  port: TestCoordinator;
  listeners: Set<(message: unknown) => void>;
  closed: boolean;
}

export function coordinatorHub(): CoordinatorHub {
  const members = new Set<Member>();
  const session = new Set<Member>();
  let holder: Member | null = null;
  const waiting: Array<{ member: Member; onLead: () => void }> = [];
  let opening: Promise<void> = Promise.resolve();

  const release = (member: Member) => {
    if (holder !== member) return;
    holder = null;
    const next = waiting.shift();
    if (!next) return;
    holder = next.member;
    next.onLead();
  };

  const join = (): TestCoordinator => {
    const member: Member = { port: undefined as never, listeners: new Set(), closed: false };
    const port: TestCoordinator = {
      get leading() {
        return holder === member;
      },
      openSession(open) {
        // One context opens at a time, as under the Web Lock the tab coordinator takes.
        const turn = opening.then(async () => {
          await open(session.size === 0);
          if (!member.closed) session.add(member);
        });
        opening = turn.catch(() => {});
        return turn;
      },
      async lead(onLead) {
        if (member.closed) return false;
        if (holder === null) {
          holder = member;
          return true;
        }
        waiting.push({ member, onLead });
        return false;
      },
      post(message) {
        const copy = structuredClone(message);
        for (const other of members) {
          if (other === member || other.closed) continue;
          queueMicrotask(() => {
            if (other.closed) return;
            for (const listener of [...other.listeners]) listener(copy);
          });
        }
      },
      subscribe(listener) {
        member.listeners.add(listener);
        return () => void member.listeners.delete(listener);
      },
      close() {
        if (member.closed) return;
        member.closed = true;
        members.delete(member);
        session.delete(member);
        const queued = waiting.findIndex((w) => w.member === member);
        if (queued >= 0) waiting.splice(queued, 1);
        release(member);
      },
    };
    member.port = port;
    members.add(member);
    return port;
  };

  return {
    port: join,
    leader: () => holder?.port ?? null,
  };
}
