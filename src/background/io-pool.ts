import type { Piscina } from 'piscina';
import { ValidationError } from '../core/errors.js';
import { loadPiscina } from './load-piscina.js';
import type { IOPoolOptions, IOWorkerModule } from './types.js';

const ABSOLUTE = /^(?:file:|\/|[A-Za-z]:[\\/]|\\\\)/;

/** The module as piscina wants it: an absolute path or a `file:` URL string. */
export function workerFilename(module: IOWorkerModule): string {
  const filename = module instanceof URL ? module.href : module;
  if (typeof filename !== 'string' || !ABSOLUTE.test(filename)) {
    throw new ValidationError('module', 'must be an absolute path or a file: URL, e.g. new URL("./work.js", import.meta.url)');
  }
  return filename;
}

/**
 * A piscina pool of worker threads, created on first use (piscina is imported only then, so
 * code that never calls fireAndForgetIO never loads worker_threads) and destroyed on shutdown.
 */
export class IOPool {
  private options: IOPoolOptions = {};
  private pool: Promise<Piscina> | null = null;
  private created: Piscina | null = null;
  private destroyed = false;

  configure(options: IOPoolOptions): void {
    if (this.pool) throw new ValidationError('configureIO', 'the worker-thread pool has already started');
    for (const key of ['minThreads', 'maxThreads'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
        throw new ValidationError(key, 'must be a whole number');
      }
    }
    if (options.idleTimeoutMs !== undefined && !(options.idleTimeoutMs >= 0)) {
      throw new ValidationError('idleTimeoutMs', 'must be 0 or more');
    }
    if (options.niceIncrement !== undefined && !(Number.isInteger(options.niceIncrement) && options.niceIncrement >= 0)) {
      throw new ValidationError('niceIncrement', 'must be a whole number');
    }
    this.options = { ...options };
  }

  /** Threads alive now. */
  get threads(): number {
    return this.created?.threads.length ?? 0;
  }

  /** Runs the module's default export with `input` on a thread; aborting `signal` terminates that thread. */
  async run(filename: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    if (this.destroyed) throw new Error('the worker-thread pool has been destroyed');
    const pool = await this.start();
    return pool.run(input, { filename, signal });
  }

  /** Terminates every thread; tasks still queued or running reject. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    const pool = await this.pool?.catch(() => null);
    this.created = null;
    await pool?.destroy();
  }

  private start(): Promise<Piscina> {
    this.pool ??= loadPiscina().then((Piscina) => {
      const { minThreads = 0, maxThreads, idleTimeoutMs = 10_000, execArgv, resourceLimits, niceIncrement } = this.options;
      const pool = new Piscina({
        minThreads,
        ...(maxThreads === undefined ? {} : { maxThreads: Math.max(maxThreads, minThreads, 1) }),
        idleTimeout: idleTimeoutMs,
        ...(execArgv ? { execArgv } : {}),
        ...(resourceLimits ? { resourceLimits } : {}),
        ...(niceIncrement ? { niceIncrement } : {}),
      });
      this.created = pool;
      if (this.destroyed) void pool.destroy();
      return pool;
    });
    return this.pool;
  }
}
