import { ValidationError } from './errors.js';

/**
 * Most levels of nested objects errand keeps (the input itself is the first). superjson and JSON recurse once per level (and
 * superjson copies the path at every level), so this bounds both their stack use and their
 * cost per value; real task inputs are a few levels deep.
 */
export const MAX_INPUT_DEPTH = 100;

/**
 * Longest encoded input errand keeps, in UTF-16 code units (1 MiB of ASCII). Stores read a
 * record's input whole on every `get`, `due` and `list`, and an active task keeps it in memory:
 * large data belongs in a file or a blob store, with its key in the input.
 */
export const MAX_INPUT_LENGTH = 1_048_576;

/** `input.items.3.blob`: the field name a ValidationError carries. */
export function fieldOf(segments: readonly string[]): string {
  return ['input', ...segments].join('.');
}

export const TOO_LARGE = `is over ${MAX_INPUT_LENGTH.toLocaleString('en-US')} characters once encoded; keep large data elsewhere (a file, a blob store) and pass its key`;
const TOO_DEEP = `nests objects deeper than ${MAX_INPUT_DEPTH} levels; flatten it (a list instead of a chain of objects)`;
const BINARY = 'is not kept exactly; pass a base64 string or an array of numbers';

/** Keys superjson refuses on the way in and out (prototype pollution); refused always, so plain JSON is no exception. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The name of an object's class, read without running a getter. */
function className(proto: object): string {
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'an unnamed class';
}

const BOXED: ReadonlyArray<readonly [object, string]> = [
  [Number.prototype, 'Number'],
  [String.prototype, 'String'],
  [Boolean.prototype, 'Boolean'],
  [BigInt.prototype, 'BigInt'],
  [Symbol.prototype, 'Symbol'],
];

/** Why an object of a kind errand does not keep is refused, and what to pass instead. */
function refusalOf(value: object, proto: object | null): string {
  if (proto === null) {
    return 'an object with a null prototype (Object.create(null)) is not kept exactly: it comes back with Object.prototype; pass a plain object';
  }
  if (typeof Buffer === 'function' && Buffer.isBuffer(value)) return `a Buffer ${BINARY}`;
  if (ArrayBuffer.isView(value)) return `a ${value instanceof DataView ? 'DataView' : className(proto)} ${BINARY}`;
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
    return `an ${className(proto)} ${BINARY}`;
  }
  if (value instanceof Error) {
    return `an Error (${className(proto)}) is not kept exactly: its class, stack and extra properties are lost; pass { name, message } or the fields the task needs`;
  }
  for (const [boxedProto, name] of BOXED) {
    if (proto === boxedProto) return `a boxed ${name} (new ${name}(...)) is not kept exactly; pass the primitive`;
  }
  if (value instanceof Promise) return 'a Promise is not kept; await it and pass its value';
  if (value instanceof WeakMap || value instanceof WeakSet || (typeof WeakRef === 'function' && value instanceof WeakRef)) {
    return `a ${className(proto)} is not kept: its contents cannot be read; pass a Map, a Set or plain data`;
  }
  if (Array.isArray(value)) return `an array of class ${className(proto)} is not kept exactly: it would come back as a plain Array; pass a plain array`;
  return `an instance of ${className(proto)} is not kept exactly: it would come back as a plain object, without its class; pass a plain object`;
}

/** Why an own property cannot be kept whatever its value, or undefined. */
function descriptorProblem(descriptor: PropertyDescriptor): string | undefined {
  if (descriptor.get || descriptor.set) return 'a getter or setter is not kept (it would be stored as the value it returns now); pass the value';
  if (!descriptor.enumerable) return 'a non-enumerable property is not kept; make it enumerable or leave it out';
  return undefined;
}

function keyProblem(key: string | symbol): string | undefined {
  if (typeof key === 'symbol') return 'a symbol-keyed property is not kept (JSON has only string keys); use a string key';
  if (RESERVED_KEYS.has(key)) return `a key named "${key}" is not kept (superjson refuses it as a prototype-pollution risk); rename it`;
  return undefined;
}

/** An array index in canonical form ("3", not "03"), below `length`. */
const isIndex = (key: string | symbol, length: number): boolean =>
  typeof key === 'string' && String(Number(key) >>> 0) === key && Number(key) < length;

/** The things errand keeps besides plain objects and arrays, each with no own properties (RegExp: lastIndex only). */
const SPECIAL_PROTOTYPES = new Set<unknown>([Date.prototype, RegExp.prototype, Map.prototype, Set.prototype, ...(typeof URL === 'function' ? [URL.prototype] : [])]);

