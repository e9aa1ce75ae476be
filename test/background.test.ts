import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { aborted, deferred, failOnUnhandledRejections, setup } from './support.js';

// Every test here runs on the simulated clock: no real waiting.

failOnUnhandledRejections();

const boom = (message = 'boom') => new Error(message);

/** Resolves once the test clock has let queued promise work settle `rounds` times. */
async function settle(clock: { flush(): Promise<void> }, rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await clock.flush();
}

describe('fireAndForget', () => {
  it('returns before fn runs, and runs it with a signal', async () => {
    const { orchestrator, clock } = setup();
    const calls: string[] = [];
    let signal: AbortSignal | null = null;
    orchestrator.fireAndForget((s) => {
      signal = s;
      calls.push('fn');
    });
    calls.push('caller');
    await settle(clock);
    expect(calls).toEqual(['caller', 'fn']);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(orchestrator.backgroundDiagnostics()).toEqual({ helpers: 0, runningCalls: 0, ioThreads: 0 });
  });

  it('logs throws and rejections with the helper name, never as unhandled rejections', async () => {
    const { orchestrator, clock, logged } = setup();
    orchestrator.fireAndForget(() => {
      throw boom('sync');
    }, { name: 'metrics' });
    orchestrator.fireAndForget(async () => {
      throw boom('async');
    });
    await settle(clock);
    expect(logged).toEqual([
      { level: 'error', message: 'errand: fireAndForget "metrics" failed', details: boom('sync') },
      { level: 'error', message: 'errand: fireAndForget failed', details: boom('async') },
    ]);
  });

  it('rejects a non-function at once', () => {
    const { orchestrator } = setup();
    expect(() => orchestrator.fireAndForget('nope' as unknown as () => void)).toThrow(/fn: must be a function/);
  });
});

describe('fireAndForgetAll', () => {
  it('starts one concurrent run per item and logs failures with the item', async () => {
    const { orchestrator, clock, logged } = setup();
    const gate = deferred();
    const started: number[] = [];
    const finished: number[] = [];
    orchestrator.fireAndForgetAll(
      [1, 2, 3, 4],
      async (item) => {
        started.push(item);
        await gate.promise;
        if (item === 3) throw boom('item 3');
        finished.push(item);
      },
      { name: 'notify' },
    );
    await settle(clock);
    expect(started).toEqual([1, 2, 3, 4]); // all running at once, none finished
    expect(finished).toEqual([]);
    expect(orchestrator.backgroundDiagnostics().helpers).toBe(4);
    gate.resolve();
    await settle(clock);
    expect(finished).toEqual([1, 2, 4]);
    expect(logged).toEqual([{ level: 'error', message: 'errand: fireAndForgetAll "notify" (item 2) failed', details: boom('item 3') }]);
    expect(orchestrator.backgroundDiagnostics().helpers).toBe(0);
  });
});

