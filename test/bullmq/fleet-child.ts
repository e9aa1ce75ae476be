// One worker process of a fleet for test/bullmq/processes.test.ts: an orchestrator on bullmqEngine with one
// task definition, reporting to its parent over IPC (process.send). Run: node --import tsx fleet-child.ts
// with FLEET_CHILD set to the JSON of its ChildConfig. What a run does is chosen by the task's input.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { createOrchestrator, defineTask } from '../../src/index.js';
import { engineOn, type Target } from './fleet-target.js';

export interface ChildConfig {
  name: string;
  target: Target;
  concurrency?: number;
  /** Lock settings of its engine (default: short, so a killed worker's job comes back fast). */
  locks?: { lockDurationMs: number; stalledIntervalMs: number };
}

/**
 * noop: returns at once. sleep: waits `ms`. hang: waits for its signal. hangFirst: attempt 1 hangs (until
 * the test kills the process), later attempts return. killSelf: SIGKILLs its own process.
 */
export const modeSchema = z.enum(['noop', 'sleep', 'hang', 'hangFirst', 'killSelf']);
export type Mode = z.infer<typeof modeSchema>;

export type ChildMessage =
  | { type: 'ready'; name: string; pid: number }
  | { type: 'started'; name: string; pid: number; taskId: string; attempt: number; at: number }
  /** Batched `started` for no-op work (5,000 of them): [taskId, attempt] pairs. */
  | { type: 'ranBatch'; name: string; pid: number; runs: [string, number][] }
  | { type: 'aborted'; name: string; pid: number; taskId: string; attempt: number; at: number; reason: string }
  | { type: 'ended'; name: string; taskId: string; status: string; cancelReason: string | null }
  | { type: 'shutdown'; name: string; ms: number; error: string | null };

export type ParentMessage = { type: 'shutdown'; timeoutMs?: number };

/** Epoch ms with sub-ms resolution; the parent reads the same clock (one machine). */
const now = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const config = JSON.parse(process.env.FLEET_CHILD ?? '{}') as ChildConfig;
  const { name } = config;
  const pid = process.pid;
  const send = (message: ChildMessage): void => {
    if (process.connected) process.send?.(message);
  };

  let batch: [string, number][] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    flushTimer = null;
    if (batch.length === 0) return;
    send({ type: 'ranBatch', name, pid, runs: batch });
    batch = [];
  };

  const job = defineTask({
    id: 'job',
    input: z.object({ mode: modeSchema, ms: z.number().optional() }),
    run: async ({ taskId, attempt, signal, input }) => {
      if (input.mode === 'noop') {
        batch.push([taskId, attempt]);
        if (batch.length >= 200) flush();
        else flushTimer ??= setTimeout(flush, 20);
        return pid;
      }
      send({ type: 'started', name, pid, taskId, attempt, at: now() });
      const onAbort = (): void => send({ type: 'aborted', name, pid, taskId, attempt, at: now(), reason: String(signal.reason) });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      switch (input.mode) {
        case 'sleep':
          await sleep(input.ms ?? 10);
          return pid;
        case 'killSelf':
          process.kill(pid, 'SIGKILL');
          await sleep(60_000);
          return pid;
        case 'hangFirst':
          if (attempt > 1) return pid;
          break;
        default:
          break;
      }
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new Error('aborted');
    },
  });

  const orchestrator = createOrchestrator({
    engine: engineOn(config.target, { concurrency: config.concurrency ?? 50, ...config.locks }),
    logger: { warn: () => {}, error: (message, details) => console.error(`[${name}] ${message}`, details) },
  }).register(job);

  orchestrator.subscribe((snapshot) => {
    if (snapshot.status === 'cancelled' || snapshot.status === 'done') {
      send({ type: 'ended', name, taskId: snapshot.taskId, status: snapshot.status, cancelReason: snapshot.cancelReason });
    }
  });

  process.on('message', (raw: unknown) => {
    const message = raw as ParentMessage;
    if (message.type !== 'shutdown') return;
    const t0 = Date.now();
    flush();
    orchestrator
      .shutdown({ timeoutMs: message.timeoutMs ?? 2_000 })
      .then(
        () => send({ type: 'shutdown', name, ms: Date.now() - t0, error: null }),
        (error: unknown) => send({ type: 'shutdown', name, ms: Date.now() - t0, error: String(error) }),
      )
      .finally(() => {
        if (flushTimer) clearTimeout(flushTimer);
        process.disconnect?.();
        setTimeout(() => process.exit(0), 50).unref();
      });
  });
  // The parent went away (a failed test): do not linger.
  process.on('disconnect', () => setTimeout(() => process.exit(0), 3_000).unref());

  await orchestrator.start();
  send({ type: 'ready', name, pid });
}

// The test imports this module's types only (`import type`), so this runs only in a child.
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
