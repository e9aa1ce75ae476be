import { memo } from 'react';
import type { TaskSnapshot } from '../core/types.js';
import { attemptLabel, describeTask, describeTransition, formatTimeUtc, isoTime, progressPercent } from './format.js';
import { useProgressReported, useTasks, useTaskTimeline } from './hooks.js';
import { ErrandStyles } from './styles.js';
import type { TaskHistory } from './task-history.js';
import type { TaskFilter } from './types.js';

type FormatTime = (ms: number) => string;

function statusClass(task: TaskSnapshot): string {
  const failed = task.status === 'done' && task.outcome !== null && !task.outcome.ok;
  return `errand-status errand-status--${failed ? 'failed' : task.status}`;
}

export interface TaskProgressProps {
  task: TaskSnapshot;
  /** Its worker reported progress during this run: a succeeded run then shows full. Default false. */
  reported?: boolean;
}

/** A progressbar for a task: its reported progress while running, full once a run that reported progress succeeded. */
export function TaskProgress({ task, reported = false }: TaskProgressProps) {
  const percent = progressPercent(task, reported);
  const label = `Progress of ${task.taskId}`;
  if (percent === null && task.status !== 'running') return <span aria-label={label}>—</span>;
  if (percent === null) {
    // Running without reported progress: indeterminate (no aria-valuenow).
    return (
      <div className="errand-progress errand-progress--indeterminate" role="progressbar" aria-label={label} aria-valuetext="working">
        <div className="errand-progress__track">
          <div className="errand-progress__bar" />
        </div>
        <span className="errand-progress__label" aria-hidden="true" />
      </div>
    );
  }
  return (
    <div
      className="errand-progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%`}
    >
      <div className="errand-progress__track">
        <div className="errand-progress__bar" style={{ width: `${percent}%` }} />
      </div>
      <span className="errand-progress__label" aria-hidden="true">
        {percent}%
      </span>
    </div>
  );
}

function TimeOf({ ms, format }: { ms: number; format: FormatTime }) {
  const iso = isoTime(ms);
  return (
    <time dateTime={iso} title={iso}>
      {format(ms)}
    </time>
  );
}

const TaskRow = memo(function TaskRow({ task, formatTime, reported }: { task: TaskSnapshot; formatTime: FormatTime; reported: boolean }) {
  return (
    <tr data-task-id={task.taskId} data-status={task.status}>
      <th scope="row">{task.taskId}</th>
      <td>
        <span className={statusClass(task)}>{task.status}</span>
        <span className="errand-detail">{describeTask(task, formatTime)}</span>
      </td>
      <td>{attemptLabel(task)}</td>
      <td>{task.nextRunAt === null ? '—' : <TimeOf ms={task.nextRunAt} format={formatTime} />}</td>
      <td>
        <TaskProgress task={task} reported={reported} />
      </td>
    </tr>
  );
});

export interface TaskBoardProps {
  /** Which tasks to show; default every task the orchestrator knows. */
  filter?: TaskFilter;
  /** Accessible name and caption of the table. Default "Tasks". */
  label?: string;
  /** Formats `nextRunAt`. Default: UTC time of day (hydration-safe). */
  formatTime?: FormatTime;
  /** Leave errand's stylesheet out (you style `.errand-*` yourself or include `errandCss`). */
  unstyled?: boolean;
  className?: string;
}

/** Every task with its state, attempt, next run and progress. Needs an `<OrchestratorProvider>`. */
export function TaskBoard({ filter, label = 'Tasks', formatTime = formatTimeUtc, unstyled, className }: TaskBoardProps) {
  const tasks = useTasks(filter);
  const progressReported = useProgressReported();
  return (
    <div className={className ? `errand-board ${className}` : 'errand-board'}>
      {unstyled ? null : <ErrandStyles />}
      <table aria-label={label}>
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">State</th>
            <th scope="col">Attempt</th>
            <th scope="col">Next run</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {tasks.length === 0 ? (
            <tr>
              <td colSpan={5} className="errand-empty">
                No tasks
              </td>
            </tr>
          ) : (
            tasks.map((task) => <TaskRow key={task.taskId} task={task} formatTime={formatTime} reported={progressReported(task)} />)
          )}
        </tbody>
      </table>
    </div>
  );
}

export interface TaskTimelineProps {
  taskId: string;
  /** Where transitions were recorded; default the provider's, else recorded while mounted. */
  history?: TaskHistory;
  /** Accessible name and heading. Default "Timeline of <taskId>". */
  label?: string;
  /** Formats entry times. Default: UTC time of day (hydration-safe). */
  formatTime?: FormatTime;
  unstyled?: boolean;
  className?: string;
}

/** The task's transitions over time, oldest first. Needs an `<OrchestratorProvider>`. */
export function TaskTimeline({ taskId, history, label, formatTime = formatTimeUtc, unstyled, className }: TaskTimelineProps) {
  const entries = useTaskTimeline(taskId, history);
  const name = label ?? `Timeline of ${taskId}`;
  return (
    <section className={className ? `errand-timeline ${className}` : 'errand-timeline'} aria-label={name}>
      {unstyled ? null : <ErrandStyles />}
      <h3>{name}</h3>
      {entries.length === 0 ? (
        <p className="errand-empty">No transitions recorded yet</p>
      ) : (
        <ol aria-label={`Transitions of ${taskId}`}>
          {entries.map((entry, index) => (
            <li key={`${entry.at}-${index}`} data-status={entry.task.status}>
              <TimeOf ms={entry.at} format={formatTime} />
              <span className={statusClass(entry.task)}>{entry.task.status}</span>
              <span className="errand-detail">{describeTransition(entry, entries[index - 1], formatTime)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
