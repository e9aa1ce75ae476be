import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'superjson';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/core/errors.js';
import { decodeInput, encodeInput, MAX_INPUT_DEPTH, MAX_INPUT_LENGTH } from '../src/core/input-codec.js';

/**
 * Deep equality as the test's own oracle, independent of the codec's compare: Node's strict
 * equality (prototypes, -0, holes, undefined, symbols), plus key order and the shape of sharing.
 */
function expectExact(original: unknown, decoded: unknown): void {
  expect(isDeepStrictEqual(decoded, original)).toBe(true);
  const pairs = new Map<object, unknown>();
  const walk = (a: unknown, b: unknown): void => {
    if (typeof a !== 'object' || a === null) return;
    if (pairs.has(a)) return void expect(pairs.get(a)).toBe(b);
    pairs.set(a, b);
    expect(Reflect.ownKeys(b as object)).toEqual(Reflect.ownKeys(a));
    if (a instanceof Map || a instanceof Set) {
      const xs = [...a.entries()].flat();
      const ys = [...(b as Map<unknown, unknown>).entries()].flat();
      xs.forEach((x, i) => walk(x, ys[i]));
      expect(ys.map((y) => typeof y)).toEqual(xs.map((x) => typeof x));
    }
    for (const key of Reflect.ownKeys(a)) walk((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key]);
  };
  walk(original, decoded);
  // Distinct objects stay distinct.
  expect(new Set(pairs.values()).size).toBe(pairs.size);
}

const shared = { id: 1 };
const cyclic: Record<string, unknown> = { name: 'root' };
cyclic.self = cyclic;
const cyclicMap = new Map<string, unknown>();
cyclicMap.set('me', cyclicMap);
const chain = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
};

const kept: Array<[string, unknown]> = [
  ['a string', 'hello'],
  ['a lone surrogate', '\ud800x'],
  ['an integer', 42],
  ['a float', 0.1],
  ['true', true],
  ['null', null],
  ['a plain object', { a: 1, b: 'x', c: [1, 2, { d: null }] }],
  ['integer-like and odd keys', { '2': 'b', '1': 'a', 'a.b': 1, 'a\\': 2, '': 3, '\\.': 4 }],
  ['-0', -0],
  ['NaN', Number.NaN],
  ['Infinity and -Infinity', [Infinity, -Infinity]],
  ['a BigInt', { big: 12345678901234567890n, negative: -1n }],
  ['undefined values', { a: undefined, b: [undefined, 1], c: { d: undefined } }],
  ['a Date', new Date(1_700_000_000_123)],
  ['Dates at the ends of the range', [new Date(8.64e15), new Date(-8.64e15)]],
  ['a RegExp with every flag', /a\/b[/]\d+/dgimsuy],
  ['a URL', new URL('https://user:pw@example.com:8080/p/a?q=1#h')],
  ['a Map with object keys', new Map<unknown, unknown>([[{ k: 1 }, 'object key'], ['s', new Date(0)], [1, undefined]])],
  ['a Set of mixed values', new Set<unknown>([1, 'a', { b: 2 }, new Date(5), NaN])],
  ['nested Maps and Sets', { m: new Map([['inner', new Set([new Map([[1, 2]])])]]) }],
  ['a shared reference', { a: shared, b: shared, list: [shared] }],
  ['a shared reference first met inside a Set', { s: new Set([1, shared]), later: shared }],
  ['a shared Date', (() => { const d = new Date(3); return [d, d]; })()],
  ['a cycle', cyclic],
  ['a cyclic Map', cyclicMap],
  ['a frozen object (integrity levels are not data: it comes back unfrozen)', Object.freeze({ a: Object.freeze([1, 2]) })],
  ['a sealed object', Object.seal({ a: 1 })],
  [`nesting ${MAX_INPUT_DEPTH} levels deep`, chain(MAX_INPUT_DEPTH)],
  ['a DAG (each object referenced twice)', (() => { let v: unknown = [1]; for (let i = 0; i < 12; i++) v = [v, v]; return v; })()],
];

