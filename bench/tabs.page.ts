// The page of bench/tabs.bench.ts, bundled by esbuild and run in headless Chromium: one tab of an app whose
// tabs share an indexedDbStore through tabCoordinator (errand mode), or a plain page holding or waiting on one
// Web Lock (raw mode, the platform primitive tabCoordinator's failover rests on). Times are Date.now() (epoch
// ms), read in the page, so that the bench (Node, same machine, same system clock) can subtract its own.
import { channelName } from '../adapters/coordination/names.js';
import { indexedDbStore, tabCoordinator } from '../src/browser/index.js';
import type { CoordinatorPort } from '../src/core/ports.js';
import { createOrchestrator, defineTask } from '../src/index.js';

/** What one errand tab saw, as epoch ms (null: not yet). */
export interface TabTimes {
  /** tabCoordinator's leader lock was granted to this tab (its `lead` callback ran). */
  granted: number | null;
  /** `orchestrator.role()` became 'leader' (heard as the 'leader' message the orchestrator posts then). */
  leader: number | null;
  /** The worker of the waiting stored task started in this tab. */
  waitingStarted: number | null;
  role: string;
}

/** The stored task the follower schedules right before the leader goes; the new leader must run it. */
const WAITING = 'work/waiting';

let times: TabTimes = { granted: null, leader: null, waitingStarted: null, role: 'none' };

const work = defineTask({
  id: 'work',
  run: ({ taskId }) => {
    if (taskId === WAITING && times.waitingStarted === null) times.waitingStarted = Date.now();
    return taskId;
  },
});

/** tabCoordinator, with the moment its leader lock is granted noted. */
function timedCoordinator(name: string): CoordinatorPort {
  const port = tabCoordinator({ name });
  return {
    ...port,
    lead: (onLead) =>
      port.lead(() => {
        times.granted = Date.now();
        onLead();
      }),
  };
}

/**
 * maxConcurrentWorkers 1: the leader fills its one slot with a runNow that never ends (held in memory, not
 * stored), so a task scheduled due now waits in the store (`constrained`, 'concurrency') until another tab leads.
 */
const build = (name: string) =>
  createOrchestrator({ store: indexedDbStore({ name }), coordinator: timedCoordinator(name), maxConcurrentWorkers: 1 }).register(work);
let orchestrator: ReturnType<typeof build> | null = null;

const never = () => new Promise<never>(() => {});

let rawGranted: number | null = null;

const bench = {
  /** Starts this tab's orchestrator on app `name`; resolves with its role. */
  async start(name: string): Promise<string> {
    times = { granted: null, leader: null, waitingStarted: null, role: 'none' };
    const started = build(name);
    orchestrator = started;
    // A BroadcastChannel hears the messages of the page's other BroadcastChannel objects of the same name,
    // the orchestrator's own included: its 'leader' message is posted as its role turns to 'leader'.
    const listen = new BroadcastChannel(channelName(name));
    listen.addEventListener('message', (event: MessageEvent<{ kind?: unknown }>) => {
      if (event.data?.kind !== 'leader' || times.leader !== null || orchestrator?.role() !== 'leader') return;
      times.leader = Date.now();
    });
    await started.start();
    return started.role();
  },
  /** In the leader: fills its only worker slot with a runNow that never ends; resolves once it runs. */
  async hold(): Promise<void> {
    const o = orchestrator!;
    if (o.role() !== 'leader') throw new Error(`hold() in a ${o.role()}`);
    await new Promise<void>((running) => {
      o.runNow('hold/slot', () => (running(), never())).catch(() => {});
    });
  },
  /** In a follower: schedules the waiting task, due now; resolves once the leader has stored it. */
  async scheduleWaiting(): Promise<void> {
    await orchestrator!.schedule({ taskId: WAITING });
  },
  /** The waiting task as this tab sees it: status and what holds it back. */
  async waiting(): Promise<string> {
    const task = await orchestrator!.getTask(WAITING);
    return task ? `${task.status}${task.unmetConstraints.length > 0 ? `(${task.unmetConstraints.join(',')})` : ''}` : 'none';
  },
  times(): TabTimes {
    return { ...times, role: orchestrator?.role() ?? 'none' };
  },

  /** Raw: takes Web Lock `name` and holds it until the page goes; resolves once granted. */
  rawHold(name: string): Promise<void> {
    return new Promise<void>((granted) => {
      void navigator.locks.request(name, () => (granted(), never()));
    });
  },
  /** Raw: asks for Web Lock `name` (held by another page) and notes when it is granted. */
  rawWait(name: string): void {
    rawGranted = null;
    void navigator.locks.request(name, () => ((rawGranted = Date.now()), never()));
  },
  rawGranted: (): number | null => rawGranted,
  /** Raw: whether this page's request for `name` is queued (so the grant below follows the holder's end). */
  async rawPending(name: string): Promise<boolean> {
    const state = await navigator.locks.query();
    return (state.pending ?? []).some((lock) => lock.name === name);
  },
};

export type TabsBench = typeof bench;
(globalThis as { errandTabsBench?: TabsBench }).errandTabsBench = bench;
