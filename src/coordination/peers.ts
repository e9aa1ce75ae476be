import type { Activations } from '../activation/activations.js';
import type { TaskCalls } from '../activation/task-calls.js';
import type { ParsedTaskQuery, TaskPage } from '../activation/task-pages.js';
import { ValidationError } from '../core/errors.js';
import type { CoordinatorPort } from '../core/ports.js';
import type { Logger, TaskSnapshot } from '../core/types.js';
import type { TaskDefinition } from '../define-task.js';
import type { AcceptedRequest } from '../persistence/accept-request.js';
import { Coordination } from './coordination.js';
import { FollowerView } from './follower-view.js';
import type { Call } from './wire.js';
import { snapshotFromWire, snapshotToWire, type WireSnapshot } from './wire-errors.js';

export interface PeersDeps {
  port: CoordinatorPort;
  logger: Logger;
  retainFinished: number;
  tasks: Activations;
  calls: TaskCalls;
  definitionFor(taskId: string): TaskDefinition | undefined;
  /** The orchestrator's own answers, as the leader gives them. */
  getTask(taskId: string): Promise<TaskSnapshot | undefined>;
  peekTasks(): TaskSnapshot[];
  /** The orchestrator is started (not before, not after shutdown). */
  started(): boolean;
  /** Leadership came after start(): the orchestrator opens its gate. */
  promoted(): void;
}

/**
 * The orchestrator's side of sharing a store with other contexts: as a follower it forwards calls to
 * the leader and shows the leader's tasks; as the leader it answers the others and posts its changes.
 */
export class Peers {
  private readonly coordination: Coordination;
  readonly view: FollowerView;
  private stopFeed: (() => void) | null = null;

  constructor(private readonly deps: PeersDeps) {
    this.view = new FollowerView(deps.tasks, deps.retainFinished);
    this.coordination = new Coordination({
      port: deps.port,
      logger: deps.logger,
      serve: (call) => this.serve(call),
      changed: (snapshots) => this.view.changed(snapshots),
      leaderAppeared: () => void this.refresh(),
      claimed: (taskId) => this.claimed(taskId),
      promoted: deps.promoted,
    });
  }

  /** Another context leads: calls go there. */
  get following(): boolean {
    return !this.coordination.leading;
  }

  openSession(open: (keepEphemeral: boolean) => Promise<void>): Promise<void> {
    return this.coordination.openSession(open);
  }

  campaign(): Promise<boolean> {
    return this.coordination.campaign();
  }

  /** This context leads from now on: the others' calls come here, and its changes go to them. */
  lead(): void {
    this.view.clear();
    this.stopFeed = this.deps.tasks.listeners.add(this.coordination.feed.push);
    this.coordination.lead();
  }

  /** Asks the leader what it has live (on start, and when a new leader appears). */
  async refresh(): Promise<void> {
    if (!this.following || !this.deps.started()) return;
    try {
      const wire = (await this.coordination.link.call({ op: 'peek' })) as WireSnapshot[];
      if (this.following) this.view.changed(wire.map(snapshotFromWire));
    } catch (error) {
      if (this.deps.started()) this.deps.logger.warn("errand: reading the leading tab's tasks failed", error);
    }
  }

  claim(taskId: string): void {
    this.coordination.claim(taskId);
  }

  /** Shutdown begins: tasks it cancels stay stored for the next leader, so the others must not see them end. */
  stopPosting(): void {
    this.stopFeed?.();
    this.stopFeed = null;
  }

  close(): void {
    this.coordination.close();
  }

  schedule({ record, onConflict }: AcceptedRequest): Promise<void> {
    return this.coordination.link.call({ op: 'schedule', record, onConflict }).then(() => undefined);
  }

  cancel(taskId: string): Promise<void> {
    return this.coordination.link.call({ op: 'cancel', taskId }).then(() => undefined);
  }

  cancelAll(): Promise<void> {
    return this.coordination.link.call({ op: 'cancelAll' }).then(() => undefined);
  }

  async get(taskId: string): Promise<TaskSnapshot | undefined> {
    const wire = (await this.coordination.link.call({ op: 'get', taskId })) as WireSnapshot | undefined;
    return wire && snapshotFromWire(wire);
  }

  async list(query: ParsedTaskQuery): Promise<TaskPage> {
    const page = (await this.coordination.link.call({ op: 'list', query })) as { tasks: WireSnapshot[]; next: string | null };
    return { tasks: page.tasks.map(snapshotFromWire), next: page.next };
  }

  /** The leader's answer to a call (in wire form: snapshots' errors cross as WireError). */
  private async serve(call: Call): Promise<unknown> {
    const { calls } = this.deps;
    switch (call.op) {
      case 'schedule': {
        const definition = this.deps.definitionFor(call.record.taskId);
        if (!definition) throw new ValidationError('taskId', `no task registered for ${call.record.taskId} in the leading tab`);
        const accepted = { record: call.record, definition, onConflict: call.onConflict };
        await (call.onConflict === 'keep' ? calls.scheduleIfAbsent(accepted, null) : calls.commit(accepted, null));
        return null;
      }
      case 'cancel':
        return calls.cancel(call.taskId);
      case 'cancelAll':
        return calls.cancelAll();
      case 'get': {
        const snapshot = await this.deps.getTask(call.taskId);
        return snapshot && snapshotToWire(snapshot);
      }
      case 'list': {
        const page = await calls.list(call.query, () => this.deps.peekTasks());
        return { tasks: page.tasks.map(snapshotToWire), next: page.next };
      }
      case 'peek':
        return this.deps.peekTasks().map(snapshotToWire);
    }
  }

  /** Another context's runNow took the TaskId over: drop this context's scheduled work or runNow for it. */
  private claimed(taskId: string): void {
    const entry = this.deps.tasks.get(taskId);
    if (entry) entry.actor.send({ type: 'CANCEL', reason: 'preempted' });
    if (!this.following && this.deps.definitionFor(taskId) !== undefined) void this.deps.calls.forget(taskId).catch(() => {});
  }
}
