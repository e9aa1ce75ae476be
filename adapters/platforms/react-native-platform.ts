// React Native's signals as errand's conditions. The modules come in as parameters (typed by their
// published declarations, imported as types only): errand never loads them itself.
import type NetInfo from '@react-native-community/netinfo';
import type { NetInfoState } from '@react-native-community/netinfo';
import type * as ExpoBattery from 'expo-battery';
import type { BatteryState, PowerState } from 'expo-battery';
import type { AppState, AppStateStatus } from 'react-native';
import { z } from 'zod';
import { systemClock, type Clock } from '../../src/core/clock.js';
import type { Conditions, PlatformEvent } from '../../src/core/conditions.js';
import { methodsOption, optionsObject, parseOptions } from '../../src/core/option-checks.js';
import type { PlatformPort } from '../../src/core/ports.js';
import type { Logger } from '../../src/core/types.js';
import { ResumableClock } from './resumable-clock.js';

/** What the adapter calls of `@react-native-community/netinfo`'s default export. */
export type NetInfoModule = Pick<typeof NetInfo, 'addEventListener' | 'fetch'>;
/** What the adapter calls of React Native's `AppState`. */
export type AppStateModule = Pick<typeof AppState, 'currentState' | 'addEventListener'>;
/** What the adapter calls of `expo-battery` (`import * as Battery from 'expo-battery'`). */
export type BatteryModule = Pick<
  typeof ExpoBattery,
  'getPowerStateAsync' | 'addBatteryLevelListener' | 'addBatteryStateListener' | 'addLowPowerModeListener'
>;

export interface ReactNativePlatformOptions {
  /** `import NetInfo from '@react-native-community/netinfo'`. */
  netInfo: NetInfoModule;
  /** `import { AppState } from 'react-native'`. */
  appState: AppStateModule;
  /** `import * as Battery from 'expo-battery'`; without it, power stays unknown. */
  battery?: BatteryModule;
  /** Battery level (0 to 1) at or below which the battery counts as low while not charging. Default 0.15. */
  lowBatteryLevel?: number;
  /** Where a module that throws (or rejects) is reported. Default `console`. */
  logger?: Logger;
  /** The clock under `platform.clock`. Default the system clock; tests pass a TestClock. */
  clock?: Clock;
}

/** A PlatformPort with the clock to give the orchestrator: its timers are re-armed when the app comes back. */
export interface ReactNativePlatform extends PlatformPort {
  /**
   * `createOrchestrator({ platform, clock: platform.clock, ... })`. A suspended app's timers stand
   * still (and a sleeping phone's monotonic time with them): each AppState change, and each OS
   * wake-up run through `runDueWorkOnWake({ clock: platform.clock })`, re-arms them for the wall clock.
   */
  readonly clock: ResumableClock;
}

const optionsSchema = optionsObject('reactNativePlatform', {
  netInfo: methodsOption<NetInfoModule>('@react-native-community/netinfo', ['addEventListener', 'fetch']),
  appState: methodsOption<AppStateModule>("react-native's AppState", ['addEventListener']),
  battery: methodsOption<BatteryModule>('expo-battery', [
    'getPowerStateAsync',
    'addBatteryLevelListener',
    'addBatteryStateListener',
    'addLowPowerModeListener',
  ]).optional(),
  lowBatteryLevel: z.number().min(0).max(1).optional(),
  logger: methodsOption<Logger>('a logger', ['warn', 'error']).optional(),
  clock: methodsOption<Clock>('a clock', ['now', 'setTimeout', 'clearTimeout']).optional(),
});

/** expo-battery's BatteryState values (an enum: importing it as a value would load expo-battery). */
const CHARGING_STATES: ReadonlySet<BatteryState> = new Set<BatteryState>([2, 3]); // CHARGING, FULL
const UNPLUGGED_STATES: ReadonlySet<BatteryState> = new Set<BatteryState>([1, 4]); // UNPLUGGED, NOT_CHARGING

/** Online from a netinfo state: connected and not known to lack internet; undefined while netinfo does not know. */
export function networkOf(state: NetInfoState): { online: boolean; metered: boolean } | undefined {
  if (state.isConnected === null) return undefined;
  const online = state.isConnected && state.isInternetReachable !== false;
  return { online, metered: state.details?.isConnectionExpensive === true };
}

/** Foreground from an AppState status: 'active' only; undefined while React Native does not know. */
export function foregroundOf(status: AppStateStatus | string | null | undefined): boolean | undefined {
  if (status === 'active') return true;
  if (status === 'background' || status === 'inactive' || status === 'extension') return false;
  return undefined;
}

/** What expo-battery last said; the parts it has not said yet are undefined. */
interface BatteryReading {
  level?: number | undefined;
  state?: BatteryState | undefined;
  lowPowerMode?: boolean | undefined;
}

/** Power from what expo-battery said so far; undefined while it said nothing that tells. */
function powerOf(reading: BatteryReading, lowBatteryLevel: number): { charging?: boolean; batteryLow: boolean } | undefined {
  const { level, state, lowPowerMode } = reading;
  const charging = state === undefined ? undefined : CHARGING_STATES.has(state) ? true : UNPLUGGED_STATES.has(state) ? false : undefined;
  // -1: the device cannot tell its level (a simulator). Low-power mode is the OS asking apps to do less.
  const levelLow = level !== undefined && level >= 0 && level <= lowBatteryLevel && charging !== true;
  const known = charging !== undefined || lowPowerMode !== undefined || (level !== undefined && level >= 0);
  if (!known) return undefined;
  const batteryLow = lowPowerMode === true || levelLow;
  return charging === undefined ? { batteryLow } : { charging, batteryLow };
}

