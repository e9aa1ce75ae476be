/** Where and how a decoded input differs from the original. */
export interface Difference {
  readonly path: readonly string[];
  readonly reason: string;
}

interface Pair {
  readonly a: unknown;
  readonly b: unknown;
  /** How the pair was reached; the path is built only for a difference. */
  readonly parent: Pair | null;
  readonly key: string;
}

function pathOf(pair: Pair): string[] {
  const path: string[] = [];
  for (let at: Pair | null = pair; at?.parent; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The first place where `b` (an input as decoded) is not exactly `a` (as given), for the kinds
 * checkInput lets through: same prototypes, own keys in the same order, -0, NaN, undefined,
 * Date times, RegExp source and flags, URL text, Map and Set entries in order, and the same
 * sharing (an object met twice in `a` must be one object met twice in `b`, and no more).
 *
 * Written by hand: Node's util.isDeepStrictEqual is not in browsers, and it (like vitest's
 * equality) ignores key order, iteration order and which references are shared. Iterative,
 * like the check, though checkInput has already bounded the depth.
 */
export function firstDifference(a: unknown, b: unknown): Difference | undefined {
  const stack: Pair[] = [{ a, b, parent: null, key: '' }];
  const toDecoded = new Map<object, unknown>();
  const toOriginal = new Map<unknown, object>();
  for (let pair = stack.pop(); pair; pair = stack.pop()) {
    const { a: x, b: y } = pair;
    const at = pair;
    const differ = (reason: string): Difference => ({ path: pathOf(at), reason });
    if (typeof x !== 'object' || x === null) {
      if (!Object.is(x, y)) return differ(`comes back as ${describe(y)} instead of ${describe(x)}`);
      continue;
    }
    if (typeof y !== 'object' || y === null) return differ(`comes back as ${describe(y)}`);
    if (toDecoded.has(x) || toOriginal.has(y)) {
      if (toDecoded.get(x) !== y || toOriginal.get(y) !== x) return differ('comes back with its references shared differently');
      continue;
    }
    toDecoded.set(x, y);
    toOriginal.set(y, x);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return differ('comes back with another prototype');
    const children: Pair[] = [];
    if (x instanceof Date) {
      if (!Object.is(x.getTime(), (y as Date).getTime())) return differ('comes back as another time');
    } else if (x instanceof RegExp) {
      const r = y as RegExp;
      if (x.source !== r.source || x.flags !== r.flags || x.lastIndex !== r.lastIndex) return differ('comes back as another RegExp');
    } else if (typeof URL === 'function' && x instanceof URL) {
      if (x.href !== (y as URL).href) return differ('comes back as another URL');
    } else if (x instanceof Map || x instanceof Set) {
      const xs = [...(x as Map<unknown, unknown>).entries()];
      const ys = [...(y as Map<unknown, unknown>).entries()];
      if (xs.length !== ys.length) return differ(`comes back with ${ys.length} entries instead of ${xs.length}`);
      const isMap = x instanceof Map;
      xs.forEach(([key, value], i) => {
        const [yKey, yValue] = ys[i] as [unknown, unknown];
        // A Set's entries are [element, element]: one comparison is enough.
        if (isMap) children.push({ a: key, b: yKey, parent: at, key: `${i}.key` }, { a: value, b: yValue, parent: at, key: `${i}.value` });
        else children.push({ a: key, b: yKey, parent: at, key: String(i) });
      });
    }
    // Plain objects and arrays; for the kinds above this checks they have no own properties either.
    const xKeys = Reflect.ownKeys(x);
    const yKeys = Reflect.ownKeys(y);
    if (xKeys.length !== yKeys.length || xKeys.some((key, i) => key !== yKeys[i])) return differ('comes back with other properties');
    for (const key of xKeys) {
      if (x instanceof RegExp && key === 'lastIndex') continue;
      const dx = Object.getOwnPropertyDescriptor(x, key);
      const dy = Object.getOwnPropertyDescriptor(y, key);
      if (!dx || !dy || 'get' in dy || dx.enumerable !== dy.enumerable) return differ(`comes back with property ${String(key)} changed`);
      children.push({ a: dx.value, b: dy.value, parent: at, key: String(key) });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Pair);
  }
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