const enum Kind {
  Object,
  Array,
  /** A Map's or Set's entries, listed once: `items` holds key, value, key, value, ... (a Set: elements). */
  Entries,
}

/** An object on the path being walked, and how far its children have been walked. */
interface Frame {
  readonly target: object;
  readonly kind: Kind;
  /** Own keys (Object), or entries (Entries). */
  readonly items: readonly unknown[];
  readonly isMap: boolean;
  /** How the parent reached it (a path segment). */
  readonly key: string;
  readonly depth: number;
  /** Characters of its superjson path: what an annotation or a shared reference adds to the text. */
  readonly pathLength: number;
  index: number;
}

const NO_ITEMS: readonly unknown[] = [];

const digits = (n: number): number => (n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length);

/**
 * One walk over an input, depth first with an explicit stack of frames (a 100k-level value is
 * refused, not a stack overflow), in JSON order, so the first offending value is the one named.
 */
class Walk {
  private readonly frames: Frame[] = [];
  private readonly seen = new Set<object>();
  plain = true;
  /** Met a Map, a Set or a shared reference: where superjson's text may not decode to the same value. */
  risky = false;
  /** A lower bound on the encoded length, so an oversized value is refused before it is encoded. */
  private length = 0;

  run(value: unknown): void {
    this.visit(value, '', 0, 0);
    const { frames } = this;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as Frame;
      if (!this.advance(frame)) frames.pop();
    }
  }

  /** Visits the frame's next child; false when it has none left. */
  private advance(frame: Frame): boolean {
    const i = frame.index++;
    switch (frame.kind) {
      case Kind.Object: {
        if (i >= frame.items.length) return false;
        const key = frame.items[i] as string | symbol;
        const name = typeof key === 'symbol' ? String(key) : key;
        const descriptor = Object.getOwnPropertyDescriptor(frame.target, key) as PropertyDescriptor;
        const problem = keyProblem(key) ?? descriptorProblem(descriptor);
        if (problem !== undefined) this.refuse(name, problem);
        this.grow(name, name.length + 3);
        this.visit(descriptor.value, name, frame.depth + 1, frame.pathLength + name.length + 1);
        return true;
      }
      case Kind.Array: {
        const array = frame.target as unknown[];
        if (i >= array.length) {
          if (Reflect.ownKeys(array).length !== array.length + 1) {
            const extra = Reflect.ownKeys(array).find((key) => key !== 'length' && !isIndex(key, array.length));
            this.refuse(String(extra), 'a property on an array is not kept (JSON keeps only its elements); use an object with the array as one of its fields');
          }
          return false;
        }
        const descriptor = Object.getOwnPropertyDescriptor(array, i);
        if (descriptor === undefined) {
          this.refuse(String(i), 'is a hole in a sparse array, which is not kept (it would come back as null); fill it with null or undefined');
        }
        const problem = descriptorProblem(descriptor);
        if (problem !== undefined) this.refuse(String(i), problem);
        this.visit(descriptor.value, i, frame.depth + 1, frame.pathLength + digits(i) + 1);
        return true;
      }
      case Kind.Entries: {
        if (i >= frame.items.length) return false;
        // In superjson's text a Map entry is a [key, value] pair: its parts are two levels down, at "<n>.0" and "<n>.1".
        const n = frame.isMap ? i >> 1 : i;
        const key = frame.isMap ? `${n}.${i & 1 ? 'value' : 'key'}` : n;
        this.grow(key, frame.isMap ? 2 : 1);
        this.visit(frame.items[i], key, frame.depth + (frame.isMap ? 2 : 1), frame.pathLength + digits(n) + (frame.isMap ? 3 : 1));
        return true;
      }
    }
  }

  /** Checks one value reached by `key` from the top frame; pushes a frame for an object to walk. */
  private visit(value: unknown, key: string | number, depth: number, pathLength: number): void {
    switch (typeof value) {
      case 'string':
        return this.grow(key, value.length + 2);
      case 'boolean':
        return this.grow(key, 4);
      case 'number':
        return Number.isFinite(value) && !Object.is(value, -0) ? this.grow(key, 1) : this.annotate(key, pathLength, 3);
      case 'bigint':
      case 'undefined':
        return this.annotate(key, pathLength, 3);
      case 'symbol':
        return this.refuse(key, 'a symbol is not kept (superjson knows no symbols of yours); pass a string');
      case 'function':
        return this.refuse(key, 'a function is not kept; pass data the task can act on');
    }
    if (value === null) return this.grow(key, 4);
    const object = value as object;
    if (this.seen.has(object)) {
      // Shared or cyclic: superjson writes it once, then `null` and its path for each other reference.
      this.plain = false;
      this.risky = true;
      return this.grow(key, pathLength + 4);
    }
    this.seen.add(object);
    if (depth >= MAX_INPUT_DEPTH) this.refuse(key, TOO_DEEP);
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto === Object.prototype) {
      this.grow(key, 2);
      this.push(object, Kind.Object, Reflect.ownKeys(object), key, depth, pathLength);
    } else if (proto === Array.prototype && Array.isArray(object)) {
      this.grow(key, object.length + 1);
      this.push(object, Kind.Array, NO_ITEMS, key, depth, pathLength);
    } else if (SPECIAL_PROTOTYPES.has(proto)) {
      this.special(object, proto as object, key, pathLength);
      if (object instanceof Map || object instanceof Set) this.risky = true;
      if (object instanceof Map) this.push(object, Kind.Entries, [...(object as Map<unknown, unknown>)].flat(), key, depth, pathLength, true);
      else if (object instanceof Set) this.push(object, Kind.Entries, [...(object as Set<unknown>)], key, depth, pathLength);
    } else {
      this.refuse(key, refusalOf(object, proto as object | null));
    }
  }

  private push(target: object, kind: Kind, items: readonly unknown[], key: string | number, depth: number, pathLength: number, isMap = false): void {
    this.frames.push({ target, kind, items, isMap, key: String(key), depth, pathLength, index: 0 });
  }

  /** Date, RegExp, URL, Map and Set, reached by `key`: superjson annotates each with its type. */
  private special(v: object, proto: object, key: string | number, pathLength: number): void {
    const extra = Reflect.ownKeys(v).find((own) => !(own === 'lastIndex' && proto === RegExp.prototype));
    if (extra !== undefined) {
      const name = className(proto);
      this.refuse(key, `a property on a ${name} is not kept; put the ${name} and the property side by side in an object`, String(extra));
    }
    if (v instanceof Date && Number.isNaN(v.getTime())) {
      this.refuse(key, 'an invalid Date is not kept (superjson writes it as null); pass null or leave the field out');
    }
    if (v instanceof RegExp && v.lastIndex !== 0) {
      this.refuse(key, `a RegExp's lastIndex (${String(v.lastIndex)}) is not kept; reset it to 0 or pass its source and flags as strings`);
    }
    const text = v instanceof Date ? 26 : v instanceof RegExp ? v.source.length + 2 : v instanceof URL ? v.href.length + 2 : 2;
    this.annotate(key, pathLength, text);
  }

  /** Adds to the encoded length, refusing once it is certainly over the limit. */
  private grow(key: string | number, chars: number): void {
    this.length += chars;
    if (this.length > MAX_INPUT_LENGTH) this.refuse(key, TOO_LARGE);
  }

  /** A value superjson annotates: `"<path>":["<type>"]` in its meta. */
  private annotate(key: string | number, pathLength: number, chars: number): void {
    this.plain = false;
    this.grow(key, chars + pathLength + 6);
  }

  /** Refuses the value reached by `key` from the top frame (or a property `extra` of it). */
  private refuse(key: string | number, message: string, extra?: string): never {
    // frames[0] is the input itself; the root value is reached by no key.
    const segments = this.frames.slice(1).map((frame) => frame.key);
    if (this.frames.length > 0) segments.push(String(key));
    if (extra !== undefined) segments.push(extra);
    throw new ValidationError(fieldOf(segments), message);
  }
}

/**
 * Walks `value` once and throws ValidationError at the first value, in JSON order, that errand's
 * encoding would not give back exactly, or once the encoded text would certainly be over
 * MAX_INPUT_LENGTH. Returns whether `value` is plain JSON, so that `{"json":JSON.stringify(value)}`
 * is exactly superjson's text (finite numbers other than -0, strings, booleans, null, plain
 * objects and dense arrays, each object met once), and whether it holds a Map, a Set or a shared
 * reference, the shapes where superjson's text has been seen not to decode to the same value.
 */
export function checkInput(value: unknown): { plain: boolean; risky: boolean } {
  const walk = new Walk();
  walk.run(value);
  return { plain: walk.plain, risky: walk.risky };
}
