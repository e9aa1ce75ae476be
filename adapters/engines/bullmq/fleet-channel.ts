// The fleet's side channel on Redis pub/sub: nudges to the process holding a job (an intent waits on it)
// and task changes, so every process's listeners and result() waits hear work that ran elsewhere.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { TaskSnapshot } from '../../../src/core/types.js';
import { snapshotFromWire, snapshotToWire, type WireSnapshot } from '../../../src/coordination/wire-errors.js';

export type FleetMessage = { kind: 'nudge'; from: string; taskId: string } | { kind: 'changed'; from: string; snapshot: TaskSnapshot };

const wireSnapshot = z.custom<WireSnapshot>((value) => typeof value === 'object' && value !== null && typeof (value as { taskId?: unknown }).taskId === 'string');
const messageSchema = z.union([
  z.object({ kind: z.literal('nudge'), from: z.string(), taskId: z.string() }),
  z.object({ kind: z.literal('changed'), from: z.string(), snapshot: wireSnapshot }),
]);

export class FleetChannel {
  constructor(
    private readonly publisher: Redis,
    private readonly name: string,
    private readonly self: string,
  ) {}

  nudge(taskId: string): Promise<unknown> {
    return this.publisher.publish(this.name, JSON.stringify({ kind: 'nudge', from: this.self, taskId }));
  }

  changed(snapshot: TaskSnapshot): Promise<unknown> {
    return this.publisher.publish(this.name, JSON.stringify({ kind: 'changed', from: this.self, snapshot: snapshotToWire(snapshot) }));
  }

  /** Listens on `subscriber` (a connection in subscriber mode); messages this process sent are left out. */
  async listen(subscriber: Redis, listener: (message: FleetMessage) => void): Promise<void> {
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.name) return;
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        return;
      }
      const parsed = messageSchema.safeParse(data);
      if (!parsed.success || parsed.data.from === this.self) return;
      const message = parsed.data;
      listener(message.kind === 'changed' ? { ...message, snapshot: snapshotFromWire(message.snapshot) } : message);
    });
    await subscriber.subscribe(this.name);
  }
}
