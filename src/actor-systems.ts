import { createActor, fromTransition, toObserver, type AnyActorRef, type InspectionEvent, type Observer, type Subscription } from 'xstate';
import type { Clock } from './core/clock.js';

/** Asks a host to stop one of its actors: XState lets only an actor's parent stop it. */
interface StopActor {
  type: 'errand.stop';
  actor: AnyActorRef;
}

export type InspectObserver = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/**
 * Lends its actor system (clock, inspection) to task and helper actors, and stops one of them
 * when asked (a task going dormant): the only thing it ever does.
 */
const hostLogic = fromTransition((state: null, event: StopActor, { stopChild }) => {
  if (event.type === 'errand.stop') stopChild(event.actor);
  return state;
}, null);

/** A host with actors on it, and what watches its system (the observers added after it started). */
interface LiveHost {
  actors: number;
  watches: Map<Observer<InspectionEvent>, Subscription>;
}

/**
 * Hands out parents for task actors. Each XState root builds its own system (about 2 KB of
 * maps and closures), and a system's `cancelAll` walks every timer in it, so one system per
 * task wastes memory and one system for all tasks makes every stop O(n). Small shared
 * systems bound both.
 *
 * Observers can be added while actors run (`inspect`): XState's systems skip building
 * inspection events while nothing watches, so a closed devtools panel costs nothing.
 */
export class ActorSystemPool {
  private current: AnyActorRef | null = null;
  private used = 0;
  // Hosts that still parent an actor: the ones a late observer must reach.
  private readonly live = new Map<AnyActorRef, LiveHost>();
  private readonly observers = new Set<Observer<InspectionEvent>>();

  constructor(
    private readonly options: {
      clock: Clock;
      inspect?: InspectObserver | undefined;
    },
    private readonly tasksPerHost = 32,
  ) {}

  /** Stops an actor that `next()` parented; its delayed events are cancelled, it sends nothing more. */
  stop(actor: AnyActorRef, parent: AnyActorRef): void {
    parent.send({ type: 'errand.stop', actor } satisfies StopActor);
    this.release(parent);
  }

  /** An actor that `next()` parented ended by itself (a helper completing). */
  release(parent: AnyActorRef): void {
    const host = this.live.get(parent);
    if (!host) return;
    host.actors--;
    if (host.actors > 0 || parent === this.current) return;
    for (const watch of host.watches.values()) watch.unsubscribe();
    this.live.delete(parent);
  }

  next(): AnyActorRef {
    if (!this.current || this.used >= this.tasksPerHost) {
      this.retireCurrent();
      const { clock, inspect } = this.options;
      this.current = createActor(hostLogic, { clock, ...(inspect ? { inspect } : {}), id: 'errand' }).start();
      const host: LiveHost = { actors: 0, watches: new Map() };
      for (const observer of this.observers) host.watches.set(observer, this.current.system.inspect(observer));
      this.live.set(this.current, host);
      this.used = 0;
    }
    this.used++;
    this.live.get(this.current)!.actors++;
    return this.current;
  }

  /** Watches every actor on these systems, from now until unsubscribed. */
  inspect(observerOrFn: InspectObserver): Subscription {
    const observer = toObserver(observerOrFn);
    this.observers.add(observer);
    for (const [parent, host] of this.live) host.watches.set(observer, parent.system.inspect(observer));
    return {
      unsubscribe: () => {
        if (!this.observers.delete(observer)) return;
        for (const host of this.live.values()) {
          host.watches.get(observer)?.unsubscribe();
          host.watches.delete(observer);
        }
      },
    };
  }

  private retireCurrent(): void {
    const old = this.current;
    if (!old) return;
    this.current = null;
    const host = this.live.get(old);
    if (host && host.actors === 0) {
      for (const watch of host.watches.values()) watch.unsubscribe();
      this.live.delete(old);
    }
  }
}
