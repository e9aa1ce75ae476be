import { describe, expect, it } from 'vitest';
import { KeyedOrder } from '../../adapters/engines/bullmq/keyed-order.js';
import { deferred } from '../support.js';

describe('KeyedOrder', () => {
  it('starts a task sharing a key only after the earlier one settled, even when that one fails', async () => {
    const order = new KeyedOrder();
    const log: string[] = [];
    const first = deferred<string>();
    const a = order.run(['t/1', 't/2'], () => {
      log.push('a starts');
      return first.promise;
    });
    const b = order.run(['t/2'], async () => {
      log.push('b starts');
      return 'b';
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['a starts']);
    first.reject(new Error('a failed'));
    await expect(a).rejects.toThrow('a failed');
    await expect(b).resolves.toBe('b');
    expect(log).toEqual(['a starts', 'b starts']);
  });

  it('runs tasks with no key in common side by side', async () => {
    const order = new KeyedOrder();
    const held = deferred<void>();
    let started = 0;
    const a = order.run(['x'], async () => {
      started++;
      await held.promise;
    });
    const b = order.run(['y'], async () => {
      started++;
    });
    await b;
    expect(started).toBe(2);
    held.resolve();
    await a;
  });

  it('keeps the call order of three tasks on one key', async () => {
    const order = new KeyedOrder();
    const log: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        order.run(['k'], async () => {
          await new Promise((r) => setTimeout(r, 5 * (4 - n)));
          log.push(n);
        }),
      ),
    );
    expect(log).toEqual([1, 2, 3]);
  });
});
