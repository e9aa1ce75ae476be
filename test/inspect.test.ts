import { describe, expect, it } from 'vitest';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { deferred, setup } from './support.js';

/** The event types one TaskId's actor received, in order. */
function eventsOf(seen: InspectionEvent[], taskId: string): string[] {
  const types: string[] = [];
  for (const e of seen) if (e.type === '@xstate.event' && (e.actorRef as AnyActorRef).id === taskId) types.push(e.event.type);
  return types;
}

describe('orchestrator.inspect', () => {
  it('reaches an actor that was already running when the observer was added', async () => {
    const { orchestrator, clock } = setup();
    const release = deferred<number>();
    orchestrator.register('slow', () => release.promise);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'slow' });
    await clock.advance(0);
    expect((await orchestrator.getTask('slow'))?.status).toBe('running');

    const seen: InspectionEvent[] = [];
    const watch = orchestrator.inspect((event) => seen.push(event));
    release.resolve(7);
    await clock.advance(0);
    expect((await orchestrator.getTask('slow'))?.outcome).toEqual({ ok: true, value: 7 });
    expect(eventsOf(seen, 'slow').length).toBeGreaterThan(0);

    watch.unsubscribe();
    const before = seen.length;
    await orchestrator.schedule({ taskId: 'slow' });
    await clock.advance(0);
    expect(seen.length).toBe(before);
  });

  it('reaches actors started after it on new actor systems, and stops at unsubscribe', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('t', async () => 1);
    await orchestrator.start();
    const seen: InspectionEvent[] = [];
    const watch = orchestrator.inspect({ next: (event) => seen.push(event) });
    // More tasks than one actor system hosts (32), so later ones land on systems made after the observer.
    for (let i = 0; i < 80; i++) await orchestrator.schedule({ taskId: `t/${i}` });
    await clock.advance(0);
    for (const i of [0, 40, 79]) expect(eventsOf(seen, `t/${i}`).length).toBeGreaterThan(0);
    watch.unsubscribe();
    const before = seen.length;
    await orchestrator.schedule({ taskId: 't/80' });
    await clock.advance(0);
    expect(seen.length).toBe(before);
  });
});
