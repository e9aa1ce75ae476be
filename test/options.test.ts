import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, systemClock } from '../src/core/clock.js';
import { ValidationError } from '../src/core/errors.js';
import { parseOrchestratorOptions, parseShutdownOptions } from '../src/core/options.js';
import { testClock } from '../src/testing/test-clock.js';
import { testPlatform } from '../src/testing/test-platform.js';

function refusal(parse: () => unknown): ValidationError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}
const fieldOf = (options: unknown) => refusal(() => parseOrchestratorOptions(options)).field;

const noop = () => {};
/** A store as a class: its methods live on the prototype, which a copying parser would lose. */
class ClassStore {
  async open() {}
  async write() {}
  async get() { return { records: [], quarantined: [] }; }
  async due() { return { records: [], quarantined: [] }; }
  async nextDueAt() { return null; }
  async list() { return { records: [], quarantined: [] }; }
  async held() { return { records: [], quarantined: [] }; }
}
const fakeStore = () => ({ open: noop, write: noop, get: noop, due: noop, nextDueAt: noop, list: noop, held: noop });

describe('parseOrchestratorOptions', () => {
  it('fills the constant defaults and leaves platform, store and clock to the orchestrator', () => {
    for (const options of [undefined, {}]) {
      expect(parseOrchestratorOptions(options)).toEqual({
        platform: undefined,
        store: undefined,
        clock: undefined,
        inspect: undefined,
        logger: console,
        retainFinished: 10_000,
        random: Math.random,
        activationHorizonMs: 1_000,
      });
    }
  });

  it('passes ports through as the same objects (class instances keep their methods and this)', () => {
    const store = new ClassStore();
    const clock = testClock();
    const platform = testPlatform();
    const logger = { warn: noop, error: noop };
    const random = () => 0.5;
    const inspect = { next: noop };
    const parsed = parseOrchestratorOptions({ store, clock, platform, logger, random, inspect, retainFinished: 0, activationHorizonMs: 0 });
    expect(parsed.store).toBe(store);
    expect(parsed.clock).toBe(clock);
    expect(parsed.platform).toBe(platform);
    expect(parsed.logger).toBe(logger);
    expect(parsed.random).toBe(random);
    expect(parsed.inspect).toBe(inspect);
    expect(parsed.retainFinished).toBe(0);
    expect(parsed.activationHorizonMs).toBe(0);
    expect(parseOrchestratorOptions({ clock: systemClock }).clock).toBe(systemClock);
  });

  it('accepts an inspect function and a store with or without close', () => {
    expect(() => parseOrchestratorOptions({ inspect: noop })).not.toThrow();
    expect(() => parseOrchestratorOptions({ store: fakeStore() })).not.toThrow();
    expect(() => parseOrchestratorOptions({ store: { ...fakeStore(), close: noop } })).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['options that are not an object', null, 'options'],
    ['options that are an array', [], 'options'],
    ['an unknown option', { priority: 1 }, 'priority'],
    ['a misspelt option', { retainFinshed: 5 }, 'retainFinshed'],
    ['a platform that is not an object', { platform: 'node' }, 'platform'],
    ['a platform without subscribe', { platform: { current: () => ({}) } }, 'platform.subscribe'],
    ['a platform whose current is not a function', { platform: { current: {}, subscribe: noop } }, 'platform.current'],
    ['a store that is a string', { store: 'tasks.db' }, 'store'],
    ['a store without nextDueAt', { store: { ...fakeStore(), nextDueAt: undefined } }, 'store.nextDueAt'],
    ['a store without held', { store: { ...fakeStore(), held: 1 } }, 'store.held'],
    ['a store whose close is not a function', { store: { ...fakeStore(), close: true } }, 'store.close'],
    ['an empty clock (nothing would ever run)', { clock: {} }, 'clock.now'],
    ['a clock without clearTimeout', { clock: { now: Date.now, setTimeout: noop } }, 'clock.clearTimeout'],
    ['inspect that is neither function nor observer', { inspect: 1 }, 'inspect'],
    ['an observer without any method', { inspect: {} }, 'inspect'],
    ['an observer whose next is not a function', { inspect: { next: 'log' } }, 'inspect'],
    ['a logger without error', { logger: { warn: noop } }, 'logger.error'],
    ['a logger whose debug is not a function', { logger: { warn: noop, error: noop, debug: 'yes' } }, 'logger.debug'],
    ['retainFinished NaN', { retainFinished: Number.NaN }, 'retainFinished'],
    ['retainFinished negative', { retainFinished: -1 }, 'retainFinished'],
    ['retainFinished fractional', { retainFinished: 1.5 }, 'retainFinished'],
    ['retainFinished Infinity', { retainFinished: Infinity }, 'retainFinished'],
    ['retainFinished as a string', { retainFinished: '10' }, 'retainFinished'],
    ['random that is a number', { random: 0.5 }, 'random'],
    ['activationHorizonMs negative', { activationHorizonMs: -1 }, 'activationHorizonMs'],
    ['activationHorizonMs fractional', { activationHorizonMs: 0.5 }, 'activationHorizonMs'],
    ['activationHorizonMs over the longest timer', { activationHorizonMs: MAX_TIMER_MS + 1 }, 'activationHorizonMs'],
  ])('refuses %s, naming it', (_label, options, field) => {
    expect(fieldOf(options)).toBe(field);
  });

  it('says what an option must be', () => {
    expect(refusal(() => parseOrchestratorOptions({ clock: {} })).message).toBe('clock.now: must be a function (a clock needs now, setTimeout, clearTimeout)');
    expect(refusal(() => parseOrchestratorOptions({ retainFinished: Number.NaN })).message).toBe('retainFinished: must be a whole number of tasks, 0 or more');
    expect(refusal(() => parseOrchestratorOptions({ priority: 1 })).message).toMatch(/^priority: is not an option of createOrchestrator \(known: platform, store, clock/);
  });
});

describe('parseShutdownOptions', () => {
  it('defaults timeoutMs to 10,000 and keeps the bounds', () => {
    expect(parseShutdownOptions(undefined)).toEqual({ timeoutMs: 10_000 });
    expect(parseShutdownOptions({})).toEqual({ timeoutMs: 10_000 });
    expect(parseShutdownOptions({ timeoutMs: 0 })).toEqual({ timeoutMs: 0 });
    expect(parseShutdownOptions({ timeoutMs: MAX_TIMER_MS })).toEqual({ timeoutMs: MAX_TIMER_MS });
  });

  it.each<[string, unknown, string]>([
    ['a negative timeout', { timeoutMs: -1 }, 'timeoutMs'],
    ['NaN', { timeoutMs: Number.NaN }, 'timeoutMs'],
    ['a fraction', { timeoutMs: 1.5 }, 'timeoutMs'],
    ['more than a timer can wait', { timeoutMs: MAX_TIMER_MS + 1 }, 'timeoutMs'],
    ['a string', { timeoutMs: '100' }, 'timeoutMs'],
    ['an unknown key', { timeout: 100 }, 'timeout'],
    ['options that are not an object', 100, 'options'],
  ])('refuses %s, naming it', (_label, options, field) => {
    expect(refusal(() => parseShutdownOptions(options)).field).toBe(field);
  });
});