describe('runForever', () => {
  it('calls again delayMs after each call ends, on the orchestrator clock', async () => {
    const { orchestrator, clock } = setup();
    const callTimes: number[] = [];
    const start = clock.now();
    const handle = orchestrator.runForever(async () => {
      callTimes.push(clock.now() - start);
      await Promise.resolve();
    }, 2_000, { name: 'ping' });
    await settle(clock);
    expect(callTimes).toEqual([0]);
    await clock.advance(1_999);
    expect(callTimes).toEqual([0]);
    await clock.advance(1);
    expect(callTimes).toEqual([0, 2_000]);
    await clock.advance(4_000);
    expect(callTimes).toEqual([0, 2_000, 4_000, 6_000]);
    await handle.stop();
    await clock.advance(10_000);
    expect(callTimes).toEqual([0, 2_000, 4_000, 6_000]);
    expect(clock.pendingTimers()).toBe(0);
    expect(handle.actor.getSnapshot().value).toBe('stopped');
  });

  it('logs a throw and goes on calling', async () => {
    const { orchestrator, clock, logged } = setup();
    let calls = 0;
    const handle = orchestrator.runForever(() => {
      calls++;
      if (calls % 2 === 1) throw boom(`call ${calls}`);
    }, 100, { name: 'poll' });
    await settle(clock);
    for (let i = 0; i < 5; i++) await clock.advance(100);
    expect(calls).toBe(6);
    expect(logged.map((l) => l.message)).toEqual(Array(3).fill('errand: runForever "poll" failed (calling again in 100 ms)'));
    expect(logged.map((l) => (l.details as Error).message)).toEqual(['call 1', 'call 3', 'call 5']);
    expect(handle.actor.getSnapshot().context).toMatchObject({ calls: 6, failures: 3 });
    await handle.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stop() aborts the call in flight and waits for it to settle', async () => {
    const { orchestrator, clock } = setup();
    const steps: string[] = [];
    const handle = orchestrator.runForever(async (signal) => {
      try {
        steps.push('start');
        await aborted(signal);
        steps.push('aborted');
      } finally {
        steps.push('finally');
      }
    }, 1_000);
    await settle(clock);
    await handle.stop();
    expect(steps).toEqual(['start', 'aborted', 'finally']);
    expect(orchestrator.backgroundDiagnostics()).toEqual({ helpers: 0, runningCalls: 0, ioThreads: 0 });
  });

  it('rejects a bad delay', () => {
    const { orchestrator } = setup();
    expect(() => orchestrator.runForever(() => {}, -1)).toThrow(/delayMs/);
    expect(() => orchestrator.runForever(() => {}, Number.NaN)).toThrow(/delayMs/);
  });
});

describe('serialActor', () => {
  it('handles 10,000 messages one at a time in arrival order', async () => {
    const { orchestrator } = setup();
    const seen: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const inbox = orchestrator.serialActor<number>(async (n) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (n % 3 === 0) await Promise.resolve(); // some handlers take longer than others
      seen.push(n);
      inFlight--;
    });
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) if (inbox.send(i)) accepted++;
    expect(accepted).toBe(10_000);
    await inbox.close();
    expect(seen).toHaveLength(10_000);
    expect(seen.every((n, i) => n === i)).toBe(true);
    expect(maxInFlight).toBe(1);
    expect(inbox.actor.getSnapshot().value).toBe('closed');
    expect(inbox.actor.getSnapshot().context).toMatchObject({ handled: 10_000, failures: 0 });
    expect(inbox.send(10_000)).toBe(false);
  });

  it('logs a failing handler with its name and goes on', async () => {
    const { orchestrator, logged } = setup();
    const seen: string[] = [];
    const inbox = orchestrator.serialActor<string>((message) => {
      if (message === 'bad') throw boom('bad message');
      seen.push(message);
    }, { name: 'ledger' });
    inbox.send('a');
    inbox.send('bad');
    inbox.send('b');
    await inbox.close();
    expect(seen).toEqual(['a', 'b']);
    expect(logged).toEqual([{ level: 'error', message: 'errand: serialActor "ledger" failed', details: boom('bad message') }]);
  });

  it('reads an AsyncIterable source in order, one message ahead at most, and closes at its end', async () => {
    const { orchestrator } = setup();
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 20; i++) {
        produced++;
        yield i;
      }
    }
    const seen: number[] = [];
    let maxAhead = 0;
    const inbox = orchestrator.serialActor<number>(async (n) => {
      maxAhead = Math.max(maxAhead, produced - seen.length);
      await Promise.resolve();
      seen.push(n);
    }, { source: source() });
    await new Promise<void>((resolve) => inbox.actor.subscribe({ complete: resolve }));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxAhead).toBeLessThanOrEqual(2); // the message being handled plus one read ahead
    expect(inbox.actor.getSnapshot().value).toBe('closed');
  });

  it('close() stops reading the source and finishes what it has', async () => {
    const { orchestrator, clock } = setup();
    let sourceFinally = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        sourceFinally = true;
      }
    }
    const seen: number[] = [];
    const gate = deferred();
    const inbox = orchestrator.serialActor<number>(async (n) => {
      await gate.promise;
      seen.push(n);
    }, { source: endless() });
    await settle(clock);
    const closed = inbox.close();
    gate.resolve();
    await closed;
    expect(seen).toEqual([0, 1]); // the one being handled and the one read ahead
    await settle(clock);
    expect(sourceFinally).toBe(true);
  });
});

