import { describe, expect, it } from 'vitest';
import { notifyPayloads } from '../../adapters/engines/bullmq/postgres-fleet.js';

const text = (part: readonly string[]): string => JSON.stringify(part);

describe('notifyPayloads (PostgreSQL NOTIFY carries under 8,000 bytes)', () => {
  it('splits a large batch into payloads under the limit that together hold every item, in order', () => {
    const items = Array.from({ length: 500 }, (_, i) => `task-${i}-${'x'.repeat(40)}`);
    const payloads = notifyPayloads(items, text);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8_000);
    expect(payloads.flatMap((p) => JSON.parse(p) as string[])).toEqual(items);
  });

  it('sends a small batch as one payload and drops only an item too large alone', () => {
    expect(notifyPayloads(['a', 'b'], text)).toEqual(['["a","b"]']);
    const huge = 'y'.repeat(9_000);
    expect(notifyPayloads(['a', huge, 'b'], text).flatMap((p) => JSON.parse(p) as string[])).toEqual(['a', 'b']);
  });
});
