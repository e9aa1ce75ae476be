// Several orchestrators sharing one store through a coordinator (tabs of one app, here in one process
// through errand/testing's coordinatorHub): one leader runs stored work, followers forward to it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrchestrator, defineTask, TaskCancelledError, ValidationError, type Orchestrator, type TaskSnapshot } from '../src/index.js';
import { coordinatorHub, memoryStore, type CoordinatorHub, type MemoryStore } from '../src/testing/index.js';
import { aborted, deferred, failOnUnhandledRejections } from './support.js';

failOnUnhandledRejections();

const quiet = { warn: () => {}, error: () => {} };

/** One "tab": an orchestrator on the shared store, with a worker that records which tab ran what. */
function tab(hub: CoordinatorHub, store: MemoryStore, name: string, ran: string[], run?: (taskId: string, signal: AbortSignal) => Promise<unknown>) {
  const orchestrator = createOrchestrator({ store, coordinator: hub.port(), logger: quiet });
  const note = defineTask({
    id: 'note.sync',
    input: z.object({ text: z.string() }),
    run: async ({ taskId, input, signal }) => {
      ran.push(`${name}:${taskId}`);
      if (run) await run(taskId, signal);
      return `${name} synced ${input.text}`;
    },
  });
  return orchestrator.register(note);
}

