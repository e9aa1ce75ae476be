// For stories: a DevtoolsSource whose task events are recorded from the moment it is made, and
// replayed to each watcher, so a panel opened after a scenario played still shows how it got there.
import type { DevtoolsSource, DevtoolsTaskEvent } from '../src/devtools/index.js';

export function recordedSource(source: DevtoolsSource): DevtoolsSource {
  const events: DevtoolsTaskEvent[] = [];
  const watchers = new Set<(event: DevtoolsTaskEvent) => void>();
  source.watchTaskEvents((event) => {
    events.push(event);
    for (const watcher of [...watchers]) watcher(event);
  });
  return {
    tasks: () => source.tasks(),
    subscribeTasks: (listener) => source.subscribeTasks(listener),
    watchTaskEvents(listener) {
      for (const event of events) listener(event);
      watchers.add(listener);
      return () => void watchers.delete(listener);
    },
    requestOf: (taskId) => source.requestOf(taskId),
    observeTask: (taskId) => source.observeTask?.(taskId) ?? (() => {}),
    cancel: (taskId) => source.cancel(taskId),
    schedule: (request) => source.schedule(request),
    now: () => source.now(),
  };
}
