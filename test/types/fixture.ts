// Tasks for the type tests (test/**/*.test-d.ts): never run, only type-checked.
import { z } from 'zod';
import { createOrchestrator, defineTask } from '../../src/index.js';

export const sync = defineTask({
  id: 'app.sync',
  input: z.object({ since: z.number(), full: z.boolean().optional() }),
  run: async ({ input }) => ({ synced: input.since }),
});

/** Input optional: the request may be left out. */
export const report = defineTask({
  id: 'report',
  input: z.object({ week: z.number() }).optional(),
  run: () => 'sent' as const,
});

/** No schema: no input. */
export const ping = defineTask({ id: 'ping', run: () => 42 });

export const orchestrator = createOrchestrator().register(sync).register(report).register(ping).register('legacy', () => 'x');
export type AppOrchestrator = typeof orchestrator;
