export { createOrchestrator, Orchestrator } from './orchestrator.js';
export type { OrchestratorOptions, OrchestratorRole, RunNowOptions, ShutdownOptions, ScheduleRequestFor, OutputFor, TaskPage, TaskQuery } from './orchestrator.js';
export type { InspectObserver } from './actor-systems.js';
export { defineTask, type TaskDefinition, type InputOf } from './define-task.js';
export { WorkResult } from './core/work-result.js';
export {
  ErrandError,
  ValidationError,
  NotStartedError,
  AlreadyStartedError,
  TaskCancelledError,
  WorkFailedError,
  ResultUnavailableError,
  StoreOpenError,
  StoreWriteError,
  PlatformError,
  type CancelReason,
} from './core/errors.js';
export { backoffDelayMs } from './core/backoff.js';
export { systemClock, type Clock } from './core/clock.js';
export {
  unconstrainedConditions,
  unmetConstraints,
  type Conditions,
  type ConstraintName,
  type UnmetConstraint,
  type PlatformEvent,
} from './core/conditions.js';
export type {
  PlatformPort,
  StorePort,
  QuarantiningStore,
  KeptQuarantineEntry,
  StoreBatch,
  StoreRead,
  DueQuery,
  DueCursor,
  ListQuery,
  QuarantinedRecord,
  StoreOpenOptions,
  CoordinatorPort,
} from './core/ports.js';
export {
  scheduleRequestSchema,
  taskRequestSchema,
  taskRecordSchema,
  taskIdSchema,
  type ScheduleRequest,
  type TaskRequest,
  type TaskRecord,
  type Constraints,
  type BackoffPolicy,
} from './core/schemas.js';
export type { TaskListener } from './activation/listeners.js';
export type {
  TaskSnapshot,
  TaskStatus,
  Outcome,
  TaskHandle,
  ResultOptions,
  WorkContext,
  WorkerFn,
  InstantContext,
  InstantFn,
  Logger,
} from './core/types.js';
export { memoryStore, type MemoryStore } from '../adapters/stores/memory-store.js';
export { staticPlatform } from '../adapters/platforms/static-platform.js';
export { taskMachine, type TaskActor, type TaskMachine } from '../machines/task-machine.js';
export type {
  BackgroundOptions,
  BackgroundFn,
  BackgroundItemFn,
  MessageHandler,
  MessageActorOptions,
  ParallelActorOptions,
  MessageActor,
  RunForeverHandle,
  IOWorkerModule,
  IOOptions,
  IOPoolOptions,
  BackgroundDiagnostics,
  BackgroundJobActor,
  ForeverLoopActor,
  InboxActor,
} from './background/types.js';