describe('encodeInput / decodeInput: what is kept', () => {
  it.each(kept)('%s round-trips exactly', (_label, value) => {
    const text = encodeInput(value);
    expect(typeof text).toBe('string');
    expectExact(value, decodeInput(text));
  });

  it('writes an object referenced many times once: a DAG that doubles 40 times stays small', () => {
    let value: unknown[] = [1];
    for (let i = 0; i < 40; i++) value = [value, value];
    const text = encodeInput(value) as string;
    expect(text.length).toBeLessThan(10_000);
    const decoded = decodeInput(text) as unknown[][];
    expect(decoded[0]).toBe(decoded[1]);
    expect(decoded[0]?.[0]).toBe(decoded[0]?.[1]);
  });

  it('encodes undefined as null, and null text back to undefined', () => {
    expect(encodeInput(undefined)).toBeNull();
    expect(decodeInput(null)).toBeUndefined();
  });

  it('writes plain JSON as {"json":<JSON.stringify(value)>}, byte for byte what superjson writes', () => {
    for (const value of [{ a: 1, b: ['x', null, true, 2.5] }, 'text', 0, [], {}]) {
      expect(encodeInput(value)).toBe(`{"json":${JSON.stringify(value)}}`);
      expect(encodeInput(value)).toBe(stringify(value));
    }
  });

  it('writes superjson text when annotations are needed', () => {
    expect(encodeInput({ at: new Date(0) })).toBe('{"json":{"at":"1970-01-01T00:00:00.000Z"},"meta":{"values":{"at":["Date"]},"v":1}}');
  });

  it('copies at the call: changing the value afterwards changes nothing', () => {
    const value = { list: [1, 2], when: new Date(0) };
    const text = encodeInput(value);
    value.list.push(3);
    value.when.setTime(99);
    expect(decodeInput(text)).toEqual({ list: [1, 2], when: new Date(0) });
  });

  it('refuses text that is not a superjson payload', () => {
    expect(() => decodeInput('5')).toThrow(ValidationError);
    expect(() => decodeInput('not json')).toThrow(SyntaxError);
  });
});

class Point {
  constructor(readonly x = 1) {}
}
class MyError extends Error {
  code = 'E_X';
}
class MyArray<T> extends Array<T> {}

const withGetter = { get now() { return Date.now(); } };
const nonEnumerable = Object.defineProperty({ visible: 1 }, 'hidden', { value: 2, enumerable: false });
const arrayWithGetter = Object.defineProperty([1, 2], 1, { get: () => 2, enumerable: true });
const regexpMidMatch = /a/g;
regexpMidMatch.exec('aaa');
const dateWithProp = Object.assign(new Date(0), { label: 'x' });
const mapWithProp = Object.assign(new Map(), { extra: 1 });
// eslint-disable-next-line no-sparse-arrays
const sparse = [1, , 3];
const arrayWithProp = Object.assign([1, 2], { total: 3 });
const symbolKeyed = { [Symbol('tag')]: 1 };

