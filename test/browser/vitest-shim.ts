// Stands in for 'vitest' in page bundles (test/browser/bundle.ts aliases it): the store contract's
// describe/it/afterEach collect cases that the node-side test runs one at a time through
// `window.errandTests`, and `expect` is Vitest's own (@vitest/expect on chai), so assertions and
// their messages are the same as under Node.
import { ASYMMETRIC_MATCHERS_OBJECT, chai, GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

const globals = globalThis as unknown as Record<symbol, object>;
const expectFn = (value: unknown, message?: string) => chai.expect(value, message);
Object.assign(expectFn, chai.expect, globals[ASYMMETRIC_MATCHERS_OBJECT]);
setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null }, expectFn as never);
Object.defineProperty(globalThis, GLOBAL_EXPECT, { value: expectFn, writable: true, configurable: true });
export const expect = expectFn;

type Hook = () => unknown;
interface Scope {
  names: string[];
  hooks: Hook[];
  parent: Scope | null;
}
interface Case {
  name: string;
  scope: Scope;
  run: (ctx: TestContext) => unknown;
}
export interface TestContext {
  skip(note?: string): never;
}
export interface CaseResult {
  status: 'passed' | 'failed' | 'skipped';
  /** The failure (message and stack) or the skip note. */
  detail?: string;
}

class Skipped extends Error {}

const cases = new Map<string, Case>();
let scope: Scope = { names: [], hooks: [], parent: null };

export function describe(name: string, body: () => void): void {
  const outer = scope;
  scope = { names: [...outer.names, name], hooks: [], parent: outer };
  try {
    body();
  } finally {
    scope = outer;
  }
}

export function it(name: string, run: (ctx: TestContext) => unknown): void {
  const full = [...scope.names, name].join(' > ');
  if (cases.has(full)) throw new Error(`two cases named ${full}`);
  cases.set(full, { name: full, scope, run });
}

export function afterEach(hook: Hook): void {
  scope.hooks.push(hook);
}

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error));

/** The names of every collected case, in definition order. */
export function caseNames(): string[] {
  return [...cases.keys()];
}

/** Runs one case and its afterEach hooks (innermost first), as Vitest would. */
export async function runCase(name: string): Promise<CaseResult> {
  const found = cases.get(name);
  if (!found) return { status: 'failed', detail: `no case named ${name}` };
  let result: CaseResult = { status: 'passed' };
  try {
    await found.run({
      skip(note?: string): never {
        throw new Skipped(note ?? 'skipped');
      },
    });
  } catch (error) {
    result = error instanceof Skipped ? { status: 'skipped', detail: error.message } : { status: 'failed', detail: describeError(error) };
  }
  for (let s: Scope | null = found.scope; s; s = s.parent) {
    for (const hook of s.hooks) {
      try {
        await hook();
      } catch (error) {
        if (result.status !== 'failed') result = { status: 'failed', detail: `afterEach: ${describeError(error)}` };
      }
    }
  }
  return result;
}
