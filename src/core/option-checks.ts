import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Zod pieces for checking options objects up front (the orchestrator's, the adapters'). */

type Fn = (...args: never[]) => unknown;
export const isFunction = (value: unknown): value is Fn => typeof value === 'function';
const isObject = (value: unknown): value is object => (typeof value === 'object' && value !== null) || typeof value === 'function';

/** A function, passed through as given. `what` says which, in the message. */
export const functionOption = <T extends Fn>(what: string) => z.custom<T>(isFunction, { error: `must be a function (${what})` });

/**
 * An object with these methods, passed through as given (not copied: ports are often class
 * instances whose methods need their `this`). Each missing method is an issue at its own path.
 */
export function methodsOption<T extends object>(what: string, required: readonly string[], optional: readonly string[] = []) {
  return z.custom<T>(isObject, { error: `must be an object (${what})` }).superRefine((value, ctx) => {
    const members = value as Record<string, unknown>;
    for (const name of required) {
      if (!isFunction(members[name])) ctx.addIssue({ code: 'custom', path: [name], message: `must be a function (${what} needs ${required.join(', ')})` });
    }
    for (const name of optional) {
      if (members[name] !== undefined && !isFunction(members[name])) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a function when given' });
    }
  });
}

/** A strict object whose unknown keys are refused by name, listing the known ones (a typo, or an option of another version). */
export function optionsObject<S extends z.core.$ZodLooseShape>(what: string, shape: S) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `is not an option of ${what} (known: ${Object.keys(shape).join(', ')})` : undefined),
  });
}

/** Parses `options` (undefined counts as `{}`), or throws the ValidationError naming the first bad option. */
export function parseOptions<T extends z.ZodType>(schema: T, options: unknown, what: string): z.output<T> {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ValidationError('options', `must be an object (the options of ${what})`);
  }
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}