describe('parallelActor', () => {
  it('keeps at most `concurrency` handlers in flight, and reaches it', async () => {
    const { orchestrator, clock } = setup();
    const gates = new Map<number, { resolve: () => void }>();
    let inFlight = 0;
    let maxInFlight = 0;
    const done: number[] = [];
    const inbox = orchestrator.parallelActor<number>(async (n) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const gate = deferred();
      gates.set(n, gate);
      await gate.promise;
      inFlight--;
      done.push(n);
    }, { concurrency: 4 });
    for (let i = 0; i < 50; i++) inbox.send(i);
    const closed = inbox.close();
    await settle(clock);
    expect(inFlight).toBe(4);
    // Finish them in a scrambled order, a few at a time.
    while (done.length < 50) {
      const running = [...gates.entries()].filter(([n]) => !done.includes(n));
      for (const [, gate] of running.reverse().slice(0, 3)) gate.resolve();
      await settle(clock);
      expect(inFlight).toBeLessThanOrEqual(4);
    }
    await closed;
    expect(maxInFlight).toBe(4);
    expect(new Set(done).size).toBe(50);
  });

  it('without a bound, handles every message at once', async () => {
    const { orchestrator, clock } = setup();
    const gate = deferred();
    let inFlight = 0;
    let maxInFlight = 0;
    const inbox = orchestrator.parallelActor<number>(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate.promise;
      inFlight--;
    });
    for (let i = 0; i < 100; i++) inbox.send(i);
    await settle(clock);
    expect(inFlight).toBe(100);
    gate.resolve();
    await inbox.close();
    expect(maxInFlight).toBe(100);
  });

  it('takes messages from a source and from send', async () => {
    const { orchestrator } = setup();
    async function* source() {
      yield 'from source 1';
      yield 'from source 2';
    }
    const seen: string[] = [];
    const inbox = orchestrator.parallelActor<string>((m) => void seen.push(m), { source: source(), concurrency: 2 });
    inbox.send('sent');
    await new Promise<void>((resolve) => inbox.actor.subscribe({ complete: resolve }));
    expect(seen.sort()).toEqual(['from source 1', 'from source 2', 'sent']);
  });

  it('rejects a bad concurrency', () => {
    const { orchestrator } = setup();
    expect(() => orchestrator.parallelActor(() => {}, { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => orchestrator.parallelActor(() => {}, { concurrency: 1.5 })).toThrow(/concurrency/);
  });
});

