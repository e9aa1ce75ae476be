import type { Scenario, ScenarioExpectation } from './scenarios.js';

/** Reads the scenario a story's loader produced. */
export function scenarioOf(loaded: Record<string, unknown>): Scenario {
  const scenario = loaded['scenario'];
  if (typeof scenario !== 'object' || scenario === null || !('orchestrator' in scenario)) {
    throw new Error('story: the loader did not produce a scenario');
  }
  return scenario as Scenario;
}

/** Story parameters: what each story renders, checked by test/stories.test.tsx. */
export const expecting = (errand: ScenarioExpectation) => ({ errand });
