import { describe, expect, it } from 'vitest';
import { singleFlight } from '../src/core/single-flight.js';
import { deferred } from './support.js';

describe('singleFlight', () => {
  it('runs one at a time; every call while one runs folds into one more run after it', async () => {
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const go = singleFlight(() => {
      const gate = deferred<void>();
      gates.push(gate);
      return gate.promise;
    }, () => true);
    go();
    go();
    go();
    expect(gates).toHaveLength(1);
    gates[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(gates).toHaveLength(2);
    gates[1]!.reject(new Error('read failed')); // a failed run neither throws nor stops later ones
    await new Promise((r) => setImmediate(r));
    go();
    expect(gates).toHaveLength(3);
  });

  it('drops the run still asked for once it is no longer wanted', async () => {
    let wanted = true;
    let runs = 0;
    const gate = deferred();
    const go = singleFlight(() => (++runs === 1 ? gate.promise : Promise.resolve()), () => wanted);
    go();
    go();
    wanted = false;
    gate.resolve();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(1);
  });
});
