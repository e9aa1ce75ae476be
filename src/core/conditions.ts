import type { Constraints } from './schemas.js';

/** What the device or host currently offers; platform adapters keep it current. */
export interface Conditions {
  online: boolean;
  metered: boolean;
  charging: boolean;
  batteryLow: boolean;
  foreground: boolean;
  idle: boolean;
}

export type ConstraintName = 'network' | 'charging' | 'batteryNotLow' | 'idle' | 'foreground';

/**
 * What holds a `constrained` task back: the constraints its platform does not meet, 'paused' while
 * `orchestrator.pause()` holds scheduled work (first, with any unmet constraints after it), or
 * 'concurrency' once nothing else does and it waits for a worker slot (`concurrency`, `maxConcurrentWorkers`).
 */
export type UnmetConstraint = ConstraintName | 'concurrency' | 'paused';

/** Events a platform adapter reports; omitted fields keep their current value. */
export type PlatformEvent =
  | { type: 'network'; online: boolean; metered?: boolean }
  | { type: 'power'; charging?: boolean; batteryLow?: boolean }
  | { type: 'lifecycle'; foreground: boolean }
  | { type: 'idle'; idle: boolean };

/** With no platform adapter (a server, a script) every constraint is satisfied. */
export const unconstrainedConditions: Readonly<Conditions> = Object.freeze({
  online: true,
  metered: false,
  charging: true,
  batteryLow: false,
  foreground: true,
  idle: true,
});

export function applyPlatformEvent(current: Conditions, event: PlatformEvent): Conditions {
  switch (event.type) {
    case 'network':
      return { ...current, online: event.online, metered: event.metered ?? current.metered };
    case 'power':
      return {
        ...current,
        charging: event.charging ?? current.charging,
        batteryLow: event.batteryLow ?? current.batteryLow,
      };
    case 'lifecycle':
      return { ...current, foreground: event.foreground };
    case 'idle':
      return { ...current, idle: event.idle };
  }
}

const NONE: readonly ConstraintName[] = Object.freeze([]);

/** The constraints of `constraints` that `conditions` does not meet, in a fixed order. */
export function unmetConstraints(constraints: Constraints, conditions: Conditions): readonly ConstraintName[] {
  // No helper closure: this runs on every dispatch, and all constraints are met almost always.
  let unmet: ConstraintName[] | undefined;
  if (constraints.network === 'any' && !conditions.online) (unmet ??= []).push('network');
  if (constraints.network === 'unmetered' && (!conditions.online || conditions.metered)) (unmet ??= []).push('network');
  if (constraints.charging && !conditions.charging) (unmet ??= []).push('charging');
  if (constraints.batteryNotLow && conditions.batteryLow) (unmet ??= []).push('batteryNotLow');
  if (constraints.idle && !conditions.idle) (unmet ??= []).push('idle');
  if (constraints.foreground && !conditions.foreground) (unmet ??= []).push('foreground');
  return unmet ?? NONE;
}

export function hasConstraints(constraints: Constraints): boolean {
  return (
    constraints.network !== 'none' ||
    constraints.charging ||
    constraints.batteryNotLow ||
    constraints.idle ||
    constraints.foreground
  );
}
