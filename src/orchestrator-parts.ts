import { memoryStore } from '../adapters/stores/memory-store.js';
import type { TaskEnvironment } from '../machines/task-environment.js';
import { Activations } from './activation/activations.js';
import { TaskCalls } from './activation/task-calls.js';
import { WorkPause } from './activation/work-pause.js';
import { WakeUp } from './activation/wake-up.js';
import { EngineWakeUp, engineHost } from './activation/engine-wake-up.js';
import { WorkerSlots } from './activation/worker-slots.js';
import type { ActorSystemPool } from './actor-systems.js';
import { systemClock, type Clock } from './core/clock.js';
import type { ResolvedOrchestratorOptions } from './core/options.js';
import type { StorePort } from './core/ports.js';
import type { Logger } from './core/types.js';
import { Persister } from './persistence/persister.js';
import { PlatformLink } from './platform-link.js';
import { StoreFindings } from './store-findings.js';
import type { TaskRegistry } from './task-registry.js';

/** What the parts ask of the orchestrator's phase. */
export interface PhaseView {
  /** The ready gate is open: due work may run. */
  started(): boolean;
  stopped(): boolean;
  /** Opens the store once; later calls share the first. */
  openStore(): Promise<void>;
}

/** The orchestrator's working parts, wired to each other; the orchestrator keeps the API and phases. */
export interface OrchestratorParts {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: StorePort;
  readonly findings: StoreFindings;
  readonly persister: Persister;
  readonly tasks: Activations;
  readonly calls: TaskCalls;
  /** errand's own wake-up timer over the store, or an engine's dispatcher in its place. */
  readonly wakeUp: Pick<WakeUp, 'dormantAt' | 'scan' | 'stop'>;
  readonly platform: PlatformLink;
  readonly pause: WorkPause;
  /** Every worker and instant run in flight, so shutdown can wait for them. */
  readonly inflight: Set<Promise<unknown>>;
}

/**
 * Wires store, persister, activations, calls, wake-up and platform together. The wiring is
 * circular (activations tell the wake-up timer of tasks going dormant, the wake-up timer
 * activates through the calls, the platform wakes the activations), so late-bound parts are
 * reached through closures.
 */
export function assembleParts(
  options: ResolvedOrchestratorOptions,
  systems: ActorSystemPool,
  registry: TaskRegistry,
  phase: PhaseView,
): OrchestratorParts {
  const clock = options.clock ?? systemClock;
  const { logger, activationHorizonMs: horizonMs } = options;
  const { engine } = options;
  const store = engine?.store ?? options.store ?? memoryStore();
  const findings = new StoreFindings(logger);
  const persister = new Persister(store, phase.openStore, logger);
  const inflight = new Set<Promise<unknown>>();
  let tasks: Activations | undefined;
  let wakeUp: Pick<WakeUp, 'dormantAt' | 'scan' | 'stop'> | undefined;
  const platform = new PlatformLink(options.platform, () => {
    for (const actor of tasks?.watchers() ?? []) actor.send({ type: 'CONDITIONS_CHANGED' });
  });
  const pause = new WorkPause(() => tasks);
  const dormantAt = (dueAt: number): void => wakeUp?.dormantAt(dueAt);
  const afterWrites = (then: () => void): void => void persister.written().then(then, then);
  const slots = new WorkerSlots({
    maxConcurrentWorkers: options.maxConcurrentWorkers,
    definitionFor: registry.definitionFor,
    anyTaskLimit: registry.anyTaskLimit,
    gateOpen: phase.started,
  });
  const env: TaskEnvironment = {
    now: () => clock.now(),
    conditions: () => platform.conditions,
    gateOpen: phase.started,
    paused: () => pause.paused,
    random: options.random,
    track: (work) => void inflight.add(work),
    untrack: (work) => void inflight.delete(work),
    slots,
  };
  tasks = new Activations({
    env,
    slots,
    systems,
    persister,
    logger,
    horizonMs,
    retainFinished: options.retainFinished,
    definitionFor: registry.definitionFor,
    held: (taskId, reason) => findings.held(taskId, reason),
    // The engine takes the work back only once this process's last writes for it are stored: a
    // process that takes it next must not read (and run) what this one already moved past.
    wentDormant: engine ? (record) => afterWrites(() => engine.dispatch.dormant(record)) : (record) => dormantAt(record.dueAt),
    ended: engine ? (snapshot) => afterWrites(() => engine.dispatch.finished(snapshot)) : undefined,
  });
  const calls = new TaskCalls({
    store,
    persister,
    tasks,
    wakeUp: { dormantAt },
    logger,
    open: phase.openStore,
    quarantined: (items) => findings.quarantined(items),
    stopped: phase.stopped,
    engine: engine?.dispatch,
  });
  const host = engineHost({
    calls,
    tasks,
    definitionFor: registry.definitionFor,
    running: () => phase.started() && !phase.stopped(),
    conditions: () => platform.conditions,
    paused: () => pause.paused,
  });
  wakeUp = engine ? new EngineWakeUp(engine.dispatch, host) : new WakeUp({
    store,
    clock,
    logger,
    horizonMs,
    ops: calls.ops,
    flushed: () => persister.written(),
    isActive: (taskId) => calls.isActive(taskId),
    activate: (record) => calls.activate(record),
    quarantined: (items) => findings.quarantined(items),
    running: phase.started,
  });
  return { clock, logger, store, findings, persister, tasks, calls, wakeUp, platform, pause, inflight };
}
