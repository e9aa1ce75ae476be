import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../src/core/errors.js';
import { scheduleRequestSchema } from '../src/core/schemas.js';

function fromSchedule(request: unknown, prefix?: string): ValidationError {
  const parsed = scheduleRequestSchema.safeParse(request);
  if (parsed.success) throw new Error('expected the request to be refused');
  return ValidationError.fromZod(parsed.error, prefix);
}

describe('ValidationError.fromZod', () => {
  it('names an unknown top-level key, not (root)', () => {
    const error = fromSchedule({ taskId: 'app.sync', priority: 1 });
    expect(error.field).toBe('priority');
    expect(error.message).toBe('priority: Unrecognized key: "priority"');
  });

  it('names an unknown nested key with its path', () => {
    expect(fromSchedule({ taskId: 'app.sync', backoff: { retries: 3 } }).field).toBe('backoff.retries');
    expect(fromSchedule({ taskId: 'app.sync', constraints: { wifi: true } }).field).toBe('constraints.wifi');
  });

  it('names the first of several unknown keys, and lists them all in the message', () => {
    const error = fromSchedule({ taskId: 'app.sync', backoff: { retries: 3, delay: 1 } });
    expect(error.field).toBe('backoff.retries');
    expect(error.message).toContain('"retries", "delay"');
  });

  it('puts the prefix before an unknown key', () => {
    expect(fromSchedule({ taskId: 'app.sync', backoff: { retries: 3 } }, 'request').field).toBe('request.backoff.retries');
  });

  it('still names the field of other issues', () => {
    expect(fromSchedule({ taskId: '' }).field).toBe('taskId');
    expect(fromSchedule({ taskId: 'app.sync', backoff: { maxAttempts: 0 } }).field).toBe('backoff.maxAttempts');
    expect(fromSchedule({ taskId: 'app.sync', kind: 'periodic' }).field).toBe('intervalMs');
  });

  it('uses (root) for an issue on the value itself, or the prefix when there is one', () => {
    const parsed = z.string().safeParse(1);
    if (parsed.success) throw new Error('unreachable');
    expect(ValidationError.fromZod(parsed.error).field).toBe('(root)');
    expect(ValidationError.fromZod(parsed.error, 'input').field).toBe('input');
  });
});
