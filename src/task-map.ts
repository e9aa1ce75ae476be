import type { InputSchema, TaskDefinition } from './define-task.js';

/** The task definitions an orchestrator's `register()` calls accumulate, by registered id. */
export type TaskMap = Record<string, TaskDefinition>;

/** The registered id a TaskId runs: 'email.send/42' runs 'email.send' (as TaskRegistry.definitionFor does). */
export type TaskNameOf<TId extends string> = TId extends `${infer Name}/${string}` ? Name : TId;

/** The TaskIds a map knows: its registered ids and their instances (`name/anything`). */
export type KnownTaskId<TTasks extends TaskMap> = Extract<keyof TTasks, string> | `${Extract<keyof TTasks, string>}/${string}`;

/** The definition a TaskId runs, or `unknown` when the map has none for it. */
export type DefinitionOf<TTasks extends TaskMap, TId extends string> =
  TaskNameOf<TId> extends keyof TTasks ? TTasks[TaskNameOf<TId>] : unknown;

/** What the TaskId's `run` returns on success (`unknown` for a TaskId the map does not know). */
export type OutputFor<TTasks extends TaskMap, TId extends string> =
  DefinitionOf<TTasks, TId> extends TaskDefinition<string, InputSchema, infer TOutput> ? TOutput : unknown;
