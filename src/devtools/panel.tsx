// The devtools panel itself (loaded lazily by index.ts once opened): task list with filters and
// counts, and for the selected task its statechart, fields, actions and event log.
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type CSSProperties, type ReactNode } from 'react';
import type { ScheduleRequest } from '../core/schemas.js';
import type { TaskSnapshot, TaskStatus } from '../core/types.js';
import { describeTask, formatTimeUtc } from '../react/format.js';
import { causeChain, jsonSafe } from './json-safe.js';
import { describeEvent, TaskEventLog } from './event-log.js';
import { edgesOfStep, statechartOf } from './statechart.js';
import { TaskStatechart } from './statechart-view.js';
import type { DevtoolsSource, DevtoolsTaskEvent } from './source.js';
import { colors, mono, sans, stateColor } from './theme.js';

/** Marks the panel's root element (and lets a bundle check find the panel's code). */
export const PANEL_MARKER = 'errand-devtools-panel';

export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'constrained', 'running', 'backoff', 'cancelled', 'done'];
const KINDS: readonly TaskSnapshot['kind'][] = ['oneTime', 'periodic', 'instant'];

export type DevtoolsPosition = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

export interface DevtoolsFilter {
  status: TaskStatus | 'all';
  kind: TaskSnapshot['kind'] | 'all';
  prefix: string;
  search: string;
}

export const NO_FILTER: DevtoolsFilter = { status: 'all', kind: 'all', prefix: '', search: '' };

/** Whether a task passes the panel's filters; the search matches TaskId, state, description and input. */
export function matchesDevtoolsFilter(task: TaskSnapshot, filter: DevtoolsFilter, request?: ScheduleRequest): boolean {
  if (filter.status !== 'all' && task.status !== filter.status) return false;
  if (filter.kind !== 'all' && task.kind !== filter.kind) return false;
  if (filter.prefix && !task.taskId.startsWith(filter.prefix)) return false;
  const needle = filter.search.trim().toLowerCase();
  if (!needle) return true;
  const input = request?.input === undefined ? '' : JSON.stringify(jsonSafe(request.input));
  return [task.taskId, task.status, task.kind, describeTask(task), input].some((text) => text.toLowerCase().includes(needle));
}

/** How many tasks are in each state. */
export function countByStatus(tasks: readonly TaskSnapshot[]): Record<TaskStatus, number> {
  const counts: Record<TaskStatus, number> = { pending: 0, constrained: 0, running: 0, backoff: 0, cancelled: 0, done: 0 };
  for (const task of tasks) counts[task.status]++;
  return counts;
}

/** The attempt as the panel shows it: a runNow has no attempts (it is one call, never retried). */
export function attemptText(task: TaskSnapshot): string {
  return task.kind === 'instant' ? '— (runNow)' : String(task.attempt);
}

