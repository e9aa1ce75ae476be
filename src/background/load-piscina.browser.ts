import type { Piscina } from 'piscina';
import { ErrandError } from '../core/errors.js';

/** Browser builds get this instead of `load-piscina.ts`: there are no worker_threads to pool. */
export function loadPiscina(): Promise<typeof Piscina> {
  return Promise.reject(new ErrandError('fireAndForgetIO needs Node worker threads; it is not available in a browser bundle'));
}
