// A fleet engine in one process, for tests: what errand asks of a distributed engine (BullMQ), with
// none of the network. Members share one set of records; a due record is handed to one started member
// at a time (its holder) until that member gives it back (dormant), ends it, or leaves.
import { memoryStore } from '../../adapters/stores/memory-store.js';
import type { DispatchHost, Engine, StoreBatch, StorePort } from '../../src/core/ports.js';
import type { TaskRecord } from '../../src/core/schemas.js';
import type { TaskSnapshot } from '../../src/core/types.js';
import { snapshotOfRecord } from '../../src/persistence/task-records.js';

interface Member {
  name: string;
  /** False for a producer: it schedules, cancels and hears results, and is never handed work. */
  takesWork: boolean;
  host: DispatchHost | null;
  open: boolean;
}

export interface MemoryFleet {
  /** A new process's engine. */
  member(name: string, options?: { takesWork?: boolean }): Engine;
  /** Which member holds each TaskId now. */
  holders(): Record<string, string>;
  records(): TaskRecord[];
}

export function memoryFleet(): MemoryFleet {
  const shared = memoryStore();
  /** What each TaskId's record is now, kept in step with every write (the due read below may be stale by the time it returns). */
  const current = new Map<string, TaskRecord>();
  const holder = new Map<string, Member>();
  const members: Member[] = [];
  let turn = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerAt = Infinity;

  const others = (self: Member) => members.filter((m) => m !== self && m.open && m.host);

  const wakeAt = (dueAt: number) => {
    if (dueAt >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = dueAt;
    timer = setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      void dispatchDue();
    }, Math.max(0, dueAt - Date.now()));
  };

  /** Hands each due record nobody holds to the next started member, round robin. */
  async function dispatchDue(): Promise<void> {
    const { records } = await shared.due({ after: null, until: Number.POSITIVE_INFINITY, limit: 100_000 });
    const now = Date.now();
    for (const record of records) {
      if (holder.has(record.taskId) || current.get(record.taskId) !== record) continue;
      if (record.dueAt > now) {
        wakeAt(record.dueAt);
        break;
      }
      const ready = members.filter((m) => m.open && m.host && m.takesWork);
      if (ready.length === 0) return;
      const member = ready[turn++ % ready.length]!;
      holder.set(record.taskId, member);
      const activation = member.host!.activate(record);
      if (activation === 'activated') continue;
      holder.delete(record.taskId);
      // Not here, not now: offered again soon, to the next member in turn.
      if (activation !== 'held') setTimeout(() => void dispatchDue(), 20);
    }
  }

  const broadcast = (from: Member, snapshot: TaskSnapshot) => {
    for (const member of others(from)) member.host!.changed(snapshot);
  };

  function member(name: string, { takesWork = true }: { takesWork?: boolean } = {}): Engine {
    const self: Member = { name, takesWork, host: null, open: false };
    members.push(self);

    const store: StorePort = {
      async open(options) {
        // The fleet's ephemeral work ends when the whole fleet has stopped.
        await shared.open({ keepEphemeral: options?.keepEphemeral === true || members.some((m) => m.open) });
        self.open = true;
      },
      async write(batch: StoreBatch) {
        for (const taskId of batch.delete) current.delete(taskId);
        for (const record of batch.put) {
          current.set(record.taskId, record);
          // Its holder's state changes reach the fleet in the order they are written.
          if (holder.get(record.taskId) === self) broadcast(self, snapshotOfRecord(record));
        }
        for (const taskId of batch.delete) {
          const held = holder.get(taskId);
          if (held && held !== self) held.host?.cancel(taskId, 'cancelled');
        }
        await shared.write(batch);
        for (const record of batch.put) {
          const held = holder.get(record.taskId);
          if (held && held !== self) held.host?.adopt(record);
          else if (!held) wakeAt(record.dueAt);
        }
      },
      get: (taskId) => shared.get(taskId),
      due: (query) => shared.due(query),
      nextDueAt: (after) => shared.nextDueAt(after),
      list: (query) => shared.list(query),
      held: () => shared.held(),
      async close() {
        self.open = false;
        self.host = null;
        // What it still held goes back, as BullMQ hands a dead worker's jobs to another.
        for (const [taskId, member] of [...holder]) if (member === self) holder.delete(taskId);
        void dispatchDue();
      },
    };

    return {
      store,
      dispatch: {
        async start(host) {
          self.host = host;
          await dispatchDue();
        },
        dormant(record) {
          if (holder.get(record.taskId) === self) holder.delete(record.taskId);
          broadcast(self, snapshotOfRecord(record));
          wakeAt(record.dueAt);
        },
        finished(snapshot) {
          if (holder.get(snapshot.taskId) !== self) return;
          holder.delete(snapshot.taskId);
          broadcast(self, snapshot);
        },
        claim(taskId) {
          const held = holder.get(taskId);
          if (held && held !== self) held.host?.cancel(taskId, 'preempted');
        },
      },
    };
  }

  return {
    member,
    holders: () => Object.fromEntries([...holder].map(([taskId, m]) => [taskId, m.name])),
    records: () => shared.records(),
  };
}
