import type { Meta, StoryObj } from '@storybook/react-vite';
import { ScenarioView, StepControls } from './ScenarioView.js';
import {
  backoffWithRetries,
  cancelledWhileRunning,
  concurrencyLimit,
  constrainedWaitingForNetwork,
  periodicTask,
  runNowPreempted,
  stepThrough,
  type Scenario,
} from './scenarios.js';
import { expecting, scenarioOf } from './story-support.js';

/** How tasks move over time, played on a simulated clock and a hand-driven platform. */
const meta = {
  title: 'errand/Scenarios',
  render: (_args, { loaded }) => <ScenarioView scenario={scenarioOf(loaded)} />,
} satisfies Meta;

export default meta;
type Story = StoryObj<typeof meta>;

const load = (build: () => Promise<Scenario>) => [async () => ({ scenario: await build() })];

export const BackoffWithRetries: Story = {
  loaders: load(backoffWithRetries),
  parameters: expecting({
    focus: 'sync.contacts',
    status: 'done',
    attempt: 3,
    timeline: ['pending', 'running', 'backoff', 'running', 'backoff', 'running', 'done'],
    notes: [
      'attempt 1 threw: 503 Service Unavailable',
      'attempt 2 threw: 503 Service Unavailable',
      'attempt 3 returned 128 contacts',
    ],
  }),
};

export const ConstrainedWaitingForNetwork: Story = {
  loaders: load(constrainedWaitingForNetwork),
  parameters: expecting({
    focus: 'photos.upload',
    status: 'done',
    attempt: 1,
    timeline: ['constrained', 'running', 'done'],
    notes: ['network back after 30 s offline'],
  }),
};

export const ConcurrencyLimit: Story = {
  loaders: load(concurrencyLimit),
  parameters: expecting({
    focus: 'video.transcode/3',
    status: 'running',
    attempt: 1,
    timeline: ['pending', 'constrained', 'running'],
    notes: ['3, 4 and 5 wait for a worker slot (concurrency 2)', '1 and 2 finished: 3 and 4 took their slots, 5 still waits'],
  }),
};

export const RunNowPreempted: Story = {
  name: 'runNow pre-empted',
  loaders: load(runNowPreempted),
  parameters: expecting({
    focus: 'feed.refresh',
    status: 'done',
    attempt: '—',
    timeline: ['pending', 'running', 'running', 'running', 'done'],
    notes: ['worker aborted at 20%', 'runNow #1 rejected: preempted', 'runNow #2 resolved: second pull'],
  }),
};

export const Periodic: Story = {
  loaders: load(periodicTask),
  parameters: expecting({
    focus: 'metrics.flush',
    status: 'pending',
    attempt: 0,
    timeline: ['pending', 'running', 'pending', 'running', 'pending', 'running', 'pending'],
    notes: ['run 1 flushed 10 points', 'run 2 flushed 20 points', 'run 3 flushed 30 points'],
  }),
};

export const CancelledWhileRunning: Story = {
  loaders: load(cancelledWhileRunning),
  parameters: expecting({
    focus: 'export.csv',
    status: 'cancelled',
    attempt: 1,
    timeline: ['pending', 'running', 'cancelled'],
    notes: ['user pressed cancel at 60%', 'worker aborted at 60%'],
  }),
};

/** Interactive: advance the simulated clock by hand (the browser end-to-end test clicks through it). */
export const StepThrough: Story = {
  loaders: load(stepThrough),
  render: (_args, { loaded }) => {
    const scenario = scenarioOf(loaded);
    return (
      <ScenarioView scenario={scenario}>
        <StepControls scenario={scenario} />
      </ScenarioView>
    );
  },
  parameters: expecting({ focus: 'report.build', status: 'pending', attempt: 0, timeline: ['pending'] }),
};
