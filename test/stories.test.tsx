// @vitest-environment happy-dom
// The stories are tests too: each is composed with the project's Storybook annotations, its loader
// plays the scenario on the simulated clock, and what it renders is checked against its parameters.
import { composeStories, setProjectAnnotations } from '@storybook/react-vite';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import preview from '../.storybook/preview.js';
import * as lifecycle from '../stories/LifecycleStates.stories.js';
import * as scenarios from '../stories/Scenarios.stories.js';
import * as devtools from '../stories/ErrandDevtools.stories.js';
import type { DevtoolsExpectation } from '../stories/ErrandDevtools.stories.js';
import type { ScenarioExpectation } from '../stories/scenarios.js';

setProjectAnnotations(preview);
afterEach(() => cleanup());

type Composed = ReturnType<typeof composeStories<typeof lifecycle>>[keyof ReturnType<typeof composeStories<typeof lifecycle>>];

function expectationOf(story: { parameters: Record<string, unknown> }): ScenarioExpectation {
  const expected = story.parameters['errand'];
  if (!expected || typeof expected !== 'object') throw new Error('story has no errand expectation');
  return expected as ScenarioExpectation;
}

async function show(Story: Composed) {
  await Story.load();
  render(<Story />);
  // The board loads its list from the orchestrator (dormant tasks are only records): let it land.
  await act(() => new Promise<void>((resolve) => setTimeout(resolve, 20)));
  return expectationOf(Story);
}

function rowOf(taskId: string) {
  const table = screen.getByRole('table', { name: 'Tasks' });
  return within(table).getByRole('row', { name: new RegExp(taskId.replace('.', '\\.')) });
}

function checkRendered(expected: ScenarioExpectation) {
  const row = rowOf(expected.focus);
  expect(row.dataset.status).toBe(expected.status);
  expect(within(row).getAllByRole('cell')[1]?.textContent).toBe(String(expected.attempt));
  const timeline = screen.getByRole('list', { name: `Transitions of ${expected.focus}` });
  expect(within(timeline).getAllByRole('listitem').map((li) => li.dataset.status)).toEqual(expected.timeline);
  if (expected.notes) {
    const notes = screen.getByRole('region', { name: 'What callers saw' });
    expect(within(notes).getAllByRole('listitem').map((li) => li.textContent)).toEqual(expected.notes);
  }
}

const lifecycleStories = composeStories(lifecycle);
const scenarioStories = composeStories(scenarios);

describe('lifecycle state stories', () => {
  it('has one story per lifecycle state', () => {
    const statuses = Object.values(lifecycleStories).map((story) => expectationOf(story).status);
    expect(statuses.sort()).toEqual(['backoff', 'cancelled', 'constrained', 'done', 'pending', 'running']);
  });

  for (const [name, Story] of Object.entries(lifecycleStories)) {
    it(`${name} renders its task ${expectationOf(Story).status}`, async () => {
      checkRendered(await show(Story));
    });
  }

  it('Running shows 40% on an accessible progress bar', async () => {
    await show(lifecycleStories.Running);
    const bar = within(rowOf('backup.run')).getByRole('progressbar', { name: 'Progress of backup.run' });
    expect(bar.getAttribute('aria-valuenow')).toBe('40');
  });

  it('Constrained names the missing constraint and Backoff the retry time', async () => {
    await show(lifecycleStories.Constrained);
    expect(rowOf('photos.upload').textContent).toContain('waiting for network');
    cleanup();
    await show(lifecycleStories.Backoff);
    // Ran at 00:00:01, failed, 30 s backoff.
    expect(rowOf('sync.contacts').textContent).toContain('retry at 00:00:31Z');
  });

  it('renders the same markup every time (deterministic)', async () => {
    const first = await renderHtml(lifecycleStories.Running);
    const second = await renderHtml(lifecycleStories.Running);
    expect(second).toBe(first);
  });
});

async function renderHtml(Story: Composed): Promise<string> {
  await Story.load();
  const view = render(<Story />);
  const html = view.container.innerHTML;
  view.unmount();
  return html;
}

