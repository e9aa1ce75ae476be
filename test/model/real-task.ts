/**
 * One real orchestrator (test clock, test platform, memory store) with one registered task,
 * driven by model events and compared with the model after every step.
 */
import { expect } from 'vitest';
import { isMachineSnapshot, type InspectionEvent } from 'xstate';
import { taskMachine, type TaskMachineSnapshot } from '../../machines/task-machine.js';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { MAX_TIMER_MS } from '../../src/core/clock.js';
import { memoryStore, testClock, testPlatform } from '../../src/testing/index.js';
import { toTaskSnapshot } from '../../src/activation/task-snapshot.js';
import { deferred } from '../support.js';
import {
  INITIAL_STATE,
  OUTPUTS,
  PROGRESS_VALUE,
  RANDOM,
  T0,
  TASK_ID,
  THROWN,
  VARIANTS,
  currentRun,
  currentTicket,
  followMicrostep,
  nextTimer,
  OTHER_ID,
  staleRun,
  type CallerState,
  type ModelContext,
  type ModelEvent,
  type ModelRun,
} from './task-model.js';

interface RealCall {
  instant: boolean;
  attempt: number | null;
  signal: AbortSignal;
  resolved: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  setProgress(value: number): void;
}

interface RealCaller {
  controller: AbortController;
  state: CallerState;
}

const summary = (run: Pick<ModelRun, 'instant' | 'attempt' | 'aborted' | 'resolved'>) => ({
  instant: run.instant,
  attempt: run.attempt,
  aborted: run.aborted,
  resolved: run.resolved,
});

export class RealTask {
  readonly clock = testClock(T0);
  readonly platform = testPlatform();
  readonly store = memoryStore();
  readonly orchestrator: Orchestrator;
  readonly calls: RealCall[] = [];
  readonly callers: RealCaller[] = [];
  readonly logged: string[] = [];
  /** Machine transitions the task actors took during the current step (from inspection). */
  edges: string[] = [];
  /** States the task actors entered, over the whole walk. */
  readonly statesEntered = new Set<string>([INITIAL_STATE]);
  private readonly stateOf = new Map<string, string>();
  /** The worker of the other TaskId's runNow, while it holds the worker slot. */
  private other: { resolve(value: unknown): void } | null = null;

  constructor() {
    this.orchestrator = createOrchestrator({
      clock: this.clock,
      platform: this.platform,
      store: this.store,
      random: () => RANDOM,
      // Every task stays active: the model walks one actor's machine, passivation is tested elsewhere.
      activationHorizonMs: MAX_TIMER_MS,
      // One worker slot in all, so a runNow of another TaskId (OTHER_RUN) makes the task wait for it.
      maxConcurrentWorkers: 1,
      logger: {
        warn: (message) => void this.logged.push(`warn: ${message}`),
        error: (message) => void this.logged.push(`error: ${message}`),
      },
      inspect: (event) => this.onInspect(event),
    });
    this.orchestrator.register(TASK_ID, (context) => this.call(false, context.attempt, context.signal, (v) => context.setProgress(v)));
  }

  private call(instant: boolean, attempt: number | null, signal: AbortSignal, setProgress: (value: number) => void) {
    const settled = deferred<unknown>();
    const call: RealCall = {
      instant,
      attempt,
      signal,
      resolved: false,
      resolve: (value) => {
        call.resolved = true;
        settled.resolve(value);
      },
      reject: (error) => {
        call.resolved = true;
        settled.reject(error);
      },
      setProgress,
    };
    this.calls.push(call);
    return settled.promise;
  }

  private onInspect(event: InspectionEvent): void {
    if (event.type !== '@xstate.microstep' || !isMachineSnapshot(event.snapshot) || event.snapshot.machine !== taskMachine) return;
    if ((event.snapshot as TaskMachineSnapshot).context.taskId !== TASK_ID) return; // the other TaskId's actor is not modelled
    const session = event.actorRef.sessionId;
    const step = followMicrostep(this.stateOf.get(session) ?? INITIAL_STATE, event._transitions);
    this.stateOf.set(session, step.to);
    this.statesEntered.add(step.to);
    this.edges.push(...step.edges);
  }