/** Time of day with milliseconds, UTC (event logs need the order within a second). */
export function formatEventTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 23)}Z`;
}

/** The selected task as "copy as JSON" writes it. */
export function taskAsJson(task: TaskSnapshot, request: ScheduleRequest | undefined, events: readonly DevtoolsTaskEvent[]): string {
  return JSON.stringify({ task: jsonSafe(task), request: request === undefined ? null : jsonSafe(request), events }, null, 2);
}

/** The last event that moved the task along a chart edge (what the statechart marks). */
function lastStep(events: readonly DevtoolsTaskEvent[], chart: ReturnType<typeof statechartOf>): DevtoolsTaskEvent | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (edgesOfStep(chart, event).length > 0) return event;
  }
  return null;
}

function useSourceTasks(source: DevtoolsSource): readonly TaskSnapshot[] {
  const subscribe = useCallback((listener: () => void) => source.subscribeTasks(listener), [source]);
  const read = useCallback(() => source.tasks(), [source]);
  return useSyncExternalStore(subscribe, read, read);
}

/** Logs the source's task events while the panel is mounted (that is: open). */
function useEventLog(source: DevtoolsSource): TaskEventLog {
  const log = useMemo(() => new TaskEventLog(), [source]);
  useEffect(() => source.watchTaskEvents(log.add), [source, log]);
  useSyncExternalStore(log.subscribe, () => log.version, () => 0);
  return log;
}

const corner = (position: DevtoolsPosition): CSSProperties => {
  const [v, h] = position.split('-') as ['top' | 'bottom', 'left' | 'right'];
  return { [v]: 12, [h]: 12 };
};

const button: CSSProperties = {
  font: `12px ${sans}`,
  padding: '3px 10px',
  border: `1px solid ${colors.border}`,
  borderRadius: 6,
  background: colors.bg,
  color: colors.fg,
  cursor: 'pointer',
};

const field: CSSProperties = { font: `12px ${sans}`, padding: '3px 6px', border: `1px solid ${colors.border}`, borderRadius: 6, minWidth: 0 };

function StatusChip({ status, failed = false }: { status: string; failed?: boolean }) {
  return (
    <span
      data-chip={status}
      style={{ display: 'inline-block', padding: '0 7px', borderRadius: 999, fontSize: 11, fontWeight: 600, color: '#fff', background: stateColor(failed ? 'failed' : status) }}
    >
      {status}
    </span>
  );
}

const failedTask = (task: TaskSnapshot) => task.status === 'done' && task.outcome !== null && !task.outcome.ok;

export interface DevtoolsPanelProps {
  source: DevtoolsSource;
  position?: DevtoolsPosition;
  onClose?: () => void;
  /** Formats times of day (next run). Default UTC, as errand/react's components. */
  formatTime?: (ms: number) => string;
  /** The task selected when the panel opens. */
  initialTaskId?: string;
}

/** The open panel. Watches the source's events from mount to unmount. */
export function DevtoolsPanel({ source, position = 'bottom-right', onClose, formatTime = formatTimeUtc, initialTaskId }: DevtoolsPanelProps) {
  const tasks = useSourceTasks(source);
  const log = useEventLog(source);
  const [filter, setFilter] = useState<DevtoolsFilter>(NO_FILTER);
  const [selectedId, setSelectedId] = useState<string | null>(initialTaskId ?? null);
  const counts = countByStatus(tasks);
  // The input is searched too: read requests only while there is text to search for.
  const searching = filter.search.trim() !== '';
  const shown = tasks.filter((task) => matchesDevtoolsFilter(task, filter, searching ? source.requestOf(task.taskId) : undefined));
  const selected = tasks.find((task) => task.taskId === selectedId) ?? null;
  const set = (patch: Partial<DevtoolsFilter>) => setFilter((f) => ({ ...f, ...patch }));

  return (
    <section
      data-errand-devtools={PANEL_MARKER}
      aria-label="errand devtools"
      style={{
        position: 'fixed',
        ...corner(position),
        zIndex: 2147483000,
        width: 'min(1080px, calc(100vw - 24px))',
        height: 'min(640px, calc(100vh - 24px))',
        display: 'flex',
        flexDirection: 'column',
        background: colors.bg,
        color: colors.fg,
        font: `13px/1.4 ${sans}`,
        border: `1px solid ${colors.border}`,
        borderRadius: 10,
        boxShadow: '0 8px 30px rgba(0,0,0,.18)',
        overflow: 'hidden',
      }}
    >
      <header style={{ display: 'flex', alignItems: 'center', gap: 10, padding: '6px 10px', background: colors.panel, borderBottom: `1px solid ${colors.border}` }}>
        <strong style={{ fontSize: 13 }}>errand devtools</strong>
        <ul aria-label="Tasks per state" style={{ display: 'flex', gap: 6, listStyle: 'none', margin: 0, padding: 0, flex: 1, flexWrap: 'wrap' }}>
          {TASK_STATUSES.map((status) => (
            <li key={status} data-count-status={status} style={{ fontSize: 12, color: counts[status] ? colors.fg : colors.muted }}>
              <span style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 4, background: stateColor(status), marginRight: 4 }} />
              {status} <b data-count>{counts[status]}</b>
            </li>
          ))}
        </ul>
        {onClose ? (
          <button type="button" style={button} onClick={onClose} aria-label="Close errand devtools">
            Close
          </button>
        ) : null}
      </header>
      <div style={{ display: 'flex', flex: 1, minHeight: 0 }}>
        <nav aria-label="Task list" style={{ width: 300, display: 'flex', flexDirection: 'column', borderRight: `1px solid ${colors.border}`, minHeight: 0 }}>
          <div role="search" style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 6, padding: 8, borderBottom: `1px solid ${colors.border}` }}>
            <select aria-label="Status" value={filter.status} onChange={(e) => set({ status: e.target.value as DevtoolsFilter['status'] })} style={field}>
              <option value="all">every state</option>
              {TASK_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            <select aria-label="Kind" value={filter.kind} onChange={(e) => set({ kind: e.target.value as DevtoolsFilter['kind'] })} style={field}>
              <option value="all">every kind</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
            <input aria-label="TaskId prefix" placeholder="TaskId prefix" value={filter.prefix} onChange={(e) => set({ prefix: e.target.value })} style={field} />
            <input aria-label="Search" type="search" placeholder="Search" value={filter.search} onChange={(e) => set({ search: e.target.value })} style={field} />
          </div>
          <ul aria-label="Tasks" style={{ listStyle: 'none', margin: 0, padding: 0, overflowY: 'auto', flex: 1 }}>
            {shown.length === 0 ? <li style={{ padding: 10, color: colors.muted, fontStyle: 'italic' }}>No tasks</li> : null}
            {shown.map((task) => {
              const isSelected = task.taskId === selectedId;
              return (
                <li key={task.taskId} data-task-id={task.taskId} data-status={task.status}>
                  <button
                    type="button"
                    aria-pressed={isSelected}
                    onClick={() => setSelectedId(task.taskId)}
                    style={{
                      display: 'block',
                      width: '100%',
                      textAlign: 'left',
                      padding: '6px 10px',
                      border: 'none',
                      borderBottom: `1px solid ${colors.border}`,
                      background: isSelected ? '#ddf4ff' : 'transparent',
                      cursor: 'pointer',
                      font: 'inherit',
                      color: 'inherit',
                    }}
                  >
                    <span style={{ fontFamily: mono, fontSize: 12, display: 'block', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{task.taskId}</span>
                    <StatusChip status={task.status} failed={failedTask(task)} />{' '}
                    <span style={{ fontSize: 11, color: colors.muted }}>{describeTask(task, formatTime)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>
        <div style={{ flex: 1, overflowY: 'auto', minWidth: 0 }}>
          {selected ? (
            <TaskDetails key={selected.taskId} task={selected} source={source} events={log.of(selected.taskId)} formatTime={formatTime} />
          ) : (
            <p style={{ padding: 16, color: colors.muted }}>Select a task to see its statechart and events.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function Row({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt style={{ color: colors.muted }}>{name}</dt>
      <dd style={{ margin: 0, fontFamily: mono, fontSize: 12, overflowWrap: 'anywhere' }} data-field={name}>
        {children}
      </dd>
    </>
  );
}

function TaskDetails({ task, source, events, formatTime }: { task: TaskSnapshot; source: DevtoolsSource; events: readonly DevtoolsTaskEvent[]; formatTime: (ms: number) => string }) {
  const chart = useMemo(() => statechartOf(), []);
  const [notice, setNotice] = useState<string | null>(null);
  const [showProgress, setShowProgress] = useState(true);
  const shownEvents = showProgress ? events : events.filter((e) => e.type !== 'PROGRESS');
  // Keeps a dormant task active while shown, so its request (for run again) is known.
  useEffect(() => source.observeTask?.(task.taskId), [source, task.taskId]);
  const request = source.requestOf(task.taskId);
  const last = lastStep(events, chart);
  // Waiting to retry, the task has no outcome yet: the failed attempt's error is in its event.
  const lastFailure = task.status === 'backoff' ? [...events].reverse().find((e) => e.type === 'WORK_FAILED')?.detail['error'] : undefined;
  const finished = task.status === 'done' || task.status === 'cancelled';
  const act = (what: string, action: () => Promise<unknown>) => {
    action().then(
      () => setNotice(`${what}: done`),
      (error: unknown) => setNotice(`${what} failed: ${causeChain(error).join(' ← ')}`),
    );
  };
  const copy = () => {
    const text = taskAsJson(task, request, events);
    const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
    if (!clipboard) return setNotice('No clipboard here');
    act('Copy as JSON', () => clipboard.writeText(text));
  };
  return (
    <article aria-label={`Task ${task.taskId}`} data-selected-task={task.taskId} data-status={task.status} style={{ padding: 12 }}>
      <h3 style={{ margin: '0 0 8px', fontSize: 14, fontFamily: mono, display: 'flex', gap: 8, alignItems: 'center' }}>
        {task.taskId} <StatusChip status={task.status} failed={failedTask(task)} />
      </h3>
      <div role="group" aria-label="Actions" style={{ display: 'flex', gap: 6, marginBottom: 8, alignItems: 'center' }}>
        <button type="button" style={button} disabled={finished} onClick={() => act('Cancel', () => source.cancel(task.taskId))}>
          Cancel
        </button>
        <button
          type="button"
          style={button}
          disabled={request === undefined}
          title={request === undefined ? 'The request of this TaskId is not known here (a runNow, or scheduled before the panel saw it)' : undefined}
          onClick={() => request && act('Run again', () => source.schedule(request))}
        >
          Run again
        </button>
        <button type="button" style={button} onClick={copy}>
          Copy as JSON
        </button>
        {notice ? (
          <span role="status" style={{ fontSize: 12, color: colors.muted }}>
            {notice}
          </span>
        ) : null}
      </div>
      <TaskStatechart state={task.status} last={last} failed={failedTask(task)} />
      <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start', flexWrap: 'wrap', marginTop: 10 }}>
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '3px 12px', margin: 0, flex: '0 1 280px', minWidth: 220 }}>
        <Row name="kind">{task.kind}</Row>
        <Row name="attempt">{attemptText(task)}</Row>
        <Row name="runCount">{task.runCount}</Row>
        {task.interrupted > 0 ? <Row name="interrupted">{task.interrupted}</Row> : null}
        {task.status === 'constrained' ? <Row name="unmet">{task.unmetConstraints.join(', ') || 'none'}</Row> : null}
        {task.progress !== null ? <Row name="progress">{Math.round(task.progress * 100)}%</Row> : null}
        {task.nextRunAt !== null ? <Row name="next run">{formatTime(task.nextRunAt)}</Row> : null}
        {task.cancelReason !== null ? <Row name="cancel reason">{task.cancelReason}</Row> : null}
        <Row name="input">{request === undefined ? 'not known' : request.input === undefined ? 'none' : JSON.stringify(jsonSafe(request.input))}</Row>
        {task.outcome?.ok === true ? <Row name="outcome">{JSON.stringify(jsonSafe(task.outcome.value)) ?? 'undefined'}</Row> : null}
        {lastFailure !== undefined ? (
          <Row name="last error">
            <ol aria-label="Last error and its causes" style={{ margin: 0, paddingLeft: 18, color: colors.danger }}>
              {causeChain(lastFailure).map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ol>
          </Row>
        ) : null}
        {task.outcome?.ok === false ? (
          <Row name="error">
            <ol aria-label="Error and its causes" style={{ margin: 0, paddingLeft: 18, color: colors.danger }}>
              {causeChain(task.outcome.error).map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ol>
          </Row>
        ) : null}
      </dl>
      <section aria-label="Event log" style={{ flex: '1 1 360px', minWidth: 0 }}>
      <h4 style={{ margin: '0 0 4px', fontSize: 13, display: 'flex', gap: 12, alignItems: 'center' }}>
        Events
        <label style={{ fontWeight: 400, fontSize: 12, color: colors.muted }}>
          <input type="checkbox" checked={showProgress} onChange={(e) => setShowProgress(e.target.checked)} /> PROGRESS events
        </label>
      </h4>
      {events.length === 0 ? (
        <p style={{ color: colors.muted, fontStyle: 'italic', margin: 0 }}>No events since the panel opened</p>
      ) : (
        <ol aria-label={`Events of ${task.taskId}`} style={{ listStyle: 'none', margin: 0, padding: 0, fontSize: 12 }}>
          {shownEvents.map((event, i) => (
            <li key={i} data-event-type={event.type} data-from={event.from ?? ''} data-to={event.to} style={{ display: 'grid', gridTemplateColumns: '92px minmax(0, 150px) 1fr', gap: 8, padding: '2px 0', borderBottom: `1px dotted ${colors.border}` }}>
              <time dateTime={new Date(event.at).toISOString()} style={{ fontFamily: mono, color: colors.muted }}>
                {formatEventTime(event.at)}
              </time>
              <span style={{ fontFamily: mono, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={event.type}>
                {event.type}
              </span>
              <span>
                <span style={{ fontFamily: mono }}>
                  {event.from ?? '·'} → {event.to}
                </span>{' '}
                <span style={{ color: colors.muted }}>{describeEvent(event)}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
      </section>
      </div>
    </article>
  );
}

export default DevtoolsPanel;
