// Turns an XState event's fields into plain JSON for the panel's event log: functions, signals and
// errors are described rather than sent, and deep or large values are cut short, so any event a
// task actor receives (a SCHEDULE carries the worker function, a RUN_NOW its caller's settle) can cross.

const MAX_DEPTH = 5;
const MAX_ITEMS = 50;
const MAX_STRING = 2_000;
/** Values described per event at most: an actor's input reaches into large objects. */
const MAX_NODES = 400;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One event's walk: the objects on the path from the root (cycles), and how many values are left to describe. */
interface Walk {
  seen: Set<object>;
  left: number;
}

function describeError(error: Error, depth: number, walk: Walk): JsonValue {
  const described: { [key: string]: JsonValue } = { name: error.name, message: error.message };
  if (error.cause !== undefined) described.cause = describe(error.cause, depth + 1, walk);
  return described;
}

function describe(value: unknown, depth: number, walk: Walk): JsonValue {
  if (walk.left-- <= 0) return '…';
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return null;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  const { seen } = walk;
  if (seen.has(object)) return '[circular]';
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? `[array of ${object.length}]` : '[object]';
  seen.add(object);
  try {
    if (object instanceof Error) return describeError(object, depth, walk);
    if (typeof AbortSignal !== 'undefined' && object instanceof AbortSignal) return `[AbortSignal${object.aborted ? ' aborted' : ''}]`;
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? '[invalid Date]' : object.toISOString();
    if (object instanceof Map) return { '[Map]': describe([...object.entries()], depth, walk) };
    if (object instanceof Set) return { '[Set]': describe([...object.values()], depth, walk) };
    if (Array.isArray(object)) {
      const items = object.slice(0, MAX_ITEMS).map((item: unknown) => describe(item, depth + 1, walk));
      if (object.length > MAX_ITEMS) items.push(`… ${object.length - MAX_ITEMS} more`);
      return items;
    }
    const described: { [key: string]: JsonValue } = {};
    const keys = Object.keys(object);
    for (const key of keys.slice(0, MAX_ITEMS)) {
      const field = (object as Record<string, unknown>)[key];
      if (field !== undefined) described[key] = describe(field, depth + 1, walk);
    }
    if (keys.length > MAX_ITEMS) described['…'] = `${keys.length - MAX_ITEMS} more keys`;
    return described;
  } catch {
    // A getter that throws, a revoked proxy: say so instead of failing the whole event.
    return '[unreadable]';
  } finally {
    seen.delete(object);
  }
}

/** An event's fields other than `type`, as plain JSON. */
export function describeEventDetail(event: { readonly type: string; readonly [field: string]: unknown }): { [key: string]: JsonValue } {
  const detail: { [key: string]: JsonValue } = {};
  const walk: Walk = { seen: new Set(), left: MAX_NODES };
  for (const [key, value] of Object.entries(event)) {
    if (key !== 'type' && value !== undefined) detail[key] = describe(value, 0, walk);
  }
  return detail;
}