/** [label, value, field, message fragment] */
const refused: Array<[string, unknown, string, string]> = [
  ['a Buffer deep in a list', { items: [0, 1, 2, { blob: Buffer.from('hi') }] }, 'input.items.3.blob', 'a Buffer is not kept exactly; pass a base64 string or an array of numbers'],
  ['a Uint8Array', { bytes: new Uint8Array([1, 2]) }, 'input.bytes', 'a Uint8Array is not kept exactly'],
  ['a Float64Array', new Float64Array([NaN]), 'input', 'a Float64Array is not kept exactly'],
  ['a BigInt64Array', [new BigInt64Array(1)], 'input.0', 'a BigInt64Array is not kept exactly'],
  ['an ArrayBuffer', { buf: new ArrayBuffer(4) }, 'input.buf', 'an ArrayBuffer is not kept exactly'],
  ['a SharedArrayBuffer', { buf: new SharedArrayBuffer(4) }, 'input.buf', 'an SharedArrayBuffer is not kept exactly'],
  ['a DataView', { view: new DataView(new ArrayBuffer(2)) }, 'input.view', 'a DataView is not kept exactly'],
  ['a class instance', { at: new Point() }, 'input.at', 'an instance of Point is not kept exactly'],
  ['an array subclass', { list: MyArray.from([1]) }, 'input.list', 'an array of class MyArray is not kept exactly'],
  ['a function', { run: () => 1 }, 'input.run', 'a function is not kept'],
  ['a method', { run() {} }, 'input.run', 'a function is not kept'],
  ['a symbol value', { tag: Symbol('x') }, 'input.tag', 'a symbol is not kept'],
  ['a symbol key', symbolKeyed, 'input.Symbol(tag)', 'a symbol-keyed property is not kept'],
  ['a __proto__ own key from JSON.parse', JSON.parse('{"a":[{"__proto__":{"admin":true}}]}'), 'input.a.0.__proto__', 'a key named "__proto__" is not kept'],
  ['a constructor key', { meta: { constructor: 'x' } }, 'input.meta.constructor', 'a key named "constructor" is not kept'],
  ['a prototype key', { prototype: 1 }, 'input.prototype', 'a key named "prototype" is not kept'],
  ['a getter', { deep: withGetter }, 'input.deep.now', 'a getter or setter is not kept'],
  ['a getter on an array index', { list: arrayWithGetter }, 'input.list.1', 'a getter or setter is not kept'],
  ['a non-enumerable property', nonEnumerable, 'input.hidden', 'a non-enumerable property is not kept'],
  ['Object.create(null)', { dict: Object.create(null) as object }, 'input.dict', 'an object with a null prototype (Object.create(null)) is not kept exactly'],
  ['a sparse array', { list: sparse }, 'input.list.1', 'is a hole in a sparse array'],
  ['an array with an extra property', { list: arrayWithProp }, 'input.list.total', 'a property on an array is not kept'],
  ['an invalid Date', { at: new Date(Number.NaN) }, 'input.at', 'an invalid Date is not kept'],
  ['a Date with an extra property', { at: dateWithProp }, 'input.at.label', 'a property on a Date is not kept'],
  ['a RegExp mid-match (lastIndex)', { re: regexpMidMatch }, 'input.re', "a RegExp's lastIndex (1) is not kept"],
  ['a Map with an extra property', mapWithProp, 'input.extra', 'a property on a Map is not kept'],
  ['a bad value inside a Map key', new Map([[{ fn: () => 1 }, 1]]), 'input.0.key.fn', 'a function is not kept'],
  ['a bad value inside a Map value', { m: new Map<string, unknown>([['a', 1], ['b', new Point()]]) }, 'input.m.1.value', 'an instance of Point'],
  ['a bad value inside a Set', { s: new Set([1, Symbol('s')]) }, 'input.s.1', 'a symbol is not kept'],
  ['an Error', { error: new Error('boom') }, 'input.error', 'an Error (Error) is not kept exactly'],
  ['an Error subclass with extra properties', { error: new MyError('boom') }, 'input.error', 'an Error (MyError) is not kept exactly'],
  ['a URLSearchParams', { q: new URLSearchParams('a=1') }, 'input.q', 'an instance of URLSearchParams'],
  ['a boxed number', { n: new Number(1) }, 'input.n', 'a boxed Number (new Number(...)) is not kept exactly; pass the primitive'],
  ['a boxed string', new String('s'), 'input', 'a boxed String'],
  ['a boxed BigInt', { n: Object(1n) as object }, 'input.n', 'a boxed BigInt'],
  ['a Promise', { p: Promise.resolve(1) }, 'input.p', 'a Promise is not kept'],
  ['a WeakMap', { w: new WeakMap() }, 'input.w', 'a WeakMap is not kept'],
  ['a WeakSet', { w: new WeakSet() }, 'input.w', 'a WeakSet is not kept'],
  // superjson moves a shared object to the end of a Set or Map when it was first met elsewhere.
  ['a shared object first met outside a Set', { first: shared, s: new Set([shared, 1]) }, 'input.s.0', 'is not kept exactly'],
  ['a shared object used as a Map key', { first: shared, m: new Map<unknown, number>([[shared, 1], ['k', 2]]) }, 'input.m.0.key', 'is not kept exactly'],
  [`nesting ${MAX_INPUT_DEPTH + 1} levels deep`, chain(MAX_INPUT_DEPTH + 1), `input${'.next'.repeat(MAX_INPUT_DEPTH)}`, `nests objects deeper than ${MAX_INPUT_DEPTH} levels`],
  ['a string over the size limit', { doc: 'x'.repeat(MAX_INPUT_LENGTH) }, 'input.doc', `is over 1,048,576 characters once encoded`],
  ['an array over the size limit', { rows: new Array<number>(MAX_INPUT_LENGTH).fill(0) }, 'input.rows', 'is over 1,048,576 characters'],
  ['many small values over the size limit', Array.from({ length: 200_000 }, (_, i) => ({ i })), 'input.', 'is over 1,048,576 characters'],
];

