import { SuperJSON } from 'superjson';
import { ValidationError } from './errors.js';
import { checkInput, fieldOf, MAX_INPUT_LENGTH, TOO_LARGE } from './input-check.js';
import { firstDifference } from './input-compare.js';

export { MAX_INPUT_DEPTH, MAX_INPUT_LENGTH } from './input-check.js';

/**
 * With dedupe, an object referenced twice is written once (then `null` and a path): superjson's
 * default writes it at every reference, so a value that shares a lot grows exponentially.
 * Its text is the same format; superjson's own `parse` reads it.
 */
const superjson = new SuperJSON({ dedupe: true });

/**
 * errand's one encoding of a scheduled task's input: superjson's text, `{"json":...,"meta":...}`
 * (null for `undefined`). Called when `schedule()` is, so changes the caller makes to its value
 * afterwards change nothing. A value that would not decode to exactly itself (its classes, keys
 * and their order, -0, NaN, undefined, Map and Set order, shared references) is refused with a
 * ValidationError naming the first offending field, e.g. `input.items.3.blob`.
 */
export function encodeInput(value: unknown): string | null {
  if (value === undefined) return null;
  // Plain JSON, the common case, skips superjson: its text would be exactly this, at several times the cost.
  const { plain, risky } = checkInput(value);
  const text = plain ? `{"json":${JSON.stringify(value)}}` : encodeAnnotated(value, risky);
  if (text.length > MAX_INPUT_LENGTH) throw new ValidationError('input', TOO_LARGE);
  return text;
}

/** superjson's text for a value that is not plain JSON, once it is known to come back exactly. */
function encodeAnnotated(value: unknown, risky: boolean): string {
  let text: string;
  try {
    text = superjson.stringify(value);
  } catch (error) {
    throw new ValidationError('input', `is not kept exactly: superjson cannot encode it (${error instanceof Error ? error.message : String(error)})`);
  }
  if (text.length > MAX_INPUT_LENGTH) throw new ValidationError('input', TOO_LARGE);
  // checkInput admits only kinds superjson keeps. Where it still falls short (it moves a shared
  // object to the end of a Set or Map), the text is decoded and compared; leaf annotations alone
  // (Dates, undefined, BigInt, RegExp, URL, special numbers) round-trip, as test/input-codec.test.ts
  // checks for each kind, and skip that second pass: it would double the cost of such inputs.
  if (!risky) return text;
  const difference = firstDifference(value, superjson.parse(text));
  if (difference !== undefined) {
    throw new ValidationError(
      fieldOf(difference.path),
      `is not kept exactly: it ${difference.reason} after encoding (superjson); pass it without shared references, or as plain data`,
    );
  }
  return text;
}

/** The value `encodeInput` encoded (undefined for null). Throws on text that is not a superjson payload. */
export function decodeInput(text: string | null): unknown {
  if (text === null) return undefined;
  const payload: unknown = JSON.parse(text);
  if (typeof payload !== 'object' || payload === null || !('json' in payload)) {
    throw new ValidationError('input', 'is not errand input text (a superjson payload)');
  }
  return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0], { inPlace: true });
}
