import { describe, expect, it } from 'vitest';
import { decodeClientMessage, decodeServerMessage, DevtoolsWireError, encodeMessage } from '../../src/devtools/wire.js';
import { describeEventDetail } from '../../src/devtools/wire-detail.js';

describe('describeEventDetail', () => {
  it('describes functions, signals and errors with their causes instead of sending them', () => {
    const controller = new AbortController();
    controller.abort();
    const detail = describeEventDetail({
      type: 'WORK_FAILED',
      run: function worker() {},
      signal: controller.signal,
      error: new TypeError('outer', { cause: new RangeError('inner') }),
      when: new Date(0),
      big: 10n,
      map: new Map([['a', 1]]),
      set: new Set([1]),
      nothing: undefined,
      notANumber: Number.NaN,
    });
    expect(detail).toEqual({
      run: '[function worker]',
      signal: '[AbortSignal aborted]',
      error: { name: 'TypeError', message: 'outer', cause: { name: 'RangeError', message: 'inner' } },
      when: '1970-01-01T00:00:00.000Z',
      big: '10n',
      map: { '[Map]': [['a', 1]] },
      set: { '[Set]': [1] },
      notANumber: 'NaN',
    });
    expect(JSON.parse(JSON.stringify(detail))).toEqual(detail);
  });

  it('cuts cycles, depth and size short', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    const wide = Array.from({ length: 5_000 }, (_, i) => ({ i, nested: { i } }));
    const detail = describeEventDetail({ type: 'X', cyclic, deep, wide });
    expect(detail.cyclic).toEqual({ name: 'loop', self: '[circular]' });
    expect(JSON.stringify(detail.deep)).toContain('[object]');
    expect((detail.wide as unknown[]).length).toBeLessThanOrEqual(51);
    expect(JSON.stringify(detail).length).toBeLessThan(20_000);
  });
});

describe('wire messages', () => {
  it('round-trip outcomes with errors, Dates and Maps through superjson', () => {
    const error = Object.assign(new Error('failed', { cause: new Error('root') }), { name: 'WorkFailedError', taskId: 't', reason: 'exhausted' });
    const text = encodeMessage({
      type: 'taskChanged',
      now: 1,
      request: { taskId: 't', input: { at: new Date(2), tags: new Map([['k', 'v']]) } },
      task: { taskId: 't', status: 'done', kind: 'oneTime', attempt: 1, interrupted: 0, runCount: 1, nextRunAt: null, progress: null, unmetConstraints: [], outcome: { ok: false, error }, cancelReason: null },
    });
    const message = decodeServerMessage(text);
    if (message.type !== 'taskChanged') throw new Error(`got ${message.type}`);
    expect(message.request?.input).toEqual({ at: new Date(2), tags: new Map([['k', 'v']]) });
    const outcome = message.task.outcome;
    const decoded = outcome && !outcome.ok ? (outcome.error as Error & { taskId?: string }) : undefined;
    expect(decoded).toBeInstanceOf(Error);
    expect(decoded).toMatchObject({ name: 'WorkFailedError', message: 'failed', taskId: 't' });
    expect(decoded?.cause).toMatchObject({ message: 'root' });
  });

  it('refuses what is not a message with a DevtoolsWireError naming the field', () => {
    const refusal = (text: string) => {
      try {
        decodeClientMessage(text);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal('{')).toMatchObject({ code: 'bad-json', field: null });
    expect(refusal('{"json":{"type":"schedule","id":"s1","request":7}}')).toMatchObject({ code: 'bad-message', field: 'request', messageId: 's1' });
    expect(refusal('{"json":{"type":"watchEvents"}}')).toMatchObject({ code: 'bad-message', field: 'watch', messageId: null });
    expect(refusal('{"json":{"type":"cancel","id":"c1","taskId":"t"}}')).toBeUndefined();
    expect(refusal('[]')).toBeInstanceOf(DevtoolsWireError);
  });
});
