// Where the one-process semantics suites run: errand alone (its own store and wake-up timer) and every
// engine of test/support/engines.ts. A world is one deployment; each process() is a new orchestrator's
// store or engine on it (the same memory store, or a new member of the same fleet), for restart cases.
import type { OrchestratorOptions } from '../../src/index.js';
import { memoryStore } from '../../src/testing/index.js';
import { ENGINES } from './engines.js';

export interface World {
  process(): Pick<OrchestratorOptions, 'store' | 'engine'>;
}

export const SETUPS: { name: string; world(): World }[] = [
  {
    name: 'errand alone (memoryStore)',
    world() {
      const store = memoryStore();
      return { process: () => ({ store }) };
    },
  },
  ...ENGINES.map(({ name, fleet }) => ({
    name,
    world(): World {
      const members = fleet();
      let n = 0;
      return { process: () => ({ engine: members.member(`p${n++}`, { takesWork: true }) }) };
    },
  })),
];
