// Electron's main process as errand's conditions: powerMonitor and net, passed in (typed by Electron's
// declarations, imported as types only), so errand never loads Electron itself.
import type { Net, PowerMonitor } from 'electron';
import { z } from 'zod';
import { MAX_TIMER_MS, systemClock, type Clock } from '../../src/core/clock.js';
import type { Conditions, PlatformEvent } from '../../src/core/conditions.js';
import { methodsOption, optionsObject, parseOptions } from '../../src/core/option-checks.js';
import type { PlatformPort } from '../../src/core/ports.js';
import type { Logger } from '../../src/core/types.js';
import { ResumableClock } from './resumable-clock.js';

/** What the adapter calls of Electron's `powerMonitor` (main process). */
export type PowerMonitorModule = Pick<PowerMonitor, 'on' | 'removeListener' | 'getSystemIdleState' | 'isOnBatteryPower'>;
/** What the adapter calls of Electron's `net` (main process). */
export type NetModule = Pick<Net, 'isOnline'>;

export interface ElectronPlatformOptions {
  /** `import { powerMonitor } from 'electron'` (usable once the app is ready). */
  powerMonitor: PowerMonitorModule;
  /** `import { net } from 'electron'`. */
  net: NetModule;
  /** How often `net.isOnline()` and the system idle state are read again. Default 5,000 ms. */
  pollMs?: number;
  /** Seconds without input after which `getSystemIdleState` says idle. Default 300. */
  idleThresholdSeconds?: number;
  /** The clock under `platform.clock` and the polling. Default the system clock; tests pass a TestClock. */
  clock?: Clock;
  /** Where a module that throws is reported. Default `console`. */
  logger?: Logger;
}

/** A PlatformPort with the clock to give the orchestrator: its timers are re-armed when the machine resumes. */
export interface ElectronPlatform extends PlatformPort {
  /** `createOrchestrator({ platform, clock: platform.clock, ... })`; see ResumableClock. */
  readonly clock: ResumableClock;
}

const optionsSchema = optionsObject('electronPlatform', {
  powerMonitor: methodsOption<PowerMonitorModule>("Electron's powerMonitor", ['on', 'removeListener', 'getSystemIdleState', 'isOnBatteryPower']),
  net: methodsOption<NetModule>("Electron's net", ['isOnline']),
  pollMs: z.number().int().min(1).max(MAX_TIMER_MS).optional(),
  idleThresholdSeconds: z.number().int().min(1).optional(),
  clock: methodsOption<Clock>('a clock', ['now', 'setTimeout', 'clearTimeout']).optional(),
  logger: methodsOption<Logger>('a logger', ['warn', 'error']).optional(),
});

type IdleState = ReturnType<PowerMonitorModule['getSystemIdleState']>;

/**
 * Feeds an Electron main process's signals into the orchestrator: power ('on-ac' / 'on-battery',
 * `isOnBatteryPower()`) as charging, `net.isOnline()` (polled) as online, the system idle state
 * (polled, and 'lock-screen') as idle, and foreground while the screen is unlocked, the user's
 * session active and the machine awake. On 'resume' it re-arms `platform.clock`'s timers for the
 * wall clock and reads everything again at once. Electron's main process cannot tell the battery
 * level or a metered connection: batteryLow and metered stay unknown (met). The renderer uses
 * `browserPlatform`. A module that throws is reported; what it would tell stays unknown.
 */