describe('encodeInput: what is refused', () => {
  it.each(refused)('refuses %s, naming the field', (_label, value, field, message) => {
    let error: unknown;
    try {
      encodeInput(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { field: actual, message: text } = error as ValidationError;
    if (field.endsWith('.')) expect(actual.startsWith(field)).toBe(true);
    else expect(actual).toBe(field);
    expect(text).toContain(message);
  });

  it('refuses a top-level Buffer with the message the README promises', () => {
    expect(() => encodeInput(Buffer.from('x'))).toThrow('input: a Buffer is not kept exactly; pass a base64 string or an array of numbers');
  });

  it('names the first offending value in JSON order', () => {
    const value = { a: { b: [1, { c: () => 1 }] }, d: Symbol('later') };
    expect(() => encodeInput(value)).toThrow(expect.objectContaining({ field: 'input.a.b.1.c' }));
  });

  it('refuses 100k levels of nesting with a ValidationError, not a stack overflow', () => {
    for (const value of [chain(100_000), (() => { let v: unknown = 1; for (let i = 0; i < 100_000; i++) v = [v]; return v; })()]) {
      expect(() => encodeInput(value)).toThrow(ValidationError);
    }
  });

  it('refuses an enormous sparse array at once, without walking its length', () => {
    const started = performance.now();
    expect(() => encodeInput({ list: new Array(2 ** 32 - 1) })).toThrow(expect.objectContaining({ field: 'input.list' }));
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('does not run getters while checking', () => {
    let calls = 0;
    const value = { get x() { calls++; return 1; } };
    expect(() => encodeInput(value)).toThrow(ValidationError);
    expect(calls).toBe(0);
  });
});

describe('encodeInput cost', () => {
  // Per-element time must not grow with size (generous bound: timers on a busy CI are noisy).
  const perElement = (n: number, make: (i: number) => unknown): number => {
    const value = Array.from({ length: n }, (_, i) => make(i));
    encodeInput(value);
    const started = performance.now();
    for (let i = 0; i < 3; i++) encodeInput(value);
    return (performance.now() - started) / n;
  };

  it.each([
    ['plain JSON', (i: number) => ({ id: i, name: `n${i}` })],
    ['annotated values', (i: number) => ({ id: i, at: new Date(i) })],
  ])('stays linear for %s', (_label, make) => {
    const small = perElement(1_000, make);
    const large = perElement(16_000, make);
    expect(large).toBeLessThan(small * 4);
  });
});
