import { z } from 'zod';
import { taskIdSchema, taskRecordSchema, type TaskRecord } from '../core/schemas.js';
import { taskQuerySchema, type ParsedTaskQuery } from '../activation/task-pages.js';
import { wireSnapshotSchema, type WireError, type WireSnapshot } from './wire-errors.js';

/** Bumped when a message changes shape: a context ignores messages of another version (an app update mid-session). */
export const WIRE_VERSION = 1;

/** What a follower asks of the leader: its public calls that touch stored work or read the live state. */
export type Call =
  | { op: 'schedule'; record: TaskRecord; onConflict: 'replace' | 'keep' }
  | { op: 'cancel'; taskId: string }
  | { op: 'cancelAll' }
  | { op: 'get'; taskId: string }
  | { op: 'list'; query: ParsedTaskQuery }
  | { op: 'peek' };

export type Message =
  | { v: typeof WIRE_VERSION; kind: 'call'; from: string; id: number; call: Call }
  | { v: typeof WIRE_VERSION; kind: 'reply'; to: string; id: number; ok: true; value: unknown }
  | { v: typeof WIRE_VERSION; kind: 'reply'; to: string; id: number; ok: false; error: WireError }
  /** A context became the leader: followers send it the calls still unanswered. */
  | { v: typeof WIRE_VERSION; kind: 'leader'; from: string }
  /** The leader's task changes, in order, a batch per tick. */
  | { v: typeof WIRE_VERSION; kind: 'changes'; snapshots: WireSnapshot[] }
  /** A runNow took the TaskId over: other contexts drop what they do for it. */
  | { v: typeof WIRE_VERSION; kind: 'claim'; from: string; taskId: string };

const contextId = z.string().min(1);
const callId = z.number().int().min(1);
const wireError: z.ZodType<WireError> = z.lazy(() =>
  z.object({
    name: z.string(),
    message: z.string(),
    field: z.string().optional(),
    taskId: z.string().optional(),
    reason: z.string().optional(),
    path: z.string().optional(),
    cause: wireError.optional(),
  }),
);
const call = z.discriminatedUnion('op', [
  z.object({ op: z.literal('schedule'), record: taskRecordSchema, onConflict: z.enum(['replace', 'keep']) }),
  z.object({ op: z.literal('cancel'), taskId: taskIdSchema }),
  z.object({ op: z.literal('cancelAll') }),
  z.object({ op: z.literal('get'), taskId: taskIdSchema }),
  z.object({ op: z.literal('list'), query: taskQuerySchema }),
  z.object({ op: z.literal('peek') }),
]);
const v = z.literal(WIRE_VERSION);
const messageSchema = z.union([
  z.object({ v, kind: z.literal('call'), from: contextId, id: callId, call }),
  z.object({ v, kind: z.literal('reply'), to: contextId, id: callId, ok: z.literal(true), value: z.unknown() }),
  z.object({ v, kind: z.literal('reply'), to: contextId, id: callId, ok: z.literal(false), error: wireError }),
  z.object({ v, kind: z.literal('leader'), from: contextId }),
  z.object({ v, kind: z.literal('changes'), snapshots: z.array(wireSnapshotSchema) }),
  z.object({ v, kind: z.literal('claim'), from: contextId, taskId: taskIdSchema }),
]);

/** The message, or null for anything else on the channel (another version, another library). */
export function parseMessage(data: unknown): Message | null {
  const parsed = messageSchema.safeParse(data);
  return parsed.success ? (parsed.data as Message) : null;
}
