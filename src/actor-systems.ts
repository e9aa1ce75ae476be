import { createActor, fromTransition, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate';
import type { Clock } from './core/clock.js';

/** Asks a host to stop one of its actors: XState lets only an actor's parent stop it. */
interface StopActor {
  type: 'errand.stop';
  actor: AnyActorRef;
}

/**
 * Lends its actor system (clock, inspection) to task and helper actors, and stops one of them
 * when asked (a task going dormant): the only thing it ever does.
 */
const hostLogic = fromTransition((state: null, event: StopActor, { stopChild }) => {
  if (event.type === 'errand.stop') stopChild(event.actor);
  return state;
}, null);

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

  /** Stops an actor that `next()` parented; its delayed events are cancelled, it sends nothing more. */
  stop(actor: AnyActorRef, parent: AnyActorRef): void {
    parent.send({ type: 'errand.stop', actor } satisfies StopActor);
  }

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
