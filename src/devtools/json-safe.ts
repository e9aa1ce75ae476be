// What crosses the devtools boundary is plain JSON: the panel may be in another process
// (remoteDevtoolsSource), and "copy as JSON" must not throw on a worker, a signal or a cycle.

/** An error as the panel shows it: its own line, then each cause in turn. */
export interface ErrorDescription {
  name: string;
  message: string;
  cause?: ErrorDescription;
}

const MAX_DEPTH = 8;
const MAX_CAUSES = 8;
const MAX_ITEMS = 200;

/** An error (or anything thrown) described by name and message, with its cause chain. */
export function describeError(error: unknown, depth = 0): ErrorDescription {
  if (isErrorDescription(error)) return error;
  const described: ErrorDescription =
    error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: typeof error === 'object' && error !== null ? 'Object' : typeof error, message: messageOf(error) };
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined && depth < MAX_CAUSES) described.cause = describeError(cause, depth + 1);
  return described;
}

/** An error's chain as lines, outermost first ("WorkFailedError: gave up after 5 attempts"). */
export function causeChain(error: unknown): string[] {
  const lines: string[] = [];
  for (let e: ErrorDescription | undefined = describeError(error); e; e = e.cause) lines.push(`${e.name}: ${e.message}`);
  return lines;
}

function messageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(jsonSafe(value)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Something already described (a remote source sends errors this way). */
function isErrorDescription(value: unknown): value is ErrorDescription {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false;
  const keys = Object.keys(value);
  return (
    keys.every((k) => k === 'name' || k === 'message' || k === 'cause') &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

const isSignal = (value: object): boolean => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal;

/** An XState actor (a parent or child in an event): shown by its id. */
function isActorRef(value: object): value is { id: string; sessionId: string } {
  return 'sessionId' in value && 'id' in value && typeof (value as { send?: unknown }).send === 'function';
}

/**
 * `value` as plain JSON data: functions and AbortSignals dropped, errors described with their
 * causes, actors by id, Dates as ISO text, Maps and Sets as arrays, cycles and depth cut off.
 * Returns undefined for what is dropped.
 */
export function jsonSafe(value: unknown, depth = 0, seen: Set<object> = new Set()): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Error) return describeError(object);
  if (isSignal(object)) return undefined;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (isActorRef(object)) return { actor: object.id };
  if (seen.has(object)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  seen.add(object);
  try {
    if (object instanceof Map) return [...object].slice(0, MAX_ITEMS).map(([k, v]) => [jsonSafe(k, depth + 1, seen), jsonSafe(v, depth + 1, seen)]);
    if (object instanceof Set) return [...object].slice(0, MAX_ITEMS).map((v) => jsonSafe(v, depth + 1, seen));
    if (Array.isArray(object)) return object.slice(0, MAX_ITEMS).map((v) => jsonSafe(v, depth + 1, seen) ?? null);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object).slice(0, MAX_ITEMS)) {
      const safe = jsonSafe(item, depth + 1, seen);
      if (safe !== undefined) out[key] = safe;
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/** An object's fields made JSON-safe (for an event's detail), its `type` left out. */
export function jsonSafeFields(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'type') continue;
    const safe = jsonSafe(item, 1, new Set([value]));
    if (safe !== undefined) out[key] = safe;
  }
  return out;
}
