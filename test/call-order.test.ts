// "The last call wins" when calls on one TaskId are made in the same tick, before any store write lands.
import { describe, expect, it } from 'vitest';
import { setup } from './support.js';

describe('call order on one TaskId', () => {
  it("schedule({ onConflict: 'keep' }) then cancel() in the same tick: the cancel wins, nothing runs", async () => {
    const { orchestrator, clock, store } = setup();
    const runs: string[] = [];
    orchestrator.register('job', async ({ taskId }) => void runs.push(taskId));
    await orchestrator.start();
    const kept = orchestrator.schedule({ taskId: 'job/k', onConflict: 'keep' });
    const cancelled = orchestrator.cancel('job/k');
    await Promise.all([kept, cancelled]);
    await clock.advance(1_000);
    expect(runs).toEqual([]);
    expect(store.records()).toEqual([]);
    await orchestrator.shutdown();
  });

  it("cancel() then schedule({ onConflict: 'keep' }) in the same tick: the schedule wins and runs once", async () => {
    const { orchestrator, clock } = setup();
    const runs: string[] = [];
    orchestrator.register('job', async ({ taskId }) => void runs.push(taskId));
    await orchestrator.start();
    const cancelled = orchestrator.cancel('job/k');
    const kept = orchestrator.schedule({ taskId: 'job/k', onConflict: 'keep' });
    await Promise.all([kept, cancelled]);
    await clock.advance(1_000);
    expect(runs).toEqual(['job/k']);
    await orchestrator.shutdown();
  });
});
