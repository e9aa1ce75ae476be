// PLACEHOLDER until the devtools panel lands (branch `devtools` replaces this file): a plain task list,
// enough for devtoolsServer's page and its browser test. The real panel must keep what that test reads:
// `ErrandDevtools({ source })`, an element per task with `data-task-id` and `data-status`.
import { useSyncExternalStore } from 'react';
import type { DevtoolsSource } from './source.js';

export interface ErrandDevtoolsProps {
  source: DevtoolsSource;
}

export function ErrandDevtools({ source }: ErrandDevtoolsProps) {
  const tasks = useSyncExternalStore(
    (listener) => source.subscribeTasks(listener),
    () => source.tasks(),
  );
  return (
    <section aria-label="errand devtools">
      <h1>errand devtools</h1>
      <ul>
        {tasks.map((task) => (
          <li key={task.taskId} data-task-id={task.taskId} data-status={task.status}>
            {task.taskId}: {task.status} (attempt {task.attempt}, runs {task.runCount})
          </li>
        ))}
      </ul>
    </section>
  );
}
