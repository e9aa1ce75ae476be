// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrandDevtools } from '../../src/devtools/index.js';
import { DevtoolsPanel, attemptText, countByStatus, matchesDevtoolsFilter, NO_FILTER } from '../../src/devtools/panel.js';
import { devtoolsSourceOf } from '../../src/devtools/local-source.js';
import { describeEvent } from '../../src/devtools/event-log.js';
import { OrchestratorProvider } from '../../src/react/index.js';
import { WorkFailedError, type TaskSnapshot } from '../../src/index.js';
import { deferred, setup } from '../support.js';

afterEach(() => cleanup());

async function started() {
  const env = setup();
  const { orchestrator } = env;
  orchestrator.register('job', async ({ input, setProgress }) => {
    setProgress(0.5);
    if ((input as { fail?: boolean } | undefined)?.fail) throw new Error('503', { cause: new TypeError('socket hang up') });
    return 'ok';
  });
  orchestrator.register('mail', () => 'sent');
  await orchestrator.start();
  return env;
}

const taskRow = (taskId: string) => within(screen.getByRole('list', { name: 'Tasks' })).getByText(taskId).closest('li')!;
const currentState = () => document.querySelector('[data-state-node][aria-current="true"]')?.getAttribute('data-state-node');
const eventTypes = (taskId: string) => within(screen.getByRole('list', { name: `Events of ${taskId}` })).getAllByRole('listitem').map((li) => li.dataset.eventType);

