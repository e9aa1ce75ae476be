// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { taskMachine } from '../../machines/task-machine.js';
import { ANY_STATE, edgesOfStep, statechartOf } from '../../src/devtools/statechart.js';
import { TaskStatechart } from '../../src/devtools/statechart-view.js';

afterEach(() => cleanup());

describe('statechartOf(taskMachine)', () => {
  it("draws every top-level state of the machine, and every transition's target", () => {
    const chart = statechartOf();
    expect(chart.states.map((s) => s.key)).toEqual(Object.keys(taskMachine.root.states));
    // Each transition the machine defines (root ones from any state) has an edge with its event.
    for (const [from, node] of [[ANY_STATE, taskMachine.root] as const, ...Object.entries(taskMachine.root.states)]) {
      for (const [eventType, transitions] of node.transitions) {
        for (const t of transitions) for (const target of t.target ?? []) {
          const edge = chart.edges.find((e) => e.id === `${from}>${target.path[0]}`);
          expect(edge?.events, `${from} -> ${target.path[0]} on ${eventType}`).toContain(eventType.startsWith('xstate.after.') ? 'after untilNextRun' : eventType);
        }
      }
    }
    expect(chart.edges.find((e) => e.id === '*>running')?.events).toEqual(['RUN_NOW']);
    expect(chart.edges.find((e) => e.id === 'running>constrained')?.events).toEqual(['CONDITIONS_CHANGED']);
    expect(chart.edges.find((e) => e.id === 'pending>running')?.events).toEqual(['GATE_OPENED', 'after untilNextRun', 'always']);
    expect(chart.states.filter((s) => s.final).map((s) => s.key).sort()).toEqual(['cancelled', 'done']);
  });

  it('follows a machine that gains a state: drawn, with its transitions', () => {
    const machine = createMachine({
      initial: 'a',
      on: { RESET: '.a' },
      states: { a: { on: { GO: 'b' } }, b: { after: { 1000: 'c' } }, c: { always: 'a' } },
    });
    const chart = statechartOf(machine);
    expect(chart.states.map((s) => s.key)).toEqual(['a', 'b', 'c']);
    expect(chart.edges.map((e) => `${e.id}:${e.events.join('|')}`)).toEqual(['*>a:RESET', 'a>b:GO', 'b>c:after 1000', 'c>a:always']);
    // Laid out left to right without overlapping.
    const xs = chart.states.map((s) => s.x);
    expect([...xs].sort((p, q) => p - q)).toEqual(xs);
    expect(new Set(xs).size).toBe(3);
  });

  it('marks the edges a step took: a pre-empting runNow, a root transition then an eventless one', () => {
    const chart = statechartOf();
    expect(edgesOfStep(chart, { from: 'running', to: 'running', type: 'RUN_NOW' })).toEqual(['*>running']);
    expect(edgesOfStep(chart, { from: 'running', to: 'constrained', type: 'CONDITIONS_CHANGED' })).toEqual(['running>constrained']);
    expect(edgesOfStep(chart, { from: 'done', to: 'running', type: 'SCHEDULE' })).toEqual(['*>pending', 'pending>running']);
    expect(edgesOfStep(chart, { from: 'running', to: 'running', type: 'PROGRESS' })).toEqual([]);
    expect(edgesOfStep(chart, { from: null, to: 'pending', type: 'xstate.init' })).toEqual([]);
  });
});

describe('<TaskStatechart>', () => {
  it('highlights the current state and the last transition, and draws every state', () => {
    const { container } = render(<TaskStatechart state="backoff" last={{ from: 'running', to: 'backoff', type: 'WORK_FAILED' }} />);
    const nodes = Array.from(container.querySelectorAll('[data-state-node]')).map((n) => n.getAttribute('data-state-node'));
    expect(nodes).toEqual(Object.keys(taskMachine.root.states));
    const current = container.querySelectorAll('[aria-current="true"]');
    expect(Array.from(current).map((n) => n.getAttribute('data-state-node'))).toEqual(['backoff']);
    expect(Array.from(container.querySelectorAll('[data-last="true"]')).map((n) => n.getAttribute('data-edge'))).toEqual(['running>backoff']);
    expect(container.querySelector('svg')?.getAttribute('aria-label')).toBe('Statechart of the task machine, in backoff');
  });
});
