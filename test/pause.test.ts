// orchestrator.pause() / resume(): scheduled work held in this process as unmet constraints hold it.
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../src/index.js';
import { aborted, setup } from './support.js';
import { memoryFleet } from './support/memory-fleet.js';

describe('orchestrator.pause() and resume()', () => {
  it('aborts running scheduled workers (the attempt does not count), holds due work in constrained, and runs both on resume', async () => {
    const { orchestrator, clock, store } = setup();
    const runs: { taskId: string; attempt: number; signal: AbortSignal }[] = [];
    orchestrator.register('job', async ({ taskId, attempt, signal }) => {
      runs.push({ taskId, attempt, signal });
      if (taskId === 'job/long' && runs.filter((r) => r.taskId === taskId).length === 1) {
        await aborted(signal);
        throw signal.reason;
      }
      return `did ${taskId}`;
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'job/long', backoff: { maxAttempts: 1 } });
    await orchestrator.schedule({ taskId: 'job/soon', initialDelayMs: 1_000 });
    await clock.flush();
    expect((await orchestrator.getTask('job/long'))?.status).toBe('running');

    expect(orchestrator.pause()).toBe(true);
    expect(orchestrator.pause()).toBe(false);
    expect(orchestrator.paused).toBe(true);
    await clock.flush();
    expect(runs[0]?.signal.aborted).toBe(true);
    // Not a failure and not counted: maxAttempts 1 still has its attempt.
    expect(await orchestrator.getTask('job/long')).toMatchObject({ status: 'constrained', attempt: 0, unmetConstraints: ['paused'] });
    await clock.advance(2_000);
    expect(await orchestrator.getTask('job/soon')).toMatchObject({ status: 'constrained', unmetConstraints: ['paused'] });
    expect(runs.map((r) => r.taskId)).toEqual(['job/long']);
    // Nothing stored was dropped.
    expect(store.records().map((r) => r.taskId).sort()).toEqual(['job/long', 'job/soon']);

    expect(orchestrator.resume()).toBe(true);
    expect(orchestrator.resume()).toBe(false);
    await clock.flush();
    expect(await orchestrator.getTask('job/long')).toMatchObject({ status: 'done', attempt: 1, outcome: { ok: true, value: 'did job/long' } });
    expect(await orchestrator.getTask('job/soon')).toMatchObject({ status: 'done', outcome: { ok: true, value: 'did job/soon' } });
    expect(runs.map((r) => [r.taskId, r.attempt])).toEqual([
      ['job/long', 1],
      ['job/long', 1],
      ['job/soon', 1],
    ]);
    await orchestrator.shutdown();
  });

  it('does not hold runNow, and lists unmet constraints after paused', async () => {
    const { orchestrator, clock, platform } = setup();
    orchestrator.register('sync', async () => 'synced');
    await orchestrator.start();
    orchestrator.pause();
    await expect(orchestrator.runNow('sync', async () => 'instant')).resolves.toBe('instant');
    platform.push({ type: 'network', online: false });
    await orchestrator.schedule({ taskId: 'sync', constraints: { network: 'any' } });
    await clock.flush();
    expect(await orchestrator.getTask('sync')).toMatchObject({ status: 'constrained', unmetConstraints: ['paused', 'network'] });
    orchestrator.resume();
    await clock.flush();
    expect(await orchestrator.getTask('sync')).toMatchObject({ status: 'constrained', unmetConstraints: ['network'] });
    platform.push({ type: 'network', online: true });
    await clock.flush();
    expect(await orchestrator.getTask('sync')).toMatchObject({ status: 'done', outcome: { ok: true, value: 'synced' } });
    await orchestrator.shutdown();
  });
});

describe('pause() under an engine', () => {
  it('a paused process takes no job: the fleet hands it to another; resumed, it takes work again', async () => {
    const fleet = memoryFleet();
    const ranIn: string[] = [];
    const member = async (name: string) => {
      const orchestrator = createOrchestrator({ engine: fleet.member(name), logger: { warn() {}, error() {} } });
      orchestrator.register('job', async ({ taskId }) => void ranIn.push(`${taskId}@${name}`));
      await orchestrator.start();
      return orchestrator;
    };
    const a = await member('a');
    const b = await member('b');
    a.pause();
    for (let i = 0; i < 4; i++) await (await a.schedule({ taskId: `job/${i}` })).result();
    expect(ranIn.sort()).toEqual(['job/0@b', 'job/1@b', 'job/2@b', 'job/3@b']);
    a.resume();
    b.pause();
    await (await b.schedule({ taskId: 'job/4' })).result();
    expect(ranIn).toContain('job/4@a');
    await a.shutdown();
    await b.shutdown();
  });
});