describe('<ErrandDevtools>', () => {
  it('renders only a button while collapsed and attaches no observer until opened', async () => {
    const { orchestrator } = await started();
    let attached = 0;
    const original = orchestrator.inspect.bind(orchestrator);
    const inspect = vi.spyOn(orchestrator, 'inspect').mockImplementation((observer) => {
      attached++;
      const sub = original(observer);
      return { unsubscribe: () => (attached--, sub.unsubscribe()) };
    });
    render(
      <OrchestratorProvider orchestrator={orchestrator}>
        <ErrandDevtools />
      </OrchestratorProvider>,
    );
    expect(screen.getByRole('button', { name: 'Open errand devtools' })).toBeTruthy();
    expect(document.querySelector('[data-errand-devtools]')).toBeNull();
    expect(inspect).not.toHaveBeenCalled();
    act(() => screen.getByRole('button', { name: 'Open errand devtools' }).click());
    await screen.findByRole('region', { name: 'errand devtools' });
    expect(inspect).toHaveBeenCalledTimes(1);
    expect(attached).toBe(1);
    act(() => screen.getByRole('button', { name: 'Close errand devtools' }).click());
    expect(document.querySelector('[data-errand-devtools]')).toBeNull();
    expect(attached).toBe(0); // closed again: the observer went with the panel
    expect(screen.getByRole('button', { name: 'Open errand devtools' })).toBeTruthy();
  });

  it('follows a task live: counts, statechart, event log in order, fields, and error cause chain', async () => {
    const { orchestrator, clock } = await started();
    render(<ErrandDevtools orchestrator={orchestrator} initialOpen />);
    await screen.findByRole('region', { name: 'errand devtools' });
    await act(() => orchestrator.schedule({ taskId: 'job/1', initialDelayMs: 1_000, input: { fail: true }, backoff: { maxAttempts: 1 } }));
    await act(() => clock.advance(0));
    act(() => within(taskRow('job/1')).getByRole('button').click());
    expect(currentState()).toBe('pending');
    await act(() => clock.advance(1_000));
    expect(taskRow('job/1').dataset.status).toBe('done');
    expect(currentState()).toBe('done');
    expect(document.querySelector('[data-state-node="done"]')?.getAttribute('data-failed')).toBe('true');
    expect(document.querySelector('[data-count-status="done"] [data-count]')?.textContent).toBe('1');
    expect(eventTypes('job/1')).toEqual(expect.arrayContaining(['xstate.after.untilNextRun.task.pending', 'PROGRESS', 'WORK_FAILED']));
    const types = eventTypes('job/1');
    expect(types.indexOf('PROGRESS')).toBeLessThan(types.indexOf('WORK_FAILED'));
    expect(document.querySelector('[data-last="true"]')?.getAttribute('data-edge')).toBe('running>done');
    const chain = within(screen.getByRole('list', { name: 'Error and its causes' })).getAllByRole('listitem').map((li) => li.textContent);
    expect(chain).toEqual(['WorkFailedError: task job/1 failed: gave up after 1 attempt', 'Error: 503', 'TypeError: socket hang up']);
    // Progress is shown only while reported (a finished task shows none).
    expect(document.querySelector('[data-field="progress"]')).toBeNull();
    expect(document.querySelector('[data-field="input"]')?.textContent).toBe('{"fail":true}');
  });

  it('filters by status, kind, prefix and text', async () => {
    const { orchestrator, clock } = await started();
    const source = devtoolsSourceOf(orchestrator);
    await orchestrator.schedule({ taskId: 'job/a', input: { n: 'needle' } });
    await orchestrator.schedule({ taskId: 'mail/b', initialDelayMs: 5_000 });
    await clock.advance(0);
    const hold = deferred<string>();
    void orchestrator.runNow('now/c', () => hold.promise);
    render(<DevtoolsPanel source={source} />);
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Tasks' })).getAllByRole('listitem')).toHaveLength(3));
    const listed = () => within(screen.getByRole('list', { name: 'Tasks' })).getAllByRole('listitem').map((li) => li.dataset.taskId ?? '(none)');
    fireEvent.change(screen.getByRole('combobox', { name: 'Status' }), { target: { value: 'pending' } });
    expect(listed()).toEqual(['mail/b']);
    fireEvent.change(screen.getByRole('combobox', { name: 'Status' }), { target: { value: 'all' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: 'instant' } });
    expect(listed()).toEqual(['now/c']);
    fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: 'all' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'TaskId prefix' }), { target: { value: 'job/' } });
    expect(listed()).toEqual(['job/a']);
    fireEvent.change(screen.getByRole('textbox', { name: 'TaskId prefix' }), { target: { value: 'zzz' } });
    expect(listed()).toEqual(['(none)']);
    fireEvent.change(screen.getByRole('textbox', { name: 'TaskId prefix' }), { target: { value: '' } });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'running' } });
    expect(listed()).toEqual(['now/c']);
    expect(document.querySelector('[data-count-status="running"] [data-count]')?.textContent).toBe('1');
    hold.resolve('x');
  });

  it('cancels, runs again with the same request, and copies the task as JSON', async () => {
    const { orchestrator, clock } = await started();
    const source = devtoolsSourceOf(orchestrator);
    const writeText = vi.fn(async (_text: string) => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<DevtoolsPanel source={source} />);
    await act(() => orchestrator.schedule({ taskId: 'job/r', initialDelayMs: 60_000, input: { n: 1 } }));
    await waitFor(() => taskRow('job/r'));
    act(() => within(taskRow('job/r')).getByRole('button').click());
    const actions = within(screen.getByRole('group', { name: 'Actions' }));
    await waitFor(() => expect((actions.getByRole('button', { name: 'Run again' }) as HTMLButtonElement).disabled).toBe(false));
    await act(async () => actions.getByRole('button', { name: 'Cancel' }).click());
    await waitFor(() => expect(taskRow('job/r').dataset.status).toBe('cancelled'));
    expect((actions.getByRole('button', { name: 'Cancel' }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => actions.getByRole('button', { name: 'Run again' }).click());
    await waitFor(() => expect(taskRow('job/r').dataset.status).toBe('pending'));
    expect(await orchestrator.getTask('job/r')).toMatchObject({ status: 'pending', nextRunAt: clock.now() + 60_000 });
    await act(async () => actions.getByRole('button', { name: 'Copy as JSON' }).click());
    expect(writeText).toHaveBeenCalledTimes(1);
    const copied = JSON.parse(writeText.mock.calls[0]![0]) as { task: TaskSnapshot; request: { input: unknown }; events: { type: string }[] };
    expect(copied.task).toMatchObject({ taskId: 'job/r', status: 'pending' });
    expect(copied.request.input).toEqual({ n: 1 });
    expect(copied.events.map((e) => e.type)).toEqual(expect.arrayContaining(['CANCEL']));
  });

  it('disables run again for a runNow (no request to repeat) and shows no attempt for it', async () => {
    const { orchestrator, clock } = await started();
    render(<DevtoolsPanel source={devtoolsSourceOf(orchestrator)} />);
    await act(async () => {
      await orchestrator.runNow('now/1', () => 'x');
    });
    await act(() => clock.advance(0));
    act(() => within(taskRow('now/1')).getByRole('button').click());
    expect((within(screen.getByRole('group', { name: 'Actions' })).getByRole('button', { name: 'Run again' }) as HTMLButtonElement).disabled).toBe(true);
    expect(document.querySelector('[data-field="attempt"]')?.textContent).toBe('— (runNow)');
  });
});