describe('scenario stories', () => {
  for (const [name, Story] of Object.entries(scenarioStories)) {
    it(`${name} plays its scenario`, async () => {
      checkRendered(await show(Story));
    });
  }

  it('runNow pre-empted ends as an instant task with the second caller’s value', async () => {
    await show(scenarioStories.RunNowPreempted);
    expect(rowOf('feed.refresh').textContent).toContain('succeeded');
    // Each running -> running says a runNow pre-empted the run in flight; the runNow's end is no "attempt 1".
    const timeline = screen.getByRole('list', { name: 'Transitions of feed.refresh' });
    const details = within(timeline).getAllByRole('listitem').map((li) => li.querySelector('.errand-detail')?.textContent);
    expect(details.slice(2)).toEqual(['runNow pre-empted the run in flight', 'runNow pre-empted the run in flight', 'succeeded']);
    // Its worker never reported progress: no 100% on the done row.
    expect(within(rowOf('feed.refresh')).queryByRole('progressbar')).toBeNull();
  });

  it('Done shows 100% for a run that reported progress', async () => {
    await show(lifecycleStories.Done);
    expect(within(rowOf('invoice.send')).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it('Concurrency limit shows the task beyond the limit waiting for a worker slot', async () => {
    await show(scenarioStories.ConcurrencyLimit);
    expect(rowOf('video.transcode/5').dataset.status).toBe('constrained');
    expect(rowOf('video.transcode/5').textContent).toContain('waiting for a worker slot');
    expect(rowOf('video.transcode/4').dataset.status).toBe('running');
    expect(rowOf('video.transcode/1').dataset.status).toBe('done');
  });

  it('Periodic is pending for its next run, 60 s after the last run ended', async () => {
    await show(scenarioStories.Periodic);
    // Runs at 00:00:01, 00:01:03, 00:02:05 (each takes 2 s), next at 00:03:07.
    expect(rowOf('metrics.flush').textContent).toContain('00:03:07Z');
  });

  it('Step through moves the task from pending through running to done as the clock advances', async () => {
    await show(scenarioStories.StepThrough);
    const advance = screen.getByRole('button', { name: 'Advance 1 s' });
    const seen: string[] = [];
    for (let i = 0; i < 8 && rowOf('report.build').dataset.status !== 'done'; i++) {
      seen.push(rowOf('report.build').dataset.status ?? '');
      act(() => advance.click());
      await waitFor(() => expect((advance as HTMLButtonElement).disabled).toBe(false), { timeout: 5_000 });
    }
    seen.push(rowOf('report.build').dataset.status ?? '');
    expect([...new Set(seen)]).toEqual(['pending', 'running', 'done']);
    expect(screen.getByRole('status', { name: 'Simulated time' }).textContent).toBe('6.0 s');
    const timeline = screen.getByRole('list', { name: 'Transitions of report.build' });
    expect(within(timeline).getAllByRole('listitem').map((li) => li.dataset.status)).toEqual(['pending', 'running', 'done']);
  });
});

const devtoolsStories = composeStories(devtools);

function devtoolsExpectationOf(story: { parameters: Record<string, unknown> }): DevtoolsExpectation {
  const expected = story.parameters['devtools'];
  if (!expected || typeof expected !== 'object') throw new Error('story has no devtools expectation');
  return expected as DevtoolsExpectation;
}

describe('devtools panel stories', () => {
  it('has one story per lifecycle state, and one of a pre-empting runNow', () => {
    const statuses = Object.values(devtoolsStories).map((story) => devtoolsExpectationOf(story).status);
    expect([...new Set(statuses)].sort()).toEqual(['backoff', 'cancelled', 'constrained', 'done', 'pending', 'running']);
  });

  for (const [name, Story] of Object.entries(devtoolsStories)) {
    it(`${name} opens the panel on its task, highlighted in the statechart, with its events in order`, async () => {
      const expected = devtoolsExpectationOf(Story);
      await Story.load();
      render(<Story />);
      const details = await screen.findByRole('article', { name: `Task ${expected.focus}` }, { timeout: 5_000 });
      expect(details.dataset.status).toBe(expected.status);
      const current = Array.from(details.querySelectorAll('[data-state-node][aria-current="true"]')).map((n) => n.getAttribute('data-state-node'));
      expect(current).toEqual([expected.status]);
      // The recorded events replay into the panel once it has mounted.
      const steps = () =>
        within(details)
          .getAllByRole('listitem')
          .filter((li) => li.dataset.eventType !== undefined && (li.dataset.from !== li.dataset.to || li.dataset.eventType === 'RUN_NOW'))
          .map((li) => `${li.dataset.eventType} ${li.dataset.from || '-'}>${li.dataset.to}`);
      await waitFor(() => expect(steps()).toEqual(expected.steps));
      const marked = Array.from(details.querySelectorAll('[data-last="true"]')).map((n) => n.getAttribute('data-edge'));
      expect(marked).toEqual(expected.last);
    });
  }

  it('labels each pre-empting runNow in the event log', async () => {
    await devtoolsStories.RunNowPreempted.load();
    render(<devtoolsStories.RunNowPreempted />);
    const log = await screen.findByRole('list', { name: 'Events of feed.refresh' }, { timeout: 5_000 });
    const runNows = Array.from(log.querySelectorAll('li[data-event-type="RUN_NOW"]')).map((li) => li.textContent ?? '');
    expect(runNows).toHaveLength(2);
    for (const text of runNows) expect(text).toContain('runNow pre-empted the run in flight');
  });
});