async function tabs(count: number, run?: (taskId: string, signal: AbortSignal) => Promise<unknown>) {
  const hub = coordinatorHub();
  const store = memoryStore();
  const ran: string[] = [];
  const all = Array.from({ length: count }, (_, i) => tab(hub, store, `tab${i}`, ran, run));
  for (const orchestrator of all) await orchestrator.start();
  return { hub, store, ran, all };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('coordinated orchestrators (tabs sharing one store)', () => {
  it('the first to start leads, the others follow; shutdown hands leadership on', async () => {
    const { all: [a, b, c], hub } = await tabs(3);
    expect([a!.role(), b!.role(), c!.role()]).toEqual(['leader', 'follower', 'follower']);
    await a!.shutdown();
    expect(a!.role()).toBe('stopped');
    await until(() => b!.role() === 'leader', 'b to lead');
    expect(c!.role()).toBe('follower');
    expect(hub.leader()).not.toBeNull();
    await b!.shutdown();
    await c!.shutdown();
  });

  it("a follower's schedule() resolves once the leader stored it; the leader runs it once and the follower sees it live", async () => {
    const { all: [leader, follower], ran, store } = await tabs(2);
    const seen: string[] = [];
    follower!.subscribe((s) => seen.push(s.status), { taskId: 'note.sync/1' });
    const handle = await follower!.schedule({ taskId: 'note.sync/1', input: { text: 'hi' } });
    expect(handle.taskId).toBe('note.sync/1');
    await expect(handle.result()).resolves.toBe('tab0 synced hi');
    expect(ran).toEqual(['tab0:note.sync/1']);
    expect(seen).toContain('running');
    expect(seen.at(-1)).toBe('done');
    expect(follower!.peekTask('note.sync/1')).toMatchObject({ status: 'done', outcome: { ok: true, value: 'tab0 synced hi' } });
    await until(() => store.records().length === 0, 'the finished record to be deleted');
    await leader!.shutdown();
    await follower!.shutdown();
  });

  it('a follower validates locally: bad input is a ValidationError naming the field, and nothing reaches the leader', async () => {
    const { all: [leader, follower], store } = await tabs(2);
    const error = await follower!.schedule({ taskId: 'note.sync/1', input: { text: 42 } as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('input.text');
    expect(store.records()).toEqual([]);
    await leader!.shutdown();
    await follower!.shutdown();
  });

  it("the leader's errors reach the follower typed: a task only the follower registered is refused by the leader", async () => {
    const hub = coordinatorHub();
    const store = memoryStore();
    const leader = createOrchestrator({ store, coordinator: hub.port(), logger: quiet });
    const follower = createOrchestrator({ store, coordinator: hub.port(), logger: quiet }).register('only.here', async () => 'x');
    await leader.start();
    await follower.start();
    const error = await follower.schedule({ taskId: 'only.here/1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'taskId', message: expect.stringContaining('leading tab') });
    expect(store.records()).toEqual([]);
    await leader.shutdown();
    await follower.shutdown();
  });

  it("getTask and listTasks in a follower answer with the leader's live view; cancel reaches the leader's running worker", async () => {
    const started = deferred();
    let signal: AbortSignal | undefined;
    const { all: [leader, follower], store } = await tabs(2, async (_, s) => {
      signal = s;
      started.resolve();
      await aborted(s);
    });
    const handle = await follower!.schedule({ taskId: 'note.sync/1', input: { text: 'a' } });
    await follower!.schedule({ taskId: 'note.sync/2', input: { text: 'b' }, initialDelayMs: 60_000 });
    await started.promise;
    expect(await follower!.getTask('note.sync/1')).toMatchObject({ status: 'running', attempt: 1 });
    expect((await follower!.listTasks({ prefix: 'note.sync/' })).tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['note.sync/1', 'running'],
      ['note.sync/2', 'pending'],
    ]);
    const result = handle.result().catch((e: unknown) => e);
    await follower!.cancel('note.sync/1');
    expect(signal?.aborted).toBe(true);
    expect(await result).toMatchObject({ name: 'AbortError', reason: 'cancelled' });
    expect(await leader!.getTask('note.sync/1')).toMatchObject({ status: 'cancelled' });
    expect(store.records().map((r) => r.taskId)).toEqual(['note.sync/2']);
    await follower!.cancelAll();
    expect(store.records()).toEqual([]);
    await leader!.shutdown();
    await follower!.shutdown();
  });

  it("a follower's runNow runs in the follower and pre-empts the leader's scheduled work for the TaskId, and the other way round", async () => {
    const started = deferred();
    let leaderSignal: AbortSignal | undefined;
    const { all: [leader, follower], ran, store } = await tabs(2, async (_, s) => {
      leaderSignal = s;
      started.resolve();
      await aborted(s);
    });
    const handle = await leader!.schedule({ taskId: 'note.sync/1', input: { text: 'a' } });
    const result = handle.result().catch((e: unknown) => e);
    await started.promise;
    const where: string[] = [];
    await expect(follower!.runNow('note.sync/1', async () => (where.push('follower'), 'now'))).resolves.toBe('now');
    expect(where).toEqual(['follower']);
    await until(() => leaderSignal?.aborted === true, 'the leader to abort its worker');
    expect(await result).toBeInstanceOf(TaskCancelledError);
    expect(await result).toMatchObject({ reason: 'preempted' });
    await until(() => store.records().length === 0, 'the stored request to be dropped');
    expect(ran).toEqual(['tab0:note.sync/1']);

    // The leader's runNow stops a follower's runNow of the same TaskId.
    let followerSignal: AbortSignal | undefined;
    const followerRun = follower!.runNow('note.sync/2', async ({ signal }) => {
      followerSignal = signal;
      await aborted(signal);
      throw new Error('aborted');
    });
    const error = followerRun.catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    await expect(leader!.runNow('note.sync/2', async () => 'leader')).resolves.toBe('leader');
    expect(await error).toMatchObject({ name: 'AbortError', reason: 'preempted' });
    expect(followerSignal?.aborted).toBe(true);
    await leader!.shutdown();
    await follower!.shutdown();
  });

  it('failover: when the leader shuts down mid-run, the next tab leads, re-runs the interrupted task once (attempt counted) and runs the rest', async () => {
    const gate = deferred();
    const { all: [a, b], ran } = await tabs(2, async (taskId, signal) => {
      if (taskId === 'note.sync/slow' && ran.length === 1) await Promise.race([aborted(signal), gate.promise]);
    });
    await b!.schedule({ taskId: 'note.sync/slow', input: { text: 's' } });
    await until(() => ran.length === 1, 'the slow task to start');
    const later = await b!.schedule({ taskId: 'note.sync/later', input: { text: 'l' }, initialDelayMs: 50 });
    await a!.shutdown({ timeoutMs: 1_000 });
    await until(() => b!.role() === 'leader', 'b to lead');
    await expect(later.result()).resolves.toBe('tab1 synced l');
    await until(() => ran.includes('tab1:note.sync/slow'), 'the interrupted task to re-run');
    expect(ran.filter((r) => r.endsWith('note.sync/slow'))).toEqual(['tab0:note.sync/slow', 'tab1:note.sync/slow']);
    await until(() => b!.peekTask('note.sync/slow')?.status === 'done', 'the re-run to end');
    expect(b!.peekTask('note.sync/slow')).toMatchObject({ attempt: 2 });
    await b!.shutdown();
  });

  it('a call made while no tab leads is answered by the next leader', async () => {
    const { all: [a, b, c], ran } = await tabs(3);
    await a!.shutdown();
    // b leads now or soon; c's call goes to whoever leads, or waits for the next leader.
    const handle = await c!.schedule({ taskId: 'note.sync/1', input: { text: 'x' } });
    await expect(handle.result()).resolves.toBe('tab1 synced x');
    await b!.shutdown();
    await until(() => c!.role() === 'leader', 'c to lead');
    const again = await c!.schedule({ taskId: 'note.sync/2', input: { text: 'y' } });
    await expect(again.result()).resolves.toBe('tab2 synced y');
    expect(ran).toEqual(['tab1:note.sync/1', 'tab2:note.sync/2']);
    await c!.shutdown();
  });

  it("ephemeral work belongs to the session: a tab joining keeps it; the first tab of a new session erases it", async () => {
    const { all: [a], hub, store } = await tabs(1, () => new Promise(() => {}));
    await a!.schedule({ taskId: 'note.sync/eph', input: { text: 'e' }, ephemeral: true, initialDelayMs: 60_000 });
    const b = tab(hub, store, 'b', []);
    await b.start();
    expect(store.records().map((r) => r.taskId)).toEqual(['note.sync/eph']);
    await a!.shutdown();
    await b.shutdown();
    const c = tab(hub, store, 'c', []);
    await c.start();
    expect(store.records()).toEqual([]);
    await c.shutdown();
  });

  it('500 tasks scheduled from three tabs each run exactly once, in the leader', async () => {
    const { all, ran } = await tabs(3);
    const handles = await Promise.all(
      Array.from({ length: 500 }, (_, i) => all[i % 3]!.schedule({ taskId: `note.sync/${i}`, input: { text: String(i) } })),
    );
    await Promise.all(handles.map((h) => h.result()));
    expect(ran).toHaveLength(500);
    expect(new Set(ran).size).toBe(500);
    expect(ran.every((r) => r.startsWith('tab0:'))).toBe(true);
    const snapshots: TaskSnapshot[] = (await all[2]!.listTasks({ status: 'done', limit: 1_000 })).tasks;
    expect(snapshots).toHaveLength(500);
    for (const o of all) await o.shutdown();
  });
});

// Keeps the type import used when the file is type-checked alone.
export type { Orchestrator };
