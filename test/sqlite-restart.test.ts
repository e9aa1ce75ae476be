// The orchestrator over a real SQLite file, across "processes" (orchestrators opened one after the
// other on the same file): restart semantics end to end, with the file as the only thing shared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/node/index.js';
import { testClock } from '../src/testing/index.js';
import { failOnUnhandledRejections, setup } from './support.js';

failOnUnhandledRejections();

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'errand-restart-'));
  dirs.push(dir);
  return join(dir, 'tasks.db');
}

describe('restarts on sqliteStore', () => {
  it('keeps dormant work in the file, erases ephemeral work, and runs what fell due while down', async () => {
    const path = file();
    const clock = testClock();
    const first = setup({ store: sqliteStore({ path }), clock, activationHorizonMs: 1_000 });
    first.orchestrator.register('mail', async () => 'sent');
    await first.orchestrator.start();
    await first.orchestrator.schedule({ taskId: 'mail/soon', input: { at: new Date(0) }, initialDelayMs: 60_000 });
    await first.orchestrator.schedule({ taskId: 'mail/later', initialDelayMs: 24 * 60 * 60_000 });
    await first.orchestrator.schedule({ taskId: 'mail/warm', initialDelayMs: 60_000, ephemeral: true });
    expect(first.orchestrator.diagnostics().liveTasks).toBe(0);
    await first.orchestrator.shutdown();

    await clock.advance(2 * 60_000);
    const second = setup({ store: sqliteStore({ path }), clock, activationHorizonMs: 1_000 });
    const seen: unknown[] = [];
    second.orchestrator.register('mail', async ({ taskId, input }) => void seen.push([taskId, input]));
    await second.orchestrator.start();
    await clock.flush();
    expect(seen).toEqual([['mail/soon', { at: new Date(0) }]]);
    expect(await second.orchestrator.getTask('mail/warm')).toBeUndefined();
    expect(await second.orchestrator.getTask('mail/later')).toMatchObject({ status: 'pending', nextRunAt: expect.any(Number) });
    await second.orchestrator.shutdown();
  });

  it('counts a run cut off by a crash, and ends the task once maxAttempts runs were cut off', async () => {
    const path = file();
    const clock = testClock();
    const attempts: number[] = [];
    for (let crash = 0; crash < 3; crash++) {
      const store = sqliteStore({ path });
      const { orchestrator } = setup({ store, clock });
      orchestrator.register('import', ({ attempt }) => {
        attempts.push(attempt);
        return new Promise(() => {}); // the process dies while it runs
      });
      await orchestrator.start();
      if (crash === 0) await orchestrator.schedule({ taskId: 'import', backoff: { maxAttempts: 2 } });
      await clock.flush();
      if (crash === 2) {
        expect(await orchestrator.getTask('import')).toMatchObject({ status: 'done', attempt: 2, interrupted: 2 });
      }
      await store.close(); // a crash: the file keeps what was committed, nothing is shut down
    }
    expect(attempts).toEqual([1, 2]);
  });
});
