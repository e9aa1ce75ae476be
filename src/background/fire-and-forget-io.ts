import { startJob } from './fire-and-forget.js';
import type { HelperRuntime } from './helper-runtime.js';
import { workerFilename, type IOPool } from './io-pool.js';
import type { IOOptions, IOWorkerModule } from './types.js';

/**
 * Runs `module`'s default export with `input` on a pool thread, from a background job actor;
 * returns at once. `input` crosses to the thread by structured clone; the result is dropped.
 */
export function fireAndForgetIO(
  runtime: HelperRuntime,
  pool: IOPool,
  module: IOWorkerModule,
  input: unknown,
  options: IOOptions = {},
): void {
  const filename = workerFilename(module);
  startJob(runtime, runtime.scope('fireAndForgetIO', options.name), (signal) => pool.run(filename, input, signal));
}
