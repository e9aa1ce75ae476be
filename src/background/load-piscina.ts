import type { Piscina } from 'piscina';

/**
 * Loads piscina on first use of fireAndForgetIO. Its own module so that browser bundlers can swap
 * it (package.json "browser" field) for `load-piscina.browser.ts`: a page never pulls in
 * worker_threads.
 */
export function loadPiscina(): Promise<typeof Piscina> {
  return import('piscina').then((module) => module.Piscina);
}
