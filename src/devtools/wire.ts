// The messages between devtoolsServer (Node) and remoteDevtoolsSource (browser or Node), both ways.
// Each message is superjson text (`{"json":...,"meta":...}`), so task outcomes, errors with their
// cause chains, Dates, Maps and inputs arrive as they were; zod then checks its shape.
import { SuperJSON } from 'superjson';
// The namespace import lets bundlers drop what the wire does not use: the page carries about 100 KB of zod, not 450.
import * as z from 'zod';
import { ErrandError } from '../core/errors.js';

const wireJson = new SuperJSON();
// Errors keep what errand's own errors carry, and their causes (superjson walks them too).
wireJson.allowErrorProps('cause', 'taskId', 'reason', 'field', 'code');

const taskStatusSchema = z.enum(['pending', 'constrained', 'running', 'backoff', 'cancelled', 'done']);

/** A TaskSnapshot as it crosses the wire (its outcome's value and error are whatever superjson brought back). */
export const wireTaskSnapshotSchema = z.object({
  taskId: z.string(),
  status: taskStatusSchema,
  kind: z.enum(['oneTime', 'periodic', 'instant']),
  attempt: z.number(),
  interrupted: z.number(),
  runCount: z.number(),
  nextRunAt: z.number().nullable(),
  progress: z.number().nullable(),
  unmetConstraints: z.array(z.enum(['network', 'charging', 'batteryNotLow', 'idle', 'foreground', 'concurrency', 'paused'])).readonly(),
  outcome: z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: z.unknown() })]).nullable(),
  cancelReason: z.enum(['cancelled', 'preempted', 'shutdown']).nullable(),
});

/** A schedule request on the wire: an object; the orchestrator's own schema checks it where it is used. */
const wireRequestSchema = z.record(z.string(), z.unknown());

export const wireTaskEventSchema = z.object({
  taskId: z.string(),
  at: z.number(),
  type: z.string(),
  detail: z.record(z.string(), z.unknown()),
  from: z.string().nullable(),
  to: z.string(),
});

/** Correlates a command with its reply; the client picks it. */
const correlationId = z.string().min(1).max(100);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cancel'), id: correlationId, taskId: z.string() }),
  z.object({ type: z.literal('schedule'), id: correlationId, request: wireRequestSchema }),
  z.object({ type: z.literal('requestOf'), id: correlationId, taskId: z.string() }),
  /** Whether this client wants task events (the server attaches its inspection observer while any does). */
  z.object({ type: z.literal('watchEvents'), watch: z.boolean() }),
]);

/** What went wrong with a message or a command: the message was not superjson, had the wrong shape, or the command failed. */
export const wireErrorCodeSchema = z.enum(['bad-json', 'bad-message', 'invalid', 'failed']);
export type WireErrorCode = z.output<typeof wireErrorCodeSchema>;

export const serverMessageSchema = z.discriminatedUnion('type', [
  /** Sent first on every connection (and again after a reconnect): the tasks known now and their requests. */
  z.object({
    type: z.literal('tasks'),
    now: z.number(),
    tasks: z.array(wireTaskSnapshotSchema),
    requests: z.array(z.tuple([z.string(), wireRequestSchema])),
  }),
  /** A task's snapshot changed; `request` is its last accepted request when the server knows it. */
  z.object({ type: z.literal('taskChanged'), now: z.number(), task: wireTaskSnapshotSchema, request: wireRequestSchema.nullable() }),
  z.object({ type: z.literal('taskEvent'), now: z.number(), event: wireTaskEventSchema }),
  z.object({ type: z.literal('requestOf'), id: correlationId, request: wireRequestSchema.nullable() }),
  /** A cancel or schedule command succeeded. */
  z.object({ type: z.literal('done'), id: correlationId }),
  /** `id` is the command's, or null when the message was too broken to have one. `field` names the bad field, when one is. */
  z.object({ type: z.literal('error'), id: correlationId.nullable(), code: wireErrorCodeSchema, field: z.string().nullable(), name: z.string(), message: z.string() }),
]);

export type ClientMessage = z.output<typeof clientMessageSchema>;
export type ServerMessage = z.output<typeof serverMessageSchema>;
export type WireError = Extract<ServerMessage, { type: 'error' }>;

/** A message that could not be read: its code, and the field at fault (dotted path) when there is one. */
export class DevtoolsWireError extends ErrandError {
  override name = 'DevtoolsWireError';
  constructor(
    readonly code: WireErrorCode,
    readonly field: string | null,
    message: string,
    /** The correlation id of the message at fault, when it had a readable one (its command's reply then settles it). */
    readonly messageId: string | null = null,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return wireJson.stringify(message);
}

/** Reads one message with `schema`, or throws DevtoolsWireError ('bad-json' or 'bad-message', naming the field). */
function decodeWith<S extends z.ZodType>(schema: S, text: string): z.output<S> {
  let value: unknown;
  try {
    const payload: unknown = JSON.parse(text);
    if (typeof payload !== 'object' || payload === null || !('json' in payload)) throw new Error('not a superjson payload');
    value = wireJson.deserialize(payload as Parameters<typeof wireJson.deserialize>[0]);
  } catch (error) {
    throw new DevtoolsWireError('bad-json', null, `is not superjson text (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const field = (first?.path ?? []).map(String).join('.') || '(root)';
  const id = typeof value === 'object' && value !== null && 'id' in value ? correlationId.safeParse(value.id) : null;
  throw new DevtoolsWireError('bad-message', field, first?.message ?? 'invalid', id?.success ? id.data : null);
}

export const decodeClientMessage = (text: string): ClientMessage => decodeWith(clientMessageSchema, text);
export const decodeServerMessage = (text: string): ServerMessage => decodeWith(serverMessageSchema, text);
