import { useMemo } from 'react';
import { ANY_STATE, edgesOfStep, NODE_HEIGHT, NODE_WIDTH, statechartOf, type ChartState, type ChartStep, type MachineLike } from './statechart.js';
import { colors, stateColor } from './theme.js';

export interface TaskStatechartProps {
  /** The task's current top-level state (highlighted); null draws none highlighted. */
  state: string | null;
  /** The last transition (its edges marked). */
  last?: ChartStep | null;
  /** Another machine to draw (default: errand's task machine). */
  machine?: MachineLike;
  /** The task ended failed: its (final) state is drawn in the failure colour. */
  failed?: boolean;
}

function StateNodeBox({ state, current, failed }: { state: ChartState; current: boolean; failed: boolean }) {
  const color = stateColor(current && failed ? 'failed' : state.key);
  return (
    <g data-state-node={state.key} data-current={current ? 'true' : undefined} data-failed={current && failed ? 'true' : undefined} aria-current={current ? 'true' : undefined} aria-label={`${state.key}${current ? ' (current)' : ''}`} role="listitem">
      <rect
        x={state.x - NODE_WIDTH / 2}
        y={state.y - NODE_HEIGHT / 2}
        width={NODE_WIDTH}
        height={NODE_HEIGHT}
        rx={state.final ? 4 : 17}
        fill={current ? color : colors.bg}
        stroke={color}
        strokeWidth={current ? 3 : 1.5}
      />
      {state.final ? (
        <rect x={state.x - NODE_WIDTH / 2 + 3} y={state.y - NODE_HEIGHT / 2 + 3} width={NODE_WIDTH - 6} height={NODE_HEIGHT - 6} rx={3} fill="none" stroke={current ? '#fff' : color} strokeWidth={1} />
      ) : null}
      <text x={state.x} y={state.y + 4} textAnchor="middle" fontSize={13} fontWeight={600} fill={current ? '#fff' : colors.fg}>
        {state.key}
      </text>
    </g>
  );
}

/** The task machine drawn as a statechart, the task's state filled in and the last transition in colour. */
export function TaskStatechart({ state, last = null, machine, failed = false }: TaskStatechartProps) {
  const chart = useMemo(() => statechartOf(machine), [machine]);
  const marked = new Set(edgesOfStep(chart, last));
  return (
    <svg
      viewBox={`0 0 ${chart.width} ${chart.height}`}
      width="100%"
      role="img"
      aria-label={`Statechart of the task machine${state ? `, in ${state}` : ''}`}
      data-errand-devtools="statechart"
      style={{ maxWidth: chart.width, display: 'block' }}
    >
      <defs>
        <marker id="errand-dt-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill={colors.muted} />
        </marker>
        <marker id="errand-dt-arrow-last" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill={colors.accent} />
        </marker>
      </defs>
      <g data-any-state="" aria-label="any state">
        <rect x={chart.any.x - 44} y={chart.any.y - 13} width={88} height={26} rx={13} fill="none" stroke={colors.muted} strokeDasharray="4 3" />
        <text x={chart.any.x} y={chart.any.y + 4} textAnchor="middle" fontSize={11} fill={colors.muted}>
          any state
        </text>
      </g>
      <g role="list" aria-label="Transitions">
        {chart.edges.map((edge) => {
          const path = edge;
          const isLast = marked.has(edge.id);
          return (
            <g key={edge.id} data-edge={edge.id} data-last={isLast ? 'true' : undefined} role="listitem" aria-label={`${edge.from === ANY_STATE ? 'any state' : edge.from} to ${edge.to} on ${edge.events.join(', ')}`}>
              <path d={path.path} fill="none" stroke={isLast ? colors.accent : colors.edge} strokeWidth={isLast ? 2.5 : 1.2} markerEnd={`url(#${isLast ? 'errand-dt-arrow-last' : 'errand-dt-arrow'})`} />
              <text x={path.label.x} y={path.label.y} textAnchor="middle" fontSize={9.5} fill={isLast ? colors.accent : colors.muted} fontWeight={isLast ? 700 : 400} paintOrder="stroke" stroke={colors.bg} strokeWidth={3}>
                {edge.events.map((e, i) => (
                  <tspan key={e} x={path.label.x} dy={i === 0 ? 0 : 11}>
                    {e}
                  </tspan>
                ))}
              </text>
            </g>
          );
        })}
      </g>
      <g role="list" aria-label="States">
        {chart.states.map((s) => (
          <StateNodeBox key={s.key} state={s} current={s.key === state} failed={failed} />
        ))}
      </g>
    </svg>
  );
}