describe('<ErrandDevtools> under StrictMode', () => {
  it('attaches one observer for the open panel however often effects run, none once unmounted', async () => {
    const { orchestrator } = await started();
    let attached = 0;
    const original = orchestrator.inspect.bind(orchestrator);
    vi.spyOn(orchestrator, 'inspect').mockImplementation((observer) => {
      attached++;
      const sub = original(observer);
      return { unsubscribe: () => (attached--, sub.unsubscribe()) };
    });
    const view = render(
      <StrictMode>
        <OrchestratorProvider orchestrator={orchestrator}>
          <ErrandDevtools initialOpen />
        </OrchestratorProvider>
      </StrictMode>,
    );
    await screen.findByRole('region', { name: 'errand devtools' });
    expect(attached).toBe(1);
    view.unmount();
    expect(attached).toBe(0);
  });
});

describe('panel helpers', () => {
  const task = (over: Partial<TaskSnapshot>): TaskSnapshot => ({
    taskId: 't', status: 'pending', attempt: 0, interrupted: 0, runCount: 0, nextRunAt: null, progress: null,
    unmetConstraints: [], cancelReason: null, outcome: null, kind: 'oneTime', ...over,
  }) as TaskSnapshot;

  it('counts per state, filters, and describes pre-emption and lost constraints', () => {
    expect(countByStatus([task({}), task({ status: 'done' }), task({ status: 'done' })])).toMatchObject({ pending: 1, done: 2, running: 0 });
    expect(matchesDevtoolsFilter(task({ taskId: 'a/1' }), { ...NO_FILTER, search: 'needle' }, { taskId: 'a/1', input: { q: 'Needle' } })).toBe(true);
    expect(matchesDevtoolsFilter(task({ taskId: 'a/1' }), { ...NO_FILTER, search: 'needle' })).toBe(false);
    expect(attemptText(task({ kind: 'instant', attempt: 1 }))).toBe('— (runNow)');
    const base = { taskId: 't', at: 0, detail: {} };
    expect(describeEvent({ ...base, type: 'RUN_NOW', from: 'running', to: 'running' })).toBe('runNow pre-empted the run in flight');
    expect(describeEvent({ ...base, type: 'CONDITIONS_CHANGED', from: 'running', to: 'constrained' })).toMatch(/run aborted: its constraints no longer hold/);
    expect(describeEvent({ ...base, type: 'WORK_FAILED', from: 'running', to: 'backoff', detail: { error: { name: 'Error', message: 'boom' } } })).toBe('the worker threw: boom');
    expect(new WorkFailedError('t', 'x').name).toBe('WorkFailedError');
  });
});
