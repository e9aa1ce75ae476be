import { describe, expect, it } from 'vitest';
import { aborted, setup } from './support.js';

describe('constraints', () => {
  it('waits in constrained while due but offline, then runs when the network returns', async () => {
    const { orchestrator, clock, platform } = setup({ conditions: { online: false } });
    let runs = 0;
    orchestrator.register('sync', async () => void runs++);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'sync', initialDelayMs: 100, constraints: { network: 'any' } });
    expect((await orchestrator.getTask('sync'))?.status).toBe('pending');
    await clock.advance(100);
    expect((await orchestrator.getTask('sync'))).toMatchObject({ status: 'constrained', unmetConstraints: ['network'] });
    platform.push({ type: 'power', charging: false }); // unrelated change: still constrained
    await clock.flush();
    expect((await orchestrator.getTask('sync'))?.status).toBe('constrained');
    platform.push({ type: 'network', online: true });
    await clock.flush();
    expect(runs).toBe(1);
    expect((await orchestrator.getTask('sync'))?.status).toBe('done');
  });

  it('treats a metered connection as unmet for network "unmetered" only', async () => {
    const { orchestrator, clock, platform } = setup({ conditions: { online: true, metered: true } });
    const ran: string[] = [];
    orchestrator.register('up', async ({ taskId }) => void ran.push(taskId));
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'up/any', constraints: { network: 'any' } });
    await orchestrator.schedule({ taskId: 'up/wifi', constraints: { network: 'unmetered' } });
    await clock.flush();
    expect(ran).toEqual(['up/any']);
    expect((await orchestrator.getTask('up/wifi'))?.unmetConstraints).toEqual(['network']);
    platform.push({ type: 'network', online: true, metered: false });
    await clock.flush();
    expect(ran).toEqual(['up/any', 'up/wifi']);
  });

  it('lists every unmet constraint and updates the list as conditions change', async () => {
    const { orchestrator, clock, platform } = setup({
      conditions: { charging: false, batteryLow: true, idle: false, foreground: false },
    });
    orchestrator.register('backup', async () => 'saved');
    await orchestrator.start();
    await orchestrator.schedule({
      taskId: 'backup',
      constraints: { charging: true, batteryNotLow: true, idle: true, foreground: true },
    });
    await clock.flush();
    expect((await orchestrator.getTask('backup'))?.unmetConstraints).toEqual(['charging', 'batteryNotLow', 'idle', 'foreground']);
    platform.push({ type: 'power', charging: true, batteryLow: false });
    platform.push({ type: 'idle', idle: true });
    await clock.flush();
    expect((await orchestrator.getTask('backup'))?.unmetConstraints).toEqual(['foreground']);
    platform.push({ type: 'lifecycle', foreground: true });
    await clock.flush();
    expect((await orchestrator.getTask('backup'))).toMatchObject({ status: 'done', outcome: { ok: true, value: 'saved' } });
  });

  it('stops a running worker whose constraints stop holding, without counting the attempt', async () => {
    const { orchestrator, clock, platform } = setup();
    const attempts: number[] = [];
    let signal: AbortSignal | undefined;
    orchestrator.register('download', (ctx) => {
      attempts.push(ctx.attempt);
      signal = ctx.signal;
      if (attempts.length === 1) return aborted(ctx.signal).then(() => Promise.reject(new Error('aborted')));
      return 'complete';
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'download', constraints: { network: 'unmetered' } });
    await clock.flush();
    expect((await orchestrator.getTask('download'))).toMatchObject({ status: 'running', attempt: 1 });
    platform.push({ type: 'network', online: true, metered: true });
    expect(signal?.aborted).toBe(true);
    expect((await orchestrator.getTask('download'))).toMatchObject({ status: 'constrained', attempt: 0 });
    await clock.flush(); // the aborted worker's rejection must not count as a failure
    expect((await orchestrator.getTask('download'))?.status).toBe('constrained');
    platform.push({ type: 'network', online: true, metered: false });
    await clock.flush();
    expect(attempts).toEqual([1, 1]);
    expect((await orchestrator.getTask('download'))).toMatchObject({ status: 'done', outcome: { ok: true, value: 'complete' } });
  });

  it('gates retries too: a backoff that ends offline waits in constrained', async () => {
    const { orchestrator, clock, platform } = setup();
    let runs = 0;
    orchestrator.register('post', async () => {
      if (++runs === 1) throw new Error('503');
      return 'posted';
    });
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'post', constraints: { network: 'any' }, backoff: { initialDelayMs: 1_000 } });
    await clock.flush();
    expect((await orchestrator.getTask('post'))?.status).toBe('backoff');
    platform.push({ type: 'network', online: false });
    await clock.advance(1_000);
    expect((await orchestrator.getTask('post'))).toMatchObject({ status: 'constrained', attempt: 1 });
    platform.push({ type: 'network', online: true });
    await clock.flush();
    expect((await orchestrator.getTask('post'))).toMatchObject({ status: 'done', attempt: 2 });
  });

  it('does not bother instant work with constraints', async () => {
    const { orchestrator } = setup({ conditions: { online: false } });
    await orchestrator.start();
    await expect(orchestrator.runNow('ping', async () => 'pong')).resolves.toBe('pong');
  });
});
