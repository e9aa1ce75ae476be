// @vitest-environment happy-dom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { StrictMode, useState, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskSnapshot } from '../src/index.js';
import {
  OrchestratorProvider,
  TaskBoard,
  TaskTimeline,
  recordTaskHistory,
  useTask,
  useTasks,
  type OrchestratorLike,
  type TaskFilter,
  type UseTaskResult,
} from '../src/react/index.js';
import type { TestClock } from '../src/testing/index.js';
import { setup } from './support.js';

afterEach(() => cleanup());

/** Resolves after `ms` on the simulated clock; rejects when `signal` aborts. */
function sleep(clock: TestClock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clock.clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** Wraps an orchestrator to count live subscriptions. */
function counting(orchestrator: OrchestratorLike) {
  let active = 0;
  const wrapped: OrchestratorLike = {
    peekTask: (id) => orchestrator.peekTask(id),
    peekTasks: () => orchestrator.peekTasks(),
    listTasks: (query) => orchestrator.listTasks(query),
    runNow: (id, fn, options) => orchestrator.runNow(id, fn, options),
    schedule: (request) => orchestrator.schedule(request),
    cancel: (id) => orchestrator.cancel(id),
    subscribe: (listener, options) => {
      active++;
      const off = orchestrator.subscribe(listener, options);
      let done = false;
      return () => {
        if (!done) active--;
        done = true;
        off();
      };
    },
  };
  return { wrapped, active: () => active };
}

async function started() {
  const env = setup();
  const { orchestrator, clock } = env;
  orchestrator.register('job', async ({ setProgress, signal }) => {
    setProgress(0.25);
    await sleep(clock, 1_000, signal);
    setProgress(0.75);
    await sleep(clock, 1_000, signal);
    return 'ok';
  });
  await orchestrator.start();
  return env;
}

function wrapper(orchestrator: OrchestratorLike) {
  return ({ children }: { children: ReactNode }) => (
    <OrchestratorProvider orchestrator={orchestrator}>{children}</OrchestratorProvider>
  );
}

describe('useTask', () => {
  it('is undefined until the task exists, then follows it to done', async () => {
    const { orchestrator, clock } = await started();
    const seen: (string | undefined)[] = [];
    function Probe() {
      const { task } = useTask('job/1');
      seen.push(task?.status);
      return <output>{task ? `${task.status}:${task.attempt}` : 'none'}</output>;
    }
    render(<Probe />, { wrapper: wrapper(orchestrator) });
    expect(screen.getByRole('status').textContent).toBe('none');
    await act(() => orchestrator.schedule({ taskId: 'job/1', initialDelayMs: 500 }));
    expect(screen.getByRole('status').textContent).toBe('pending:0');
    await act(() => clock.advance(500));
    expect(screen.getByRole('status').textContent).toBe('running:1');
    await act(() => clock.advance(2_000));
    expect(screen.getByRole('status').textContent).toBe('done:1');
    expect(seen).toContain('running');
  });

  it('re-renders only when its own task changes', async () => {
    const { orchestrator, clock } = await started();
    await orchestrator.schedule({ taskId: 'job/watched', initialDelayMs: 60_000 });
    let renders = 0;
    function Watched() {
      const { task } = useTask('job/watched');
      renders++;
      return <span>{task?.status}</span>;
    }
    render(<Watched />, { wrapper: wrapper(orchestrator) });
    // Observing a dormant task activates it from its record: one render once it is there.
    await act(() => clock.flush());
    expect(screen.getByText('pending')).toBeTruthy();
    const baseline = renders;
    // Another task goes through pending, running (two progress changes) and done.
    await act(() => orchestrator.schedule({ taskId: 'job/other', initialDelayMs: 10 }));
    await act(() => clock.advance(10));
    expect(orchestrator.peekTask('job/other')?.progress).toBe(0.25);
    await act(() => clock.advance(2_000));
    expect(orchestrator.peekTask('job/other')?.status).toBe('done');
    await act(() => orchestrator.runNow('job/third', () => 3));
    expect(renders).toBe(baseline);
    // Its own change renders once more.
    await act(() => orchestrator.cancel('job/watched'));
    expect(renders).toBe(baseline + 1);
    expect(screen.getByText('cancelled')).toBeTruthy();
  });

  it('keeps the same snapshot object and actions across unrelated re-renders', async () => {
    const { orchestrator } = await started();
    await orchestrator.schedule({ taskId: 'job/1', initialDelayMs: 1_000 });
    const results: UseTaskResult[] = [];
    let bump = () => {};
    function Probe() {
      const [n, setN] = useState(0);
      bump = () => setN((x) => x + 1);
      results.push(useTask('job/1'));
      return <span>{n}</span>;
    }
    render(<Probe />, { wrapper: wrapper(orchestrator) });
    act(() => bump());
    const [first, last] = [results[0], results[results.length - 1]];
    expect(results.length).toBeGreaterThan(1);
    expect(last).toBe(first);
    expect(last?.task).toBe(orchestrator.peekTask('job/1'));
  });

  it('binds runNow, schedule and cancel to the TaskId', async () => {
    const { orchestrator, clock } = await started();
    let api: UseTaskResult | undefined;
    function Probe() {
      api = useTask('job/bound');
      return <span>{api.task?.status ?? 'none'}</span>;
    }
    render(<Probe />, { wrapper: wrapper(orchestrator) });
    await act(() => api!.schedule({ initialDelayMs: 100 }));
    expect(orchestrator.peekTask('job/bound')?.status).toBe('pending');
    await act(() => api!.cancel());
    expect(orchestrator.peekTask('job/bound')?.status).toBe('cancelled');
    let result: number | undefined;
    await act(async () => {
      result = await api!.runNow(({ taskId }) => taskId.length);
    });
    expect(result).toBe('job/bound'.length);
    expect(api!.task?.status).toBe('done');
    expect(api!.task?.kind).toBe('instant');
    await act(() => api!.schedule());
    await act(() => clock.advance(2_000));
    expect(api!.task?.outcome).toEqual({ ok: true, value: 'ok' });
  });

  it('subscribes once per hook under StrictMode and unsubscribes on unmount', async () => {
    const { orchestrator, clock } = await started();
    const { wrapped, active } = counting(orchestrator);
    function Probe() {
      const { task } = useTask('job/1');
      const all = useTasks();
      return (
        <span>
          {task?.status ?? 'none'} {all.length}
        </span>
      );
    }
    const view = render(
      <StrictMode>
        <OrchestratorProvider orchestrator={wrapped}>
          <Probe />
          <TaskTimeline taskId="job/1" />
        </OrchestratorProvider>
      </StrictMode>,
    );
    expect(active()).toBe(3); // useTask, the shared list subscription, the timeline's recorder
    await act(() => orchestrator.schedule({ taskId: 'job/1', initialDelayMs: 10 }));
    await act(() => clock.advance(2_010));
    expect(view.container.textContent).toContain('done 1');
    expect(screen.getAllByRole('listitem').map((li) => li.dataset.status)).toEqual(['pending', 'running', 'done']);
    view.unmount();
    expect(active()).toBe(0);
  });

  it('renders on the server with an undefined snapshot and no tasks', async () => {
    const { orchestrator } = await started();
    await orchestrator.schedule({ taskId: 'job/1', initialDelayMs: 1_000 });
    function Probe() {
      const { task } = useTask('job/1');
      return <p>{task === undefined ? 'no snapshot' : task.status}</p>;
    }
    const html = renderToString(
      <StrictMode>
        <OrchestratorProvider orchestrator={orchestrator}>
          <Probe />
          <TaskBoard />
          <TaskTimeline taskId="job/1" />
        </OrchestratorProvider>
      </StrictMode>,
    );
    expect(html).toContain('no snapshot');
    expect(html).toContain('No tasks');
    expect(html).toContain('No transitions recorded yet');
  });

  it('explains a missing provider', () => {
    function Probe() {
      useTask('x');
      return null;
    }
    const quiet = console.error;
    console.error = () => {};
    try {
      expect(() => render(<Probe />)).toThrow(/OrchestratorProvider/);
    } finally {
      console.error = quiet;
    }
  });
});

describe('useTasks', () => {
  it('returns the same array while nothing changed, even with an inline filter', async () => {
    const { orchestrator, clock } = await started();
    await orchestrator.schedule({ taskId: 'job/a', initialDelayMs: 100 });
    await orchestrator.schedule({ taskId: 'job/b', initialDelayMs: 60_000 });
    const lists: (readonly TaskSnapshot[])[] = [];
    let bump = () => {};
    function Probe({ filter }: { filter?: () => TaskFilter }) {
      const [, setN] = useState(0);
      bump = () => setN((x) => x + 1);
      const list = useTasks(filter?.());
      lists.push(list);
      return <span>{list.map((t) => `${t.taskId}=${t.status}`).join(',')}</span>;
    }
    const view = render(<Probe filter={() => (t) => t.taskId !== 'job/zzz'} />, { wrapper: wrapper(orchestrator) });
    act(() => bump());
    act(() => bump());
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(new Set(lists).size).toBe(1);
    await act(() => clock.advance(100));
    expect(view.container.textContent).toBe('job/a=running,job/b=pending');
    const runningList = lists[lists.length - 1];
    expect(runningList).not.toBe(lists[0]);
    act(() => bump());
    expect(lists[lists.length - 1]).toBe(runningList);
  });

  it('filters by status, kind and prefix, and ignores changes outside the filter', async () => {
    const { orchestrator, clock } = await started();
    await orchestrator.schedule({ taskId: 'job/a', initialDelayMs: 100 });
    await orchestrator.schedule({ taskId: 'job/b', initialDelayMs: 60_000 });
    await orchestrator.runNow('now/1', () => 1);
    let renders = 0;
    function Probe() {
      renders++;
      const pending = useTasks({ status: 'pending', prefix: 'job/' });
      const instant = useTasks({ kind: ['instant'] });
      return (
        <span>
          {pending.map((t) => t.taskId).join(',')}|{instant.map((t) => t.taskId).join(',')}
        </span>
      );
    }
    const view = render(<Probe />, { wrapper: wrapper(orchestrator) });
    // The list is loaded from the store (job/b is dormant, only a record) once something listens.
    await act(() => clock.flush());
    expect(view.container.textContent).toBe('job/a,job/b|now/1');
    const before = renders;
    await act(() => orchestrator.runNow('now/2', () => 2)); // the instant list changes twice: running, done
    expect(view.container.textContent).toBe('job/a,job/b|now/1,now/2');
    expect(renders).toBeGreaterThan(before);
    expect(renders).toBeLessThanOrEqual(before + 2); // loads after running and done may coalesce
    await act(() => clock.advance(100));
    expect(view.container.textContent).toBe('job/b|now/1,now/2');
    // job/a's progress changes while running: neither list changes, no render.
    const settled = renders;
    await act(() => clock.advance(1_000));
    expect(orchestrator.peekTask('job/a')?.progress).toBe(0.75);
    expect(renders).toBe(settled);
  });
});

describe('TaskBoard and TaskTimeline', () => {
  it('shows state, attempt, next run and an accessible progress bar', async () => {
    const { orchestrator, clock } = await started();
    await orchestrator.schedule({ taskId: 'job/a', initialDelayMs: 5_000 });
    await orchestrator.schedule({ taskId: 'job/b', initialDelayMs: 1_000 });
    render(<TaskBoard />, { wrapper: wrapper(orchestrator) });
    await act(() => clock.flush());
    const table = screen.getByRole('table', { name: 'Tasks' });
    const rowA = within(table).getByRole('row', { name: /job\/a/ });
    expect(rowA.dataset.status).toBe('pending');
    expect(within(rowA).getByText('00:00:05Z')).toBeTruthy();
    await act(() => clock.advance(1_000));
    const rowB = within(table).getByRole('row', { name: /job\/b/ });
    expect(rowB.dataset.status).toBe('running');
    const bar = within(rowB).getByRole('progressbar', { name: 'Progress of job/b' });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    await act(() => clock.advance(1_000));
    expect(within(rowB).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('75');
    await act(() => clock.advance(1_000));
    expect(within(table).getByRole('row', { name: /job\/b/ }).dataset.status).toBe('done');
    expect(within(table).getAllByRole('row')).toHaveLength(3); // header and two tasks
  });

  it('records a timeline from a history started before rendering', async () => {
    const { orchestrator, clock } = await started();
    const history = recordTaskHistory(orchestrator, { now: () => clock.now() });
    await orchestrator.schedule({ taskId: 'job/t', initialDelayMs: 1_000 });
    await clock.advance(1_000);
    await orchestrator.cancel('job/t');
    history.stop();
    render(<TaskTimeline taskId="job/t" history={history} />, { wrapper: wrapper(orchestrator) });
    const list = screen.getByRole('list', { name: 'Transitions of job/t' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.dataset.status)).toEqual(['pending', 'running', 'cancelled']);
    expect(items[1]?.textContent).toContain('00:00:01Z');
  });

  it('labels a run aborted by lost constraints, and shows a runNow without attempts or a made-up 100%', async () => {
    const { orchestrator, clock, platform } = setup();
    orchestrator.register('quiet', async ({ signal }) => {
      await sleep(clock, 1_000, signal);
      return 'ok';
    });
    await orchestrator.start();
    const history = recordTaskHistory(orchestrator, { now: () => clock.now() });
    await orchestrator.schedule({ taskId: 'quiet', constraints: { network: 'any' } });
    await clock.advance(500);
    platform.push({ type: 'network', online: false });
    await clock.advance(0);
    platform.push({ type: 'network', online: true });
    await clock.advance(1_000);
    await orchestrator.runNow('now/1', () => 'x');
    history.stop();
    render(
      <OrchestratorProvider orchestrator={orchestrator} history={history}>
        <TaskTimeline taskId="quiet" />
        <TaskTimeline taskId="now/1" />
        <TaskBoard />
      </OrchestratorProvider>,
    );
    await act(() => clock.flush());
    const detailsOf = (taskId: string) =>
      within(screen.getByRole('list', { name: `Transitions of ${taskId}` }))
        .getAllByRole('listitem')
        .map((li) => `${li.dataset.status}: ${li.querySelector('.errand-detail')?.textContent}`);
    expect(detailsOf('quiet')).toEqual([
      'running: attempt 1',
      'constrained: run aborted: constraints no longer hold · waiting for network',
      'running: attempt 1',
      'done: attempt 1 · succeeded',
    ]);
    expect(detailsOf('now/1')).toEqual(['pending: waiting', 'running: runNow', 'done: succeeded']);
    const table = screen.getByRole('table', { name: 'Tasks' });
    const runNowRow = within(table).getByRole('row', { name: /now\/1/ });
    expect(within(runNowRow).getAllByRole('cell')[1]?.textContent).toBe('—');
    // Neither worker reported progress: their done rows show no bar, not 100%.
    expect(within(runNowRow).queryByRole('progressbar')).toBeNull();
    expect(within(within(table).getByRole('row', { name: /quiet/ })).queryByRole('progressbar')).toBeNull();
  });
});
