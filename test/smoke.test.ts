import { describe, expect, it } from 'vitest';
import { setup } from './support.js';

describe('smoke', () => {
  it('runs a scheduled task to done', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('a', async () => 42);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'a', initialDelayMs: 10 });
    expect((await orchestrator.getTask('a'))?.status).toBe('pending');
    await clock.advance(10);
    expect((await orchestrator.getTask('a'))?.outcome).toEqual({ ok: true, value: 42 });
  });
});
