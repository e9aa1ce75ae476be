import type { TaskSnapshot } from '../core/types.js';
import type { Message } from './wire.js';
import { WIRE_VERSION } from './wire.js';
import { snapshotToWire, type WireSnapshot } from './wire-errors.js';

/**
 * The leader's task changes for the other contexts: every snapshot its listeners see, in order,
 * posted as one message per tick (a burst of transitions costs one structured clone, not one each).
 */
export class ChangeFeed {
  private batch: WireSnapshot[] = [];

  constructor(
    private readonly post: (message: Message) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  readonly push = (snapshot: TaskSnapshot): void => {
    if (this.batch.length === 0) queueMicrotask(this.flush);
    this.batch.push(snapshotToWire(snapshot));
  };

  private readonly flush = (): void => {
    const snapshots = this.batch;
    this.batch = [];
    try {
      this.post({ v: WIRE_VERSION, kind: 'changes', snapshots });
    } catch (error) {
      // A worker's value that cannot be cloned (a function, a class with private state): send the rest.
      this.onError(error);
      const cloneable = snapshots.map((s) => (s.outcome?.ok ? { ...s, outcome: { ok: true as const, value: '(not cloneable)' } } : s));
      try {
        this.post({ v: WIRE_VERSION, kind: 'changes', snapshots: cloneable });
      } catch (again) {
        this.onError(again);
      }
    }
  };
}
