import { createActor, fromTransition, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate';
import type { Clock } from './core/clock.js';

/** Ignores everything: it only lends its actor system (clock, inspection) to task actors. */
const hostLogic = fromTransition((state: null) => state, null);

/**
 * Hands out parents for task actors. Each XState root builds its own system (about 2 KB of
 * maps and closures), and a system's `cancelAll` walks every timer in it, so one system per
 * task wastes memory and one system for all tasks makes every stop O(n). Small shared
 * systems bound both.
 */
export class ActorSystemPool {
  private current: AnyActorRef | null = null;
  private used = 0;

  constructor(
    private readonly options: {
      clock: Clock;
      inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
    },
    private readonly tasksPerHost = 32,
  ) {}

  next(): AnyActorRef {
    if (!this.current || this.used >= this.tasksPerHost) {
      const { clock, inspect } = this.options;
      this.current = createActor(hostLogic, { clock, ...(inspect ? { inspect } : {}), id: 'errand' }).start();
      this.used = 0;
    }
    this.used++;
    return this.current;
  }
}
