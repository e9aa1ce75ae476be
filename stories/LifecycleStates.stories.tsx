import type { Meta, StoryObj } from '@storybook/react-vite';
import { ScenarioView } from './ScenarioView.js';
import {
  backoffTask,
  cancelledTask,
  constrainedTask,
  doneTask,
  pendingTask,
  runningTask,
  type Scenario,
} from './scenarios.js';
import { expecting, scenarioOf } from './story-support.js';

/** One task brought to each lifecycle state on a simulated clock: the same picture every time. */
const meta = {
  title: 'errand/Lifecycle states',
  render: (_args, { loaded }) => <ScenarioView scenario={scenarioOf(loaded)} />,
} satisfies Meta;

export default meta;
type Story = StoryObj<typeof meta>;

const load = (build: () => Promise<Scenario>) => [async () => ({ scenario: await build() })];

export const Pending: Story = {
  loaders: load(pendingTask),
  parameters: expecting({ focus: 'report.daily', status: 'pending', attempt: 0, timeline: ['pending'] }),
};

export const Constrained: Story = {
  loaders: load(constrainedTask),
  parameters: expecting({ focus: 'photos.upload', status: 'constrained', attempt: 0, timeline: ['constrained'] }),
};

export const Running: Story = {
  loaders: load(runningTask),
  parameters: expecting({ focus: 'backup.run', status: 'running', attempt: 1, timeline: ['pending', 'running'] }),
};

export const Backoff: Story = {
  loaders: load(backoffTask),
  parameters: expecting({ focus: 'sync.contacts', status: 'backoff', attempt: 1, timeline: ['pending', 'running', 'backoff'] }),
};

export const Cancelled: Story = {
  loaders: load(cancelledTask),
  parameters: expecting({ focus: 'digest.email', status: 'cancelled', attempt: 0, timeline: ['pending', 'cancelled'] }),
};

export const Done: Story = {
  loaders: load(doneTask),
  parameters: expecting({ focus: 'invoice.send', status: 'done', attempt: 1, timeline: ['pending', 'running', 'done'] }),
};
