import { useState, useSyncExternalStore, type ReactNode } from 'react';
import { OrchestratorProvider, TaskBoard, TaskTimeline, formatTimeUtc } from '../src/react/index.js';
import { SCENARIO_START, type Scenario } from './scenarios.js';

const elapsed = (scenario: Scenario) => `${((scenario.clock.now() - SCENARIO_START) / 1000).toFixed(1)} s`;

/** Notes can be added while the story runs (step-through); re-read them on every task change. */
function useNotes(scenario: Scenario): string {
  return useSyncExternalStore(
    (onChange) => scenario.orchestrator.subscribe(onChange),
    () => scenario.notes.join('\n'),
    () => scenario.notes.join('\n'),
  );
}

/** A scenario as a story shows it: the board, the focus task's timeline and what callers saw. */
export function ScenarioView({ scenario, children }: { scenario: Scenario; children?: ReactNode }) {
  const notes = useNotes(scenario);
  return (
    <OrchestratorProvider orchestrator={scenario.orchestrator} clock={scenario.clock} history={scenario.history}>
      <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 880 }}>
        <h2 style={{ margin: '0 0 4px' }}>{scenario.title}</h2>
        <p style={{ margin: '0 0 12px', color: '#59636e' }}>{scenario.description}</p>
        {children ?? (
          <p style={{ margin: '0 0 12px' }}>
            Simulated time: <output aria-label="Simulated time">{elapsed(scenario)}</output> (
            {formatTimeUtc(scenario.clock.now())})
          </p>
        )}
        <TaskBoard formatTime={formatTimeUtc} />
        <div style={{ height: 16 }} />
        <TaskTimeline taskId={scenario.focus} />
        {notes ? (
          <section aria-label="What callers saw" style={{ marginTop: 16 }}>
            <h3 style={{ fontSize: 14, margin: '0 0 6px' }}>What callers saw</h3>
            <ul>
              {notes.split('\n').map((note, i) => (
                <li key={i}>{note}</li>
              ))}
            </ul>
          </section>
        ) : null}
      </main>
    </OrchestratorProvider>
  );
}

/** Buttons that move the simulated clock; the board follows. */
export function StepControls({ scenario }: { scenario: Scenario }) {
  const [busy, setBusy] = useState(false);
  const [, setTick] = useState(0);
  const step = async (move: () => Promise<void>) => {
    setBusy(true);
    try {
      await move();
    } finally {
      setBusy(false);
      setTick((n) => n + 1);
    }
  };
  return (
    <div role="group" aria-label="Simulated clock" style={{ display: 'flex', gap: 8, alignItems: 'center', margin: '0 0 12px' }}>
      <button type="button" disabled={busy} onClick={() => void step(() => scenario.clock.advance(1_000))}>
        Advance 1 s
      </button>
      <button type="button" disabled={busy} onClick={() => void step(() => scenario.clock.runAll())}>
        Run to the end
      </button>
      <span>
        Simulated time: <output aria-label="Simulated time">{elapsed(scenario)}</output>
      </span>
    </div>
  );
}
