// The fleet's side-channel messages (whatever carries them: Redis pub/sub, PostgreSQL NOTIFY): nudges to
// the process holding a job (an intent waits on it), and task changes, so every process's listeners
// and result() waits hear work that ran elsewhere.
import { z } from 'zod';
import type { TaskSnapshot } from '../../../src/core/types.js';
import { snapshotFromWire, snapshotToWire, wireSnapshotSchema } from '../../../src/coordination/wire-errors.js';

export type FleetMessage = { kind: 'nudge'; from: string; taskId: string } | { kind: 'changed'; from: string; snapshots: TaskSnapshot[] };

const messageSchema = z.union([
  z.object({ kind: z.literal('nudge'), from: z.string(), taskId: z.string() }),
  z.object({ kind: z.literal('changed'), from: z.string(), snapshots: z.array(wireSnapshotSchema) }),
]);

export const nudgeText = (from: string, taskId: string): string => JSON.stringify({ kind: 'nudge', from, taskId });

export const changedText = (from: string, snapshots: readonly TaskSnapshot[]): string =>
  JSON.stringify({ kind: 'changed', from, snapshots: snapshots.map(snapshotToWire) });

/** The message in `text`, unless it is not one, or this process (`self`) sent it. */
export function parseFleetMessage(text: string, self: string): FleetMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = messageSchema.safeParse(data);
  if (!parsed.success || parsed.data.from === self) return null;
  const message = parsed.data;
  return message.kind === 'changed' ? { ...message, snapshots: message.snapshots.map(snapshotFromWire) } : message;
}
