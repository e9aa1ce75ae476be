import { describe, expectTypeOf, it } from 'vitest';
import type { Orchestrator, Outcome, TaskHandle, TaskSnapshot } from '../../src/index.js';
import {
  createTaskHooks,
  OrchestratorProvider as LooseProvider,
  useTask as looseUseTask,
  useTasks as looseUseTasks,
  type OrchestratorLike,
  type TaskFilter,
  type UseTaskResult,
} from '../../src/react/index.js';
import { orchestrator, type AppOrchestrator } from './fixture.js';

const { OrchestratorProvider, useOrchestrator, useTask, useTasks, useTaskTimeline } = createTaskHooks<AppOrchestrator>();

describe('createTaskHooks: useTask', () => {
  it('accepts registered ids and their instances', () => {
    useTask('app.sync');
    useTask('app.sync/42');
    useTask('legacy');
    const photo: string = 'p1';
    expectTypeOf(useTask(`app.sync/${photo}`).task?.taskId).toEqualTypeOf<`app.sync/${string}` | undefined>();
  });

  it('rejects a mistyped TaskId', () => {
    // @ts-expect-error not registered
    useTask('app.snyc');
    // @ts-expect-error an instance of nothing registered
    useTask('nope/1');
    const id: string = 'app.sync';
    // @ts-expect-error any string is not known to be registered
    useTask(id);
  });

  it('requires the input the schema requires, typed by it', () => {
    const { schedule } = useTask('app.sync');
    void schedule({ input: { since: 1 } });
    void schedule({ input: { since: 1 }, constraints: { network: 'unmetered' } });
    // @ts-expect-error the request is required: so is its input
    void schedule();
    // @ts-expect-error input is required
    void schedule({ initialDelayMs: 5 });
    // @ts-expect-error since is a number
    void schedule({ input: { since: 'yesterday' } });
  });

  it('rejects a wrong input key (the issue: sinse)', () => {
    // @ts-expect-error 'sinse' is not in app.sync's schema
    void useTask('app.sync').schedule({ input: { sinse: 1 } });
    // @ts-expect-error an instance takes its definition's input
    void useTask('app.sync/7').schedule({ input: { sinse: 1 } });
  });

  it('lets the request be left out when the input is optional', () => {
    void useTask('report').schedule();
    void useTask('report').schedule({ input: { week: 2 } });
    void useTask('ping').schedule();
    // @ts-expect-error report's input is { week: number } | undefined
    void useTask('report').schedule({ input: { day: 2 } });
  });

  it('binds the TaskId: the request has none', () => {
    // @ts-expect-error taskId comes from useTask
    void useTask('ping').schedule({ taskId: 'ping' });
  });

  it('resolves schedule() to a handle whose result() is typed by the task, as the orchestrator does', () => {
    expectTypeOf(useTask('ping').schedule()).toEqualTypeOf<Promise<TaskHandle<number>>>();
    expectTypeOf(useTask('app.sync/1').schedule({ input: { since: 1 } })).toEqualTypeOf<Promise<TaskHandle<{ synced: number }>>>();
    expectTypeOf(useTask('ping').schedule()).toEqualTypeOf(orchestrator.schedule({ taskId: 'ping' }));
  });

  it('types the snapshot: taskId, and the outcome of scheduled runs by run()', () => {
    const { task } = useTask('app.sync/42');
    if (!task) return;
    expectTypeOf(task.taskId).toEqualTypeOf<'app.sync/42'>();
    expectTypeOf(task).toExtend<TaskSnapshot>(); // still fits TaskSnapshot (TaskProgress, describeTask)
    if (task.kind !== 'instant' && task.outcome?.ok) expectTypeOf(task.outcome.value).toEqualTypeOf<{ synced: number }>();
    if (task.kind === 'instant') expectTypeOf(task.outcome).toEqualTypeOf<Outcome | null>(); // runNow's fn returned it
    const ping = useTask('ping').task;
    if (ping?.kind === 'oneTime' && ping.outcome?.ok) expectTypeOf(ping.outcome.value).toEqualTypeOf<number>();
    const legacy = useTask('legacy').task;
    if (legacy?.kind === 'periodic' && legacy.outcome?.ok) expectTypeOf(legacy.outcome.value).toBeUnknown(); // register(id, run)
  });

  it('types runNow by fn and cancel as before', () => {
    expectTypeOf(useTask('ping').runNow(() => 'now')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(useTask('ping').cancel()).toEqualTypeOf<Promise<void>>();
  });
});

describe('createTaskHooks: useTasks, provider and the rest', () => {
  it('types the snapshots of one task by a name/… prefix', () => {
    const syncs = useTasks({ prefix: 'app.sync/' });
    const first = syncs[0];
    if (first?.kind === 'oneTime' && first.outcome?.ok) expectTypeOf(first.outcome.value).toEqualTypeOf<{ synced: number }>();
    expectTypeOf(useTasks({ prefix: 'app.sync/4', status: 'done' })[0]?.taskId).toEqualTypeOf<`app.sync/4${string}` | undefined>();
  });

  it('lists plain snapshots for other filters', () => {
    expectTypeOf(useTasks()).toEqualTypeOf<readonly TaskSnapshot[]>();
    expectTypeOf(useTasks({ status: ['done', 'cancelled'] })).toEqualTypeOf<readonly TaskSnapshot[]>();
    expectTypeOf(useTasks((t) => t.status === 'running')).toEqualTypeOf<readonly TaskSnapshot[]>();
    // 'app.sync' also prefixes other ids ('app.sync2'): not narrowed.
    expectTypeOf(useTasks({ prefix: 'app.sync' })).toEqualTypeOf<readonly TaskSnapshot[]>();
    const listOf = (filter?: TaskFilter) => useTasks(filter); // a filter passed along as a TaskFilter
    expectTypeOf(listOf).returns.toEqualTypeOf<readonly TaskSnapshot[]>();
    // @ts-expect-error still a TaskFilter
    useTasks({ state: 'done' });
  });

  it('gives the provider and useOrchestrator that orchestrator', () => {
    expectTypeOf(OrchestratorProvider).parameter(0).toHaveProperty('orchestrator').toEqualTypeOf<AppOrchestrator>();
    expectTypeOf(useOrchestrator()).toEqualTypeOf<AppOrchestrator>();
    OrchestratorProvider({ orchestrator });
    // @ts-expect-error an orchestrator is required
    OrchestratorProvider({});
  });

  it('checks useTaskTimeline ids', () => {
    useTaskTimeline('app.sync/1');
    // @ts-expect-error not registered
    useTaskTimeline('app.snyc');
  });
});

describe('backward compatibility', () => {
  it('keeps the plain exports loose', () => {
    expectTypeOf(looseUseTask).parameter(0).toEqualTypeOf<string>();
    const result = looseUseTask('anything/at-all');
    expectTypeOf(result).toEqualTypeOf<UseTaskResult>();
    void result.schedule({ input: { sinse: 1 } }); // unchecked: the map is not known here
    void result.schedule();
    expectTypeOf(looseUseTasks()).toEqualTypeOf<readonly TaskSnapshot[]>();
    LooseProvider({ orchestrator });
  });

  it('is loose when the orchestrator type carries no tasks', () => {
    const loose = createTaskHooks();
    loose.useTask('anything');
    void loose.useTask('anything').schedule({ input: 1 });
    expectTypeOf(loose.useOrchestrator()).toEqualTypeOf<OrchestratorLike>();
    // createOrchestrator() without chained register() calls: no tasks in the type.
    const unchained = createTaskHooks<Orchestrator>();
    void unchained.useTask('anything/1').schedule();
    void unchained.useTask('anything/1').schedule({ input: { sinse: 1 } });
  });
});