describe('shutdown', () => {
  /** A handler that waits for its signal, recording that it was aborted and that its finally ran. */
  function cleanup(log: string[], label: string) {
    return async (signal: AbortSignal) => {
      try {
        await aborted(signal);
        log.push(`${label} aborted`);
      } finally {
        log.push(`${label} finally`);
      }
    };
  }

  it('cancels every helper kind: signals abort, finally blocks run, pending messages drop, no timers left', async () => {
    const { orchestrator, clock } = setup();
    await orchestrator.start();
    const log: string[] = [];
    orchestrator.fireAndForget(cleanup(log, 'job'));
    orchestrator.fireAndForgetAll(['x', 'y'], (item, signal) => cleanup(log, `all ${item}`)(signal));
    orchestrator.runForever(cleanup(log, 'forever'), 1_000);
    let waitingCalls = 0;
    orchestrator.runForever(() => void waitingCalls++, 1_000); // sits in its delay at shutdown
    const serialHandled: number[] = [];
    const serial = orchestrator.serialActor<number>(async (n, signal) => {
      serialHandled.push(n);
      await cleanup(log, `serial ${n}`)(signal);
    });
    for (let i = 0; i < 5; i++) serial.send(i);
    const parallelHandled: number[] = [];
    const parallel = orchestrator.parallelActor<number>(async (n, signal) => {
      parallelHandled.push(n);
      await cleanup(log, `parallel ${n}`)(signal);
    }, { concurrency: 2 });
    for (let i = 0; i < 5; i++) parallel.send(i);
    async function* endless() {
      for (let i = 0; ; i++) yield i;
    }
    const sourced = orchestrator.serialActor<number>((_, signal) => cleanup(log, 'sourced')(signal), { source: endless() });
    await settle(clock);
    expect(waitingCalls).toBe(1);
    expect(clock.pendingTimers()).toBeGreaterThan(0);
    expect(orchestrator.backgroundDiagnostics().helpers).toBe(8);

    await orchestrator.shutdown();

    expect(log.sort()).toEqual(
      [
        'job aborted', 'job finally',
        'all x aborted', 'all x finally',
        'all y aborted', 'all y finally',
        'forever aborted', 'forever finally',
        'serial 0 aborted', 'serial 0 finally',
        'parallel 0 aborted', 'parallel 0 finally',
        'parallel 1 aborted', 'parallel 1 finally',
        'sourced aborted', 'sourced finally',
      ].sort(),
    );
    expect(serialHandled).toEqual([0]); // 1..4 were pending: dropped
    expect(parallelHandled).toEqual([0, 1]);
    expect(serial.actor.getSnapshot().value).toBe('cancelled');
    expect(sourced.actor.getSnapshot().value).toBe('cancelled');
    expect(serial.send(99)).toBe(false);
    await serial.close(); // resolves after shutdown
    expect(clock.pendingTimers()).toBe(0);
    expect(orchestrator.backgroundDiagnostics()).toEqual({ helpers: 0, runningCalls: 0, ioThreads: 0 });
    await clock.advance(60_000);
    expect(waitingCalls).toBe(1);
  });

  it('resolves after its timeout when a handler ignores its signal, and logs it', async () => {
    const { orchestrator, clock, logged } = setup();
    const never = deferred();
    orchestrator.fireAndForget(() => never.promise, { name: 'stubborn' });
    await settle(clock);
    let resolved = false;
    const done = orchestrator.shutdown({ timeoutMs: 500 }).then(() => (resolved = true));
    await clock.advance(499);
    expect(resolved).toBe(false);
    await clock.advance(1);
    await done;
    expect(logged.some((l) => l.level === 'warn' && /still running after shutdown timeout/.test(l.message))).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    never.resolve();
  });

  it('refuses helpers started after shutdown, without calling them', async () => {
    const { orchestrator, clock, logged } = setup();
    await orchestrator.shutdown();
    let called = false;
    orchestrator.fireAndForget(() => void (called = true), { name: 'late' });
    const loop = orchestrator.runForever(() => void (called = true), 10);
    const inbox = orchestrator.serialActor(() => void (called = true));
    expect(inbox.send('x')).toBe(false);
    await settle(clock);
    await clock.advance(100);
    expect(called).toBe(false);
    await loop.stop();
    await inbox.close();
    expect(logged.map((l) => l.message)).toEqual([
      'errand: fireAndForget "late" called after shutdown; not run',
      'errand: runForever called after shutdown; not run',
      'errand: serialActor called after shutdown; not run',
    ]);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('inspection', () => {
  it('shows every helper actor to the orchestrator inspect observer', async () => {
    const events: InspectionEvent[] = [];
    const { orchestrator, clock } = setup({ inspect: (event) => void events.push(event) });
    orchestrator.fireAndForget(() => {}, { name: 'job' });
    const loop = orchestrator.runForever(() => {}, 10, { name: 'loop' });
    const inbox = orchestrator.serialActor<number>(() => {}, { name: 'inbox' });
    inbox.send(1);
    await settle(clock);
    await loop.stop();
    await inbox.close();
    const idOf = (ref: object) => ('id' in ref ? String(ref.id) : '');
    const ids = new Set(events.filter((e) => e.type === '@xstate.actor').map((e) => idOf(e.actorRef)));
    for (const id of ['job', 'loop', 'inbox']) expect(ids.has(id)).toBe(true);
  });
});
