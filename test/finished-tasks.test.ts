import { describe, expect, it } from 'vitest';
import { FinishedTasks } from '../src/activation/listeners.js';
import type { TaskSnapshot } from '../src/index.js';

const snap = (taskId: string, attempt = 1): TaskSnapshot => ({
  taskId,
  status: 'done',
  attempt,
  interrupted: 0,
  runCount: attempt,
  nextRunAt: null,
  progress: null,
  unmetConstraints: [],
  outcome: { ok: true, value: taskId },
  cancelReason: null,
  kind: 'oneTime',
});

describe('FinishedTasks', () => {
  it('keeps the newest `limit` tasks and forgets the oldest', () => {
    const finished = new FinishedTasks(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) finished.set(snap(id));
    expect([...finished.values()].map((s) => s.taskId)).toEqual(['c', 'd', 'e']);
    expect(finished.get('a')).toBeUndefined();
    expect(finished.get('e')?.taskId).toBe('e');
  });

  it('does not forget a TaskId that finished again when its older slot is reused', () => {
    const finished = new FinishedTasks(3);
    finished.set(snap('a', 1));
    finished.set(snap('b'));
    finished.set(snap('a', 2)); // 'a' again, in a newer slot
    finished.set(snap('c')); // reuses a's first slot
    expect(finished.get('a')?.attempt).toBe(2);
    expect([...finished.values()].map((s) => s.taskId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('forgets a task on delete (it was scheduled again)', () => {
    const finished = new FinishedTasks(2);
    finished.set(snap('a'));
    finished.delete('a');
    expect(finished.get('a')).toBeUndefined();
  });
});