  /** Does in the real world what `event` models; `before` is the model state it applies to. */
  async apply(event: ModelEvent, before: ModelContext): Promise<void> {
    this.edges = [];
    const callOf = (which: 'current' | 'stale') => {
      const run = which === 'current' ? currentRun(before) : staleRun(before);
      const call = run && this.calls[run.index];
      if (!call) throw new Error(`no real call for the ${which} run`);
      return call;
    };
    switch (event.type) {
      case 'START':
        await this.orchestrator.start();
        break;
      case 'SCHEDULE':
        await this.orchestrator.schedule(VARIANTS[event.variant]);
        break;
      case 'RUN_NOW': {
        const caller: RealCaller = { controller: new AbortController(), state: { state: 'pending' } };
        this.callers.push(caller);
        this.orchestrator
          .runNow(TASK_ID, (context) => this.call(true, null, context.signal, () => {}), { signal: caller.controller.signal })
          .then(
            (value) => void (caller.state = { state: 'resolved', value }),
            (error: unknown) => void (caller.state = { state: 'rejected', error }),
          );
        break;
      }
      case 'CANCEL':
        await this.orchestrator.cancel(TASK_ID);
        break;
      case 'SHUTDOWN':
        // Resolves only once aborted workers settle (or its timeout passes on the test clock).
        void this.orchestrator.shutdown();
        break;
      case 'CALLER_ABORTED': {
        const ticket = currentTicket(before);
        const caller = ticket === undefined ? undefined : this.callers[ticket - 1];
        if (!caller) throw new Error('no real caller to abort');
        caller.controller.abort();
        break;
      }
      case 'NETWORK':
        this.platform.push({ type: 'network', online: event.online });
        break;
      case 'TIMER': {
        const timer = nextTimer(before);
        if (!timer) throw new Error('no timer to fire');
        await this.clock.advance(timer.dueAt - this.clock.now());
        break;
      }
      case 'WORK_DONE':
        callOf(event.run).resolve(OUTPUTS[event.output]);
        break;
      case 'WORK_FAILED':
        callOf(event.run).reject(THROWN);
        break;
      case 'PROGRESS':
        callOf(event.run).setProgress(PROGRESS_VALUE);
        break;
      case 'OTHER_RUN': {
        const settled = deferred<unknown>();
        this.other = settled;
        // Shutdown rejects it (TaskCancelledError); nobody waits for it.
        this.orchestrator.runNow(OTHER_ID, () => settled.promise).catch(() => {});
        break;
      }
      case 'OTHER_DONE':
        this.other?.resolve('other done');
        this.other = null;
        break;
    }
    await this.clock.flush();
  }

  /** Everything observable about the TaskId matches the model. */
  expectMatches(model: ModelContext, where: string): void {
    expect(this.orchestrator.peekTask(TASK_ID), `${where}: peekTask()`).toEqual(model.task ? toTaskSnapshot(model.task) : undefined);
    expect(this.edges, `${where}: machine transitions taken`).toEqual(model.edges);
    expect(
      this.calls.map((call) => summary({ ...call, aborted: call.signal.aborted })),
      `${where}: worker calls`,
    ).toEqual(model.runs.map(summary));
    expect(
      this.callers.map((caller) => caller.state),
      `${where}: runNow callers`,
    ).toEqual(model.callers);
    expect(
      this.store.records().map(({ taskId, status, attempt, dueAt, request }) => ({ taskId, status, attempt, dueAt, request })),
      `${where}: stored records`,
    ).toEqual(model.stored ? [model.stored] : []);
    if (!model.stopped) {
      // After shutdown the clock also holds shutdown's own timeout.
      expect(this.clock.now(), `${where}: clock`).toBe(model.now);
      expect(this.clock.pendingTimers(), `${where}: timers armed`).toBe(model.timers.length);
      expect(this.clock.nextDueAt(), `${where}: next timer`).toBe(nextTimer(model)?.dueAt ?? null);
    }
    expect(this.logged, `${where}: logged`).toEqual([]);
  }
}
