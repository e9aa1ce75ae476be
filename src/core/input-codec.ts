// Placeholder until the codec branch lands: superjson with a plain-JSON fast path.
import { parse, stringify } from 'superjson';

export function encodeInput(value: unknown): string | null {
  if (value === undefined) return null;
  return stringify(value);
}

export function decodeInput(text: string | null): unknown {
  return text === null ? undefined : parse(text);
}
