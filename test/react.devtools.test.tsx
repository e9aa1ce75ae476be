import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { describe, expect, it, vi } from 'vitest';
import { setup } from './support.js';

/** The actor's id (errand gives each task actor its TaskId); InspectionEvent types it as ActorRefLike. */
function idOf(actorRef: unknown): string | undefined {
  return typeof actorRef === 'object' && actorRef !== null && 'id' in actorRef && typeof actorRef.id === 'string'
    ? actorRef.id
    : undefined;
}

describe('devtools: createOrchestrator({ inspect })', () => {
  it("gives the inspection observer each task actor's @xstate.actor and @xstate.snapshot events", async () => {
    const events: InspectionEvent[] = [];
    const { orchestrator, clock } = setup({ inspect: (event) => void events.push(event) });
    orchestrator.register('report', async ({ setProgress }) => {
      setProgress(0.5);
      return 'sent';
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'report/1', initialDelayMs: 100 });
    await clock.advance(100);
    expect((await orchestrator.getTask('report/1'))?.status).toBe('done');

    const forTask = events.filter((e) => idOf(e.actorRef) === 'report/1');
    expect(forTask.filter((e) => e.type === '@xstate.actor')).toHaveLength(1);
    const states = forTask.flatMap((e) => (e.type === '@xstate.snapshot' ? [(e.snapshot as { value?: unknown }).value] : []));
    expect(states).toEqual(expect.arrayContaining(['pending', 'running', 'done']));
    expect(forTask.some((e) => e.type === '@xstate.event' && e.event.type === 'WORK_DONE')).toBe(true);
    expect(new Set(forTask.map((e) => e.actorRef.sessionId)).size).toBe(1);
  });

  it("feeds Stately's inspector (@statelyai/inspect) with serializable task events", async () => {
    const sent: StatelyInspectionEvent[] = [];
    const inspector = createInspector({ send: (event) => void sent.push(event) });
    const { orchestrator, clock } = setup({ inspect: inspector.inspect });
    orchestrator.register('sync', () => 'ok');
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'sync', initialDelayMs: 10 });
    await clock.advance(10);
    // The inspector forwards each event from an idle callback (a real timer), so wait for them.
    const snapshots = await vi.waitFor(() => {
      const actorEvent = sent.find((e) => e.type === '@xstate.actor' && e.name === 'sync');
      expect(actorEvent).toBeDefined();
      const forTask = sent.filter((e) => e.type === '@xstate.snapshot' && e.sessionId === actorEvent?.sessionId);
      expect(forTask.length).toBeGreaterThanOrEqual(2);
      return forTask;
    });
    // The adapter would send these over postMessage or a websocket: they must survive JSON.
    expect(() => JSON.stringify(snapshots)).not.toThrow();
    inspector.stop();
  });
});
