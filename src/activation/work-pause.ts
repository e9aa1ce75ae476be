import type { Activations } from './activations.js';

/**
 * `orchestrator.pause()`: scheduled work is held as unmet constraints hold it. Running scheduled
 * workers are aborted through their signal (that attempt does not count) and wait in `constrained`
 * with work that falls due meanwhile, until `resume()`; runNow is never held. For a host about to be
 * suspended: a phone's OS wake-up whose time is up, say.
 */
export class WorkPause {
  private on = false;

  constructor(private readonly tasks: () => Activations | undefined) {}

  get paused(): boolean {
    return this.on;
  }

  /** False when it already was so. Every active task looks again (rare: a pause is not per task). */
  set(paused: boolean): boolean {
    if (this.on === paused) return false;
    this.on = paused;
    for (const entry of this.tasks()?.entries() ?? []) entry.actor.send({ type: 'CONDITIONS_CHANGED' });
    return true;
  }
}
