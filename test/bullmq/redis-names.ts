// Unique names on the shared Redis (127.0.0.1:6379): every test gets its own key prefix, so tests never see
// each other's keys and cleanup can delete exactly what one test wrote (never FLUSHDB on a shared server).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const SHARED_REDIS = { host: '127.0.0.1', port: 6379 } as const;

export function uniqueName(label: string): string {
  return `errand-test-${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix:` (BullMQ's keys are `<prefix>:<queue>:...`). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
