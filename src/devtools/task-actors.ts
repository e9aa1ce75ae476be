// What both devtools feeds (devtoolsSourceOf in a page, devtoolsServer's feed in a Node process) read off
// the task actors that orchestrator.inspect() reports.
import type { AnyActorRef } from 'xstate';
import { taskMachine, type TaskActor } from '../../machines/task-machine.js';
import type { ScheduledWork } from '../../machines/task-types.js';
import { decodeInput } from '../core/input-codec.js';
import type { ScheduleRequest } from '../core/schemas.js';

/** Inspection names actors loosely (ActorRefLike); a task's is the one whose logic is taskMachine, its id the TaskId. */
export const isTaskActor = (actorRef: unknown): actorRef is TaskActor & AnyActorRef =>
  typeof actorRef === 'object' && actorRef !== null && (actorRef as { src?: unknown }).src === taskMachine;

/** The top-level state of a machine snapshot's value ('running', or the key of a nested value). */
export function topState(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return Object.keys(value)[0] ?? '?';
  return String(value);
}

/** The request `schedule()` was given, rebuilt from the machine's scheduled work (its input decoded). */
export function requestOfWork(work: ScheduledWork): ScheduleRequest {
  let input: unknown;
  try {
    input = decodeInput(work.inputText);
  } catch {
    input = work.input;
  }
  const { request } = work;
  return input === undefined ? { ...request } : { ...request, input };
}

/** An actor's start event without its input's `env` (the orchestrator's internals, shared by every actor: noise in a log). */
export function withoutEnvironment<E extends { type: string }>(event: E): E {
  if (event.type !== 'xstate.init' || !('input' in event) || typeof event.input !== 'object' || event.input === null) return event;
  const { env: _env, ...input } = event.input as Record<string, unknown>;
  return { ...event, input };
}
