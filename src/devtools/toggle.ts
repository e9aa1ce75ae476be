// What <ErrandDevtools> is while closed: a button, and nothing else loaded, watched or rendered.
import { createElement, lazy, Suspense, useMemo, useState } from 'react';
import { useOptionalErrandContext } from '../react/context.js';
import { devtoolsSourceOf, type DevtoolsOrchestrator } from './local-source.js';
import type { DevtoolsSource } from './source.js';
import type { DevtoolsPosition } from './panel.js';

// The panel's code is fetched the first time it is opened.
const LazyPanel = lazy(() => import('./panel.js'));

export interface ErrandDevtoolsProps {
  /** Where the panel reads tasks and events (remoteDevtoolsSource for a Node process). Default: the orchestrator's. */
  source?: DevtoolsSource;
  /** The orchestrator to inspect; default the one of the nearest `<OrchestratorProvider>`. */
  orchestrator?: DevtoolsOrchestrator;
  /** Open on first render. Default false. */
  initialOpen?: boolean;
  /** Which corner of the window. Default 'bottom-right'. */
  position?: DevtoolsPosition;
  /** Formats times of day; default UTC ("09:30:05Z"). */
  formatTime?: (ms: number) => string;
  /** The task selected when the panel opens. */
  initialTaskId?: string;
}

const sources = new WeakMap<object, DevtoolsSource>();

function isDevtoolsOrchestrator(value: unknown): value is DevtoolsOrchestrator {
  return typeof value === 'object' && value !== null && ['inspect', 'now', 'actorOf', 'peekTasks', 'listTasks', 'subscribe'].every((key) => typeof (value as Record<string, unknown>)[key] === 'function');
}

/** One source per orchestrator, however often the component renders or mounts. */
function sourceFor(orchestrator: DevtoolsOrchestrator): DevtoolsSource {
  let source = sources.get(orchestrator);
  if (!source) sources.set(orchestrator, (source = devtoolsSourceOf(orchestrator)));
  return source;
}

const corners: Record<DevtoolsPosition, Record<string, number>> = {
  'bottom-right': { bottom: 12, right: 12 },
  'bottom-left': { bottom: 12, left: 12 },
  'top-right': { top: 12, right: 12 },
  'top-left': { top: 12, left: 12 },
};

/**
 * errand's devtools: a floating button that opens a panel of every task, its statechart, fields
 * and events. While closed nothing is attached to the orchestrator and the panel is not loaded.
 */
export function ErrandDevtools({ source, orchestrator, initialOpen = false, position = 'bottom-right', formatTime, initialTaskId }: ErrandDevtoolsProps) {
  const [open, setOpen] = useState(initialOpen);
  const context = useOptionalErrandContext();
  const given = orchestrator ?? context?.orchestrator;
  const resolved = useMemo(() => source ?? (isDevtoolsOrchestrator(given) ? sourceFor(given) : null), [source, given]);
  if (!open) {
    return createElement(
      'button',
      {
        type: 'button',
        'aria-label': 'Open errand devtools',
        'aria-expanded': false,
        onClick: () => setOpen(true),
        style: {
          position: 'fixed',
          ...corners[position],
          zIndex: 2147483000,
          font: '600 12px system-ui, sans-serif',
          padding: '6px 12px',
          borderRadius: 999,
          border: '1px solid #d1d9e0',
          background: '#1f2328',
          color: '#fff',
          cursor: 'pointer',
          boxShadow: '0 2px 8px rgba(0,0,0,.2)',
        },
      },
      'errand',
    );
  }
  if (!resolved) {
    return createElement(
      'p',
      { role: 'alert', style: { position: 'fixed', ...corners[position], zIndex: 2147483000, background: '#fff', padding: 8, border: '1px solid #cf222e' } },
      'errand devtools: pass source or orchestrator, or render inside <OrchestratorProvider orchestrator={...}> with an orchestrator from createOrchestrator()',
    );
  }
  return createElement(
    Suspense,
    { fallback: null },
    createElement(LazyPanel, { source: resolved, position, onClose: () => setOpen(false), ...(formatTime ? { formatTime } : {}), ...(initialTaskId ? { initialTaskId } : {}) }),
  );
}