/**
 * Feeds a React Native app's signals into the orchestrator: netinfo's connection (online while
 * connected and the internet is not known to be unreachable; metered when netinfo says the
 * connection is expensive), AppState ('active' is the foreground), and expo-battery when given
 * (charging or full counts as charging; low when at or below `lowBatteryLevel` unplugged, or in
 * low-power mode). Neither iOS nor Android tells an app that the device is idle: idle stays unknown,
 * and unknown counts as met. A module that throws is reported to the logger; what it would tell stays unknown.
 */
export function reactNativePlatform(options: ReactNativePlatformOptions): ReactNativePlatform {
  parseOptions(optionsSchema, options, 'reactNativePlatform');
  const { netInfo, appState, battery } = options;
  const clock = new ResumableClock(options.clock ?? systemClock);
  const lowBatteryLevel = options.lowBatteryLevel ?? 0.15;
  const logger = options.logger ?? console;

  /** What the modules said last (from any subscription), for `current()`: netinfo and expo-battery only answer asynchronously. */
  let network: { online: boolean; metered: boolean } | undefined;
  const reading: BatteryReading = {};

  const report = (what: string, error: unknown) =>
    logger.warn(`errand: reactNativePlatform: ${what} failed; what it tells stays unknown`, error);
  /** Runs a module call; a throw is reported and yields undefined. */
  const attempt = <T>(what: string, call: () => T): T | undefined => {
    try {
      return call();
    } catch (error) {
      report(what, error);
      return undefined;
    }
  };

  const foreground = (): boolean | undefined => attempt('AppState.currentState', () => foregroundOf(appState.currentState));

  return {
    clock,

    current(): Partial<Conditions> {
      const conditions: Partial<Conditions> = {};
      if (network) Object.assign(conditions, network);
      const inFront = foreground();
      if (inFront !== undefined) conditions.foreground = inFront;
      const power = powerOf(reading, lowBatteryLevel);
      if (power) Object.assign(conditions, power);
      return conditions;
    },

    subscribe(listener) {
      let stopped = false;
      const undo: Array<{ what: string; run: () => void }> = [];
      const emit = (event: PlatformEvent) => {
        if (!stopped) listener(event);
      };

      // The first reads (fetch, getPowerStateAsync) answer later than listeners may: what a listener told
      // meanwhile is newer, and an answer to a read issued before it must not undo it.
      let heardNetwork = false;
      const onNetInfo = (state: NetInfoState) => {
        const next = networkOf(state);
        if (!next) return;
        network = next;
        emit({ type: 'network', ...next });
      };
      const unsubscribeNetInfo = attempt('netInfo.addEventListener', () =>
        netInfo.addEventListener((state) => {
          heardNetwork = true;
          onNetInfo(state);
        }),
      );
      if (typeof unsubscribeNetInfo === 'function') undo.push({ what: 'the netinfo unsubscribe', run: unsubscribeNetInfo });
      // netinfo calls new listeners with its latest state when it has one; fetch asks for it when it has none yet.
      const fetched = attempt('netInfo.fetch', () => netInfo.fetch());
      if (fetched)
        Promise.resolve(fetched).then(
          (state) => {
            if (!heardNetwork) onNetInfo(state);
          },
          (error: unknown) => report('netInfo.fetch', error),
        );

      const onAppState = (status: AppStateStatus) => {
        if (!stopped) clock.resync(); // the app ran again: timers due while it was suspended fire now, once each
        const inFront = foregroundOf(status);
        if (inFront !== undefined) emit({ type: 'lifecycle', foreground: inFront });
      };
      const appStateSubscription = attempt("AppState.addEventListener('change')", () => appState.addEventListener('change', onAppState));
      if (appStateSubscription) undo.push({ what: 'the AppState subscription', run: () => appStateSubscription.remove() });

      if (battery) {
        const heardPower = new Set<string>();
        const onPower = (update: BatteryReading, heard = true) => {
          if (heard) for (const field of Object.keys(update)) heardPower.add(field);
          Object.assign(reading, update);
          const power = powerOf(reading, lowBatteryLevel);
          if (power) emit({ type: 'power', ...power });
        };
        const listen = (what: string, add: () => { remove(): void }) => {
          const subscription = attempt(what, add);
          if (subscription) undo.push({ what: `the ${what} subscription`, run: () => subscription.remove() });
        };
        listen('Battery.addBatteryLevelListener', () => battery.addBatteryLevelListener(({ batteryLevel }) => onPower({ level: batteryLevel })));
        listen('Battery.addBatteryStateListener', () => battery.addBatteryStateListener(({ batteryState }) => onPower({ state: batteryState })));
        listen('Battery.addLowPowerModeListener', () => battery.addLowPowerModeListener(({ lowPowerMode }) => onPower({ lowPowerMode })));
        const powerState = attempt('Battery.getPowerStateAsync', () => battery.getPowerStateAsync());
        if (powerState) Promise.resolve(powerState).then(
          (state: PowerState) => {
            const initial: BatteryReading = { level: state.batteryLevel, state: state.batteryState, lowPowerMode: state.lowPowerMode };
            // Only what no listener told since the read was issued.
            for (const field of heardPower) delete initial[field as keyof BatteryReading];
            onPower(initial, false);
          },
          (error: unknown) => report('Battery.getPowerStateAsync', error),
        );
      }

      return () => {
        if (stopped) return;
        stopped = true;
        for (const { what, run } of undo.splice(0)) attempt(`removing ${what}`, run);
      };
    },
  };
}
