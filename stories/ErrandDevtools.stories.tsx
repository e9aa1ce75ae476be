import type { Meta, StoryObj } from '@storybook/react-vite';
import { ErrandDevtools } from '../src/devtools/index.js';
import { ScenarioView } from './ScenarioView.js';
import {
  backoffTask,
  cancelledWhileRunning,
  constrainedTask,
  doneTask,
  pendingTask,
  runNowPreempted,
  runningTask,
  type Scenario,
} from './scenarios.js';
import { scenarioOf } from './story-support.js';

/** What a devtools story shows for its focus task; test/stories.test.tsx checks it. */
export interface DevtoolsExpectation {
  focus: string;
  status: string;
  /** Logged events that moved the task (or re-entered running): "TYPE from>to", oldest first. */
  steps: readonly string[];
  /** The statechart edges marked as the last transition. */
  last: readonly string[];
}

/** The devtools panel open on one task in each lifecycle state, its events recorded as the scenario played. */
const meta = {
  title: 'errand/Devtools panel',
  render: (_args, { loaded }) => {
    const scenario = scenarioOf(loaded);
    return (
      <ScenarioView scenario={scenario}>
        <ErrandDevtools source={scenario.devtools} initialOpen initialTaskId={scenario.focus} position="bottom-left" />
      </ScenarioView>
    );
  },
} satisfies Meta;

export default meta;
type Story = StoryObj<typeof meta>;

const load = (build: () => Promise<Scenario>) => [async () => ({ scenario: await build() })];
const expecting = (devtools: DevtoolsExpectation) => ({ devtools });

export const Pending: Story = {
  loaders: load(pendingTask),
  parameters: expecting({ focus: 'report.daily', status: 'pending', steps: ['xstate.init ->pending'], last: [] }),
};

export const Constrained: Story = {
  loaders: load(constrainedTask),
  parameters: expecting({ focus: 'photos.upload', status: 'constrained', steps: ['xstate.init ->constrained'], last: [] }),
};

export const Running: Story = {
  loaders: load(runningTask),
  parameters: expecting({
    focus: 'backup.run',
    status: 'running',
    steps: ['xstate.init ->pending', 'xstate.after.untilNextRun.task.pending pending>running'],
    last: ['pending>running'],
  }),
};

export const Backoff: Story = {
  loaders: load(backoffTask),
  parameters: expecting({
    focus: 'sync.contacts',
    status: 'backoff',
    // Dormant while it waited out its backoff; the panel showing it activated it again (a new actor).
    steps: ['xstate.init ->pending', 'xstate.after.untilNextRun.task.pending pending>running', 'WORK_FAILED running>backoff', 'xstate.init ->backoff'],
    last: ['running>backoff'],
  }),
};

export const Cancelled: Story = {
  // Cancelled while running (a task cancelled while dormant has no actor, so no events to show).
  loaders: load(cancelledWhileRunning),
  parameters: expecting({
    focus: 'export.csv',
    status: 'cancelled',
    steps: ['xstate.init ->pending', 'xstate.after.untilNextRun.task.pending pending>running', 'CANCEL running>cancelled'],
    last: ['*>cancelled'],
  }),
};

export const Done: Story = {
  loaders: load(doneTask),
  parameters: expecting({
    focus: 'invoice.send',
    status: 'done',
    steps: ['xstate.init ->pending', 'xstate.after.untilNextRun.task.pending pending>running', 'WORK_DONE running>done'],
    last: ['running>done'],
  }),
};

export const RunNowPreempted: Story = {
  name: 'runNow pre-empted',
  loaders: load(runNowPreempted),
  parameters: expecting({
    focus: 'feed.refresh',
    status: 'done',
    steps: [
      'xstate.init ->pending',
      'xstate.after.untilNextRun.task.pending pending>running',
      'RUN_NOW running>running',
      'RUN_NOW running>running',
      'WORK_DONE running>done',
    ],
    last: ['running>done'],
  }),
};