export function electronPlatform(options: ElectronPlatformOptions): ElectronPlatform {
  parseOptions(optionsSchema, options, 'electronPlatform');
  const { powerMonitor, net } = options;
  const base = options.clock ?? systemClock;
  const clock = new ResumableClock(base);
  const pollMs = options.pollMs ?? 5_000;
  const idleThreshold = options.idleThresholdSeconds ?? 300;
  const logger = options.logger ?? console;

  const attempt = <T>(what: string, call: () => T): T | undefined => {
    try {
      return call();
    } catch (error) {
      logger.warn(`errand: electronPlatform: ${what} failed; what it tells stays unknown`, error);
      return undefined;
    }
  };
  const online = (): boolean | undefined => {
    const value = attempt('net.isOnline()', () => net.isOnline());
    return typeof value === 'boolean' ? value : undefined;
  };
  const charging = (): boolean | undefined => {
    const onBattery = attempt('powerMonitor.isOnBatteryPower()', () => powerMonitor.isOnBatteryPower());
    return typeof onBattery === 'boolean' ? !onBattery : undefined;
  };
  const idleState = (): IdleState => attempt('powerMonitor.getSystemIdleState()', () => powerMonitor.getSystemIdleState(idleThreshold)) ?? 'unknown';

  return {
    clock,

    current(): Partial<Conditions> {
      const conditions: Partial<Conditions> = {};
      const isOnline = online();
      if (isOnline !== undefined) conditions.online = isOnline;
      const isCharging = charging();
      if (isCharging !== undefined) conditions.charging = isCharging;
      const state = idleState();
      if (state !== 'unknown') {
        conditions.idle = state !== 'active';
        conditions.foreground = state !== 'locked';
      }
      return conditions;
    },

    subscribe(listener) {
      let stopped = false;
      /** What this subscriber was told last of the polled readings, so it hears only changes. */
      let lastOnline: boolean | undefined;
      let lastIdle: boolean | undefined;
      let lastForeground: boolean | undefined;
      let locked = false;
      let resigned = false;
      let suspended = false;
      let timer: unknown = null;

      const emit = (event: PlatformEvent) => {
        if (!stopped) listener(event);
      };
      const tellForeground = () => {
        const foreground = !locked && !resigned && !suspended;
        if (foreground === lastForeground) return;
        lastForeground = foreground;
        emit({ type: 'lifecycle', foreground });
      };
      const tellIdle = (idle: boolean) => {
        if (idle === lastIdle) return;
        lastIdle = idle;
        emit({ type: 'idle', idle });
      };

      const poll = () => {
        const isOnline = online();
        if (isOnline !== undefined && isOnline !== lastOnline) {
          lastOnline = isOnline;
          emit({ type: 'network', online: isOnline });
        }
        const state = idleState();
        if (state !== 'unknown') {
          locked = state === 'locked';
          tellIdle(state !== 'active');
        }
        tellForeground();
      };
      const arm = () => {
        timer = base.setTimeout(() => {
          timer = null;
          poll();
          arm();
        }, pollMs);
      };
      const disarm = () => {
        if (timer !== null) base.clearTimeout(timer);
        timer = null;
      };

      const onAc = () => emit({ type: 'power', charging: true });
      const onBattery = () => emit({ type: 'power', charging: false });
      const onSuspend = () => {
        suspended = true;
        disarm(); // nothing to read while asleep; 'resume' reads at once
        tellForeground();
      };
      const onResume = () => {
        suspended = false;
        clock.resync(); // timers due during the sleep fire now, once each
        disarm();
        poll();
        arm();
      };
      const onLock = () => {
        locked = true;
        tellIdle(true);
        tellForeground();
      };
      const onUnlock = () => {
        locked = false;
        poll();
      };
      const onBecomeActive = () => {
        resigned = false;
        tellForeground();
      };
      const onResignActive = () => {
        resigned = true;
        tellForeground();
      };

      // One pair per event, spelled out: each name is checked against Electron's declarations.
      const bindings: Array<[what: string, add: () => unknown, remove: () => unknown]> = [
        ['on-ac', () => powerMonitor.on('on-ac', onAc), () => powerMonitor.removeListener('on-ac', onAc)],
        ['on-battery', () => powerMonitor.on('on-battery', onBattery), () => powerMonitor.removeListener('on-battery', onBattery)],
        ['suspend', () => powerMonitor.on('suspend', onSuspend), () => powerMonitor.removeListener('suspend', onSuspend)],
        ['resume', () => powerMonitor.on('resume', onResume), () => powerMonitor.removeListener('resume', onResume)],
        ['lock-screen', () => powerMonitor.on('lock-screen', onLock), () => powerMonitor.removeListener('lock-screen', onLock)],
        ['unlock-screen', () => powerMonitor.on('unlock-screen', onUnlock), () => powerMonitor.removeListener('unlock-screen', onUnlock)],
        [
          'user-did-become-active',
          () => powerMonitor.on('user-did-become-active', onBecomeActive),
          () => powerMonitor.removeListener('user-did-become-active', onBecomeActive),
        ],
        [
          'user-did-resign-active',
          () => powerMonitor.on('user-did-resign-active', onResignActive),
          () => powerMonitor.removeListener('user-did-resign-active', onResignActive),
        ],
      ];
      const added: Array<[string, () => unknown]> = [];
      for (const [what, add, remove] of bindings) {
        if (attempt(`powerMonitor.on('${what}')`, () => (add(), true))) added.push([what, remove]);
      }

      // The baseline is what current() reports now; from here on, only changes are told.
      lastOnline = online();
      const state = idleState();
      if (state !== 'unknown') {
        locked = state === 'locked';
        lastIdle = state !== 'active';
      }
      lastForeground = state === 'unknown' ? undefined : !locked;
      arm();

      return () => {
        if (stopped) return;
        stopped = true;
        disarm();
        for (const [what, remove] of added.splice(0)) attempt(`powerMonitor.removeListener('${what}')`, remove);
      };
    },
  };
}
