// errand/bullmq: the engine that runs errand's work on BullMQ, across every process on one queue.
export { bullmqEngine, type BullmqEngineOptions } from '../../adapters/engines/bullmq/bullmq-engine.js';
export type { RedisConnection } from '../../adapters/engines/bullmq/redis-fleet.js';
export type { PostgresConnection } from '../../adapters/engines/bullmq/postgres-fleet.js';
export { encodeJobId, decodeJobId, tryDecodeJobId } from '../../adapters/engines/bullmq/job-ids.js';
