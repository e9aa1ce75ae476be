// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/index.js';
import { createTaskHooks, TaskBoard, useTask as looseUseTask, type UseTaskResultOf } from '../src/react/index.js';
import { setup } from './support.js';

afterEach(() => cleanup());

const sync = defineTask({
  id: 'app.sync',
  input: z.object({ since: z.number() }),
  run: ({ input }) => ({ synced: input.since * 2 }),
});

async function started() {
  const env = setup();
  const orchestrator = env.orchestrator.register(sync);
  await orchestrator.start();
  return { ...env, orchestrator };
}

type AppOrchestrator = Awaited<ReturnType<typeof started>>['orchestrator'];
const { OrchestratorProvider, useTask, useTasks } = createTaskHooks<AppOrchestrator>();

describe('createTaskHooks', () => {
  it('schedules with typed input and reads the typed outcome', async () => {
    const { orchestrator, clock } = await started();
    let api: UseTaskResultOf<AppOrchestrator, 'app.sync/7'> | undefined;
    function Probe() {
      api = useTask('app.sync/7');
      const { task } = api;
      const synced = task && task.kind !== 'instant' && task.outcome?.ok ? task.outcome.value.synced : null;
      return <output>{task ? `${task.status}:${synced}` : 'none'}</output>;
    }
    render(
      <OrchestratorProvider orchestrator={orchestrator}>
        <Probe />
      </OrchestratorProvider>,
    );
    expect(screen.getByRole('status').textContent).toBe('none');
    await act(() => api!.schedule({ input: { since: 21 } }));
    await act(() => clock.flush());
    expect(screen.getByRole('status').textContent).toBe('done:42');
  });

  it('shares the provider with the untyped hooks and components', async () => {
    const { orchestrator } = await started();
    await orchestrator.schedule({ taskId: 'app.sync/1', input: { since: 1 }, initialDelayMs: 1_000 });
    function Probe() {
      const loose = looseUseTask('app.sync/1');
      const listed = useTasks({ prefix: 'app.sync/' });
      return <output>{`${loose.task?.status} ${listed.map((t) => t.taskId).join(',')}`}</output>;
    }
    render(
      <OrchestratorProvider orchestrator={orchestrator}>
        <Probe />
        <TaskBoard />
      </OrchestratorProvider>,
    );
    await act(() => Promise.resolve());
    expect(screen.getByRole('status').textContent).toBe('pending app.sync/1');
    expect(screen.getByRole('table', { name: 'Tasks' })).toBeTruthy();
  });
});
