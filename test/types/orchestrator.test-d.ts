import { describe, expectTypeOf, it } from 'vitest';
import { createOrchestrator, WorkResult, type Orchestrator, type TaskHandle, type TaskSnapshot } from '../../src/index.js';
import { orchestrator } from './fixture.js';

describe('orchestrator.schedule()', () => {
  it('requires the input a schema requires, typed by it', () => {
    void orchestrator.schedule({ taskId: 'app.sync', input: { since: 1 } });
    void orchestrator.schedule({ taskId: 'app.sync', input: { since: 1, full: true }, initialDelayMs: 5 });
    // @ts-expect-error input is required by app.sync's schema
    void orchestrator.schedule({ taskId: 'app.sync' });
    // @ts-expect-error since is a number
    void orchestrator.schedule({ taskId: 'app.sync', input: { since: '1' } });
  });

  it('rejects a wrong input key', () => {
    // @ts-expect-error 'sinse' is not in the schema (the issue's example)
    void orchestrator.schedule({ taskId: 'app.sync', input: { sinse: 1 } });
  });

  it('types an instance id name/… by the definition it runs', () => {
    void orchestrator.schedule({ taskId: 'app.sync/42', input: { since: 1 } });
    // @ts-expect-error app.sync/42 runs app.sync: its input is required
    void orchestrator.schedule({ taskId: 'app.sync/42' });
    // @ts-expect-error and checked
    void orchestrator.schedule({ taskId: 'app.sync/42', input: { sinse: 1 } });
    const user: string = 'u1';
    void orchestrator.schedule({ taskId: `app.sync/${user}`, input: { since: 1 } });
  });

  it('leaves input optional when the schema accepts undefined', () => {
    void orchestrator.schedule({ taskId: 'report' });
    void orchestrator.schedule({ taskId: 'report', input: { week: 3 } });
    void orchestrator.schedule({ taskId: 'ping' });
  });

  // Not rejected by the type: schedule() takes any TaskId and refuses an unregistered one at run
  // time (ValidationError on 'taskId'); its input is unknown, so anything passes the type.
  it('allows a TaskId the map does not know, with any input', () => {
    void orchestrator.schedule({ taskId: 'app.snyc', input: { sinse: 1 } });
    const id: string = 'app.sync';
    void orchestrator.schedule({ taskId: id, input: 'anything' });
  });

  it('still checks the rest of the request', () => {
    // @ts-expect-error kind is 'oneTime' | 'periodic'
    void orchestrator.schedule({ taskId: 'report', kind: 'daily' });
  });

  it('takes anything on an orchestrator whose tasks were registered without chaining', () => {
    const loose: Orchestrator = createOrchestrator();
    void loose.schedule({ taskId: 'whatever', input: { any: 'thing' } });
  });
});

describe('orchestrator.runNow()', () => {
  it('resolves with what fn returns', () => {
    expectTypeOf(orchestrator.runNow('doc.save', () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(orchestrator.runNow('doc.save', async () => ({ id: 'a' }))).toEqualTypeOf<Promise<{ id: string }>>();
    // Returned as is, even a WorkResult.
    expectTypeOf(orchestrator.runNow('doc.save', () => WorkResult.retry())).toEqualTypeOf<Promise<WorkResult>>();
  });

  it('hands fn its context', () => {
    void orchestrator.runNow('doc.save', (context) => {
      expectTypeOf(context.taskId).toEqualTypeOf<string>();
      expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
    });
  });
});

describe('schedule() handles and result()', () => {
  it("resolves schedule() with a handle whose result() is typed by the task's run", () => {
    expectTypeOf(orchestrator.schedule({ taskId: 'app.sync', input: { since: 1 } })).toEqualTypeOf<Promise<TaskHandle<{ synced: number }>>>();
    expectTypeOf(orchestrator.schedule({ taskId: 'app.sync/7', input: { since: 1 } })).toEqualTypeOf<Promise<TaskHandle<{ synced: number }>>>();
    expectTypeOf(orchestrator.schedule({ taskId: 'report' })).toEqualTypeOf<Promise<TaskHandle<'sent'>>>();
    expectTypeOf<Awaited<ReturnType<TaskHandle<number>['result']>>>().toEqualTypeOf<number>();
    expectTypeOf<TaskHandle<number>['taskId']>().toEqualTypeOf<string>();
  });

  it('types orchestrator.result(taskId) by the task, instances included', () => {
    expectTypeOf(orchestrator.result('ping')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(orchestrator.result('app.sync/42')).toEqualTypeOf<Promise<{ synced: number }>>();
    expectTypeOf(orchestrator.result('legacy')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(orchestrator.result('not.registered')).toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error the options are { signal }
    void orchestrator.result('ping', { timeout: 5 });
  });

  it("types getTask's and peekTask's outcome by the task", () => {
    expectTypeOf(orchestrator.peekTask('ping')).toEqualTypeOf<TaskSnapshot<number> | undefined>();
    expectTypeOf(orchestrator.getTask('app.sync/1')).toEqualTypeOf<Promise<TaskSnapshot<{ synced: number }> | undefined>>();
    const snapshot = orchestrator.peekTask('ping');
    if (snapshot?.kind === 'oneTime' && snapshot.outcome?.ok) expectTypeOf(snapshot.outcome.value).toEqualTypeOf<number>();
    // A runNow took the TaskId over: its outcome is what that fn returned, not what run returns.
    if (snapshot?.kind === 'instant' && snapshot.outcome?.ok) expectTypeOf(snapshot.outcome.value).toEqualTypeOf<unknown>();
  });
});
