// errand/bullmq: the engine that runs errand's work on BullMQ, across every process on one queue.
export { bullmqEngine, type BullmqEngineOptions, type RedisConnection } from '../../adapters/engines/bullmq/bullmq-engine.js';
export { encodeJobId, decodeJobId, tryDecodeJobId } from '../../adapters/engines/bullmq/job-ids.js';
