import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { TaskHistory } from './task-history.js';
import type { NowSource, OrchestratorLike } from './types.js';

export interface ErrandContextValue {
  orchestrator: OrchestratorLike;
  now: () => number;
  history: TaskHistory | undefined;
}

const ErrandContext = createContext<ErrandContextValue | null>(null);
ErrandContext.displayName = 'ErrandContext';

export interface OrchestratorProviderProps {
  orchestrator: OrchestratorLike;
  /** The clock the orchestrator runs on, to timestamp timelines. Defaults to `Date.now`. */
  clock?: NowSource;
  /** An app-wide recorder (`recordTaskHistory`) that `<TaskTimeline>` reads instead of recording while mounted. */
  history?: TaskHistory;
  children?: ReactNode;
}

const dateNow = () => Date.now();

/** Makes an orchestrator available to errand's hooks and components below it. */
export function OrchestratorProvider({ orchestrator, clock, history, children }: OrchestratorProviderProps) {
  const value = useMemo<ErrandContextValue>(
    () => ({ orchestrator, now: clock ? () => clock.now() : dateNow, history }),
    [orchestrator, clock, history],
  );
  return <ErrandContext.Provider value={value}>{children}</ErrandContext.Provider>;
}

export function useErrandContext(): ErrandContextValue {
  const value = useContext(ErrandContext);
  if (!value) throw new Error('errand/react: wrap this component in <OrchestratorProvider orchestrator={...}>');
  return value;
}

/** The nearest provider's value, or null outside one (errand/devtools takes an orchestrator either way). */
export function useOptionalErrandContext(): ErrandContextValue | null {
  return useContext(ErrandContext);
}

/** The orchestrator given to the nearest `<OrchestratorProvider>`. */
export function useOrchestrator(): OrchestratorLike {
  return useErrandContext().orchestrator;
}
