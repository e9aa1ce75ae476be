import fc from 'fast-check';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  JOB_ID_PREFIX,
  JobIdDecodeError,
  decodeJobId,
  encodeJobId,
  isAcceptableJobId,
  tryDecodeJobId,
} from '../../adapters/engines/bullmq/job-ids.js';
import { taskIdSchema } from '../../src/core/schemas.js';
import { SHARED_REDIS, deleteKeys, uniqueName } from './redis-names.js';

const tricky = [
  'a:b',
  '::',
  '123',
  '0',
  '-1',
  '1e3',
  '007',
  '',
  '~',
  '~003a',
  't_x',
  'über/größe',
  '日本語',
  '😀 emoji',
  '\ud800',
  'x'.repeat(200),
  'y:'.repeat(500),
];

describe('encodeJobId / decodeJobId', () => {
  it('keeps a valid TaskId readable: prefix + itself', () => {
    expect(encodeJobId('reports/daily-1.x_y')).toBe(`${JOB_ID_PREFIX}reports/daily-1.x_y`);
    expect(encodeJobId('a:b')).toBe(`${JOB_ID_PREFIX}a~003ab`);
  });

  it.each(tricky)('round-trips %j into an id BullMQ accepts', (taskId) => {
    const jobId = encodeJobId(taskId);
    expect(isAcceptableJobId(jobId)).toBe(true);
    expect(decodeJobId(jobId)).toBe(taskId);
  });

  it('property: decode(encode(x)) === x and the output is acceptable, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string()), (s) => {
        const jobId = encodeJobId(s);
        return decodeJobId(jobId) === s && isAcceptableJobId(jobId);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: injective (different TaskIds never share a jobId)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        return a === b || encodeJobId(a) !== encodeJobId(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: every schema-valid TaskId encodes to prefix + itself', () => {
    const valid = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,199}$/);
    fc.assert(
      fc.property(valid, (taskId) => {
        expect(taskIdSchema.safeParse(taskId).success).toBe(true);
        return encodeJobId(taskId) === JOB_ID_PREFIX + taskId;
      }),
    );
  });

  it('rejects jobIds errand did not write, and second spellings', () => {
    for (const bad of ['42', 'repeat:x:1', 'plain', `${JOB_ID_PREFIX}~003A`, `${JOB_ID_PREFIX}~0061`, `${JOB_ID_PREFIX}~12`, `${JOB_ID_PREFIX} `]) {
      expect(() => decodeJobId(bad)).toThrow(JobIdDecodeError);
      expect(tryDecodeJobId(bad)).toBeUndefined();
    }
  });

  it('isAcceptableJobId matches what BullMQ says', () => {
    expect(isAcceptableJobId('123')).toBe(false);
    expect(isAcceptableJobId('a:b')).toBe(false);
    expect(isAcceptableJobId('12a')).toBe(true);
  });
});

describe('encoded ids on a real BullMQ queue (shared Redis)', () => {
  const prefix = uniqueName('jobids');
  const queue = new Queue('ids', { connection: SHARED_REDIS, prefix });
  const admin = new Redis(SHARED_REDIS);

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  it('BullMQ itself refuses the raw tricky ids', async () => {
    await expect(queue.add('x', {}, { jobId: '123' })).rejects.toThrow(/integer/);
    await expect(queue.add('x', {}, { jobId: 'a:b' })).rejects.toThrow(/:/);
  });

  it('adds jobs under encoded tricky TaskIds and reads each back by id', async () => {
    for (const taskId of tricky) {
      const jobId = encodeJobId(taskId);
      await queue.add('task', { taskId }, { jobId, delay: 60_000 });
    }
    for (const taskId of tricky) {
      const job = await queue.getJob(encodeJobId(taskId));
      expect(job?.id).toBe(encodeJobId(taskId));
      expect(job?.data).toEqual({ taskId });
      expect(decodeJobId(job?.id ?? '')).toBe(taskId);
    }
    const listed = (await queue.getDelayed()).map((job) => decodeJobId(job.id ?? ''));
    expect(listed.sort()).toEqual([...tricky].sort());
  });
});
