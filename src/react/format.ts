import type { TaskSnapshot } from '../core/types.js';

/**
 * Default time format: time of day in UTC ("09:30:05Z"). It reads the same on the server and
 * in every browser, so server-rendered markup hydrates; pass `formatTime` for local time.
 */
export function formatTimeUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'failed';
}

const unmetLabel = (name: string): string => (name === 'concurrency' ? 'a worker slot' : name);

/** A short description of what the task is doing or how it ended. */
export function describeTask(task: TaskSnapshot, formatTime: (ms: number) => string = formatTimeUtc): string {
  switch (task.status) {
    case 'pending':
      return task.nextRunAt === null ? 'waiting' : `due at ${formatTime(task.nextRunAt)}`;
    case 'constrained':
      return task.unmetConstraints.length > 0 ? `waiting for ${task.unmetConstraints.map(unmetLabel).join(', ')}` : 'waiting for conditions';
    case 'running':
      return task.kind === 'instant' ? 'running now' : `attempt ${task.attempt}`;
    case 'backoff':
      return task.nextRunAt === null ? 'retrying' : `retry at ${formatTime(task.nextRunAt)}`;
    case 'cancelled':
      return task.cancelReason ?? 'cancelled';
    case 'done':
      if (!task.outcome) return 'finished';
      return task.outcome.ok ? 'succeeded' : errorMessage(task.outcome.error);
  }
}

/**
 * Progress as a whole percentage (0..100), or null when there is nothing to show. A finished run
 * shows 100 only when its worker reported progress (`reported`: what errand/react's components saw).
 */
export function progressPercent(task: TaskSnapshot, reported = false): number | null {
  if (task.status === 'running' && task.progress !== null) return Math.round(Math.min(1, Math.max(0, task.progress)) * 100);
  if (task.status === 'done' && task.outcome?.ok && reported) return 100;
  return null;
}

/** The attempt as a column shows it: a runNow is one call, never an attempt ("—"). */
export function attemptLabel(task: TaskSnapshot): string {
  return task.kind === 'instant' ? '—' : String(task.attempt);
}

/** What a timeline entry adds to its state, given the entry before it. */
export function describeTransition(
  entry: { task: TaskSnapshot; runs: number | null },
  previous: { task: TaskSnapshot; runs: number | null } | undefined,
  formatTime: (ms: number) => string = formatTimeUtc,
): string {
  const { task } = entry;
  const was = previous?.task;
  const description = describeTask(task, formatTime);
  if (task.status === 'running' && was?.status === 'running') {
    // Same state, a new run: a runNow took the TaskId over from the run in flight.
    return task.kind === 'instant' ? 'runNow pre-empted the run in flight' : `new run · ${description}`;
  }
  if (task.status === 'running' && task.kind === 'instant') return 'runNow';
  if (task.status === 'constrained' && was?.status === 'running' && was.kind !== 'instant') {
    return `run aborted: constraints no longer hold · ${description}`;
  }
  // A runNow has no attempts; scheduled work says which attempt ended or waits.
  const attempt = task.kind === 'instant' || task.status === 'running' || task.attempt === 0 ? '' : `attempt ${task.attempt} · `;
  return `${attempt}${description}`;
}
