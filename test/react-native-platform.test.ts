import { createRequire } from 'node:module';
import type { NetInfoChangeHandler, NetInfoState, NetInfoStateType, NetInfoSubscription } from '@react-native-community/netinfo';
import type { BatteryLevelEvent, BatteryState, BatteryStateEvent, PowerModeEvent, PowerState } from 'expo-battery';
import type { AppState, AppStateEvent, AppStateStatus, EventSubscription } from 'react-native';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOrchestrator, type PlatformEvent } from '../src/index.js';
import { reactNativePlatform, type AppStateModule, type BatteryModule, type NetInfoModule } from '../src/react-native/index.js';
import { memoryStore, testClock } from '../src/testing/index.js';
import { SleepingHost } from './support/sleeping-host.js';
import { failOnUnhandledRejections, validationErrorOf } from './support.js';

failOnUnhandledRejections();

// expo-battery's BatteryState and netinfo's NetInfoStateType are enums: their values, typed by the declarations.
const UNKNOWN: BatteryState = 0;
const UNPLUGGED: BatteryState = 1;
const CHARGING: BatteryState = 2;
const FULL: BatteryState = 3;
const NOT_CHARGING: BatteryState = 4;
const WIFI = 'wifi' as NetInfoStateType.wifi;
const CELLULAR = 'cellular' as NetInfoStateType.cellular;
const NONE = 'none' as NetInfoStateType.none;
const UNKNOWN_NET = 'unknown' as NetInfoStateType.unknown;

const wifi = (isInternetReachable: boolean | null = true): NetInfoState => ({
  type: WIFI,
  isConnected: true,
  isInternetReachable,
  details: {
    isConnectionExpensive: false,
    ssid: null,
    bssid: null,
    strength: null,
    ipAddress: null,
    subnet: null,
    frequency: null,
    linkSpeed: null,
    rxLinkSpeed: null,
    txLinkSpeed: null,
  },
});
const cellular = (): NetInfoState => ({
  type: CELLULAR,
  isConnected: true,
  isInternetReachable: true,
  details: { isConnectionExpensive: true, cellularGeneration: null, carrier: null },
});
const offline = (): NetInfoState => ({ type: NONE, isConnected: false, isInternetReachable: false, details: null });
const unknownNet = (): NetInfoState => ({ type: UNKNOWN_NET, isConnected: null, isInternetReachable: null, details: null });

/** netinfo's default export, typed by its declarations: listeners a test calls, and what `fetch` answers. */
function fakeNetInfo(initial: NetInfoState) {
  const listeners = new Set<NetInfoChangeHandler>();
  const state = { current: initial };
  const netInfo = {
    addEventListener(listener: NetInfoChangeHandler): NetInfoSubscription {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    fetch: (_requestedInterface?: string): Promise<NetInfoState> => Promise.resolve(state.current),
  } satisfies NetInfoModule;
  const change = (next: NetInfoState) => {
    state.current = next;
    for (const listener of [...listeners]) listener(next);
  };
  return { netInfo, listeners, state, change };
}

/** React Native's AppState, typed by its declarations. */
function fakeAppState(initial: AppStateStatus) {
  const handlers = new Set<(status: AppStateStatus) => void>();
  const appState = {
    currentState: initial as string | null | undefined,
    addEventListener<K extends AppStateEvent>(type: K, handler: Parameters<typeof AppState.addEventListener<K>>[1]): EventSubscription {
      if (type !== 'change') return { remove() {} };
      const onChange = handler as (status: AppStateStatus) => void; // K is 'change' here
      handlers.add(onChange);
      return { remove: () => void handlers.delete(onChange) };
    },
  } satisfies AppStateModule;
  const change = (status: AppStateStatus) => {
    appState.currentState = status;
    for (const handler of [...handlers]) handler(status);
  };
  return { appState, handlers, change };
}

/** expo-battery, typed by its declarations. */
function fakeBattery(initial: PowerState) {
  const level = new Set<(event: BatteryLevelEvent) => void>();
  const state = new Set<(event: BatteryStateEvent) => void>();
  const mode = new Set<(event: PowerModeEvent) => void>();
  const subscribe = <T>(set: Set<T>, listener: T) => {
    set.add(listener);
    return { remove: () => void set.delete(listener) };
  };
  const battery = {
    getPowerStateAsync: (): Promise<PowerState> => Promise.resolve(initial),
    addBatteryLevelListener: (listener: (event: BatteryLevelEvent) => void) => subscribe(level, listener),
    addBatteryStateListener: (listener: (event: BatteryStateEvent) => void) => subscribe(state, listener),
    addLowPowerModeListener: (listener: (event: PowerModeEvent) => void) => subscribe(mode, listener),
  } satisfies BatteryModule;
  return {
    battery,
    count: () => level.size + state.size + mode.size,
    level: (batteryLevel: number) => level.forEach((listener) => listener({ batteryLevel })),
    state: (batteryState: BatteryState) => state.forEach((listener) => listener({ batteryState })),
    lowPowerMode: (lowPowerMode: boolean) => mode.forEach((listener) => listener({ lowPowerMode })),
  };
}

function logger() {
  const warned: string[] = [];
  return { warned, logger: { warn: (message: string) => void warned.push(message), error: (message: string) => void warned.push(message) } };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setupPlatform(options: { net?: NetInfoState; app?: AppStateStatus; power?: PowerState | null } = {}) {
  const net = fakeNetInfo(options.net ?? wifi());
  const app = fakeAppState(options.app ?? 'active');
  const power = options.power === null ? undefined : fakeBattery(options.power ?? { batteryLevel: 0.8, batteryState: UNPLUGGED, lowPowerMode: false });
  const log = logger();
  const platform = reactNativePlatform({
    netInfo: net.netInfo,
    appState: app.appState,
    ...(power ? { battery: power.battery } : {}),
    logger: log.logger,
  });
  const events: PlatformEvent[] = [];
  return { net, app, power, platform, events, listen: () => platform.subscribe((event) => events.push(event)), ...log };
}

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('reactNativePlatform: netinfo', () => {
  it('reports the connection once netinfo answered: online, metered when the connection is expensive', async () => {
    const { platform, events, listen } = setupPlatform({ net: cellular() });
    expect(platform.current()).toEqual({ foreground: true }); // netinfo and expo-battery answer asynchronously
    stops.push(listen());
    await settle();
    expect(events).toContainEqual({ type: 'network', online: true, metered: true });
    expect(platform.current()).toMatchObject({ online: true, metered: true });
  });

  it("a change heard before fetch's first answer is kept: the older answer does not undo it", async () => {
    const { net, platform, events, listen } = setupPlatform({ net: wifi() });
    stops.push(listen());
    net.change(offline()); // before fetch() (issued on subscribe, answering wifi) has settled
    await settle();
    expect(events.filter((e) => e.type === 'network')).toEqual([{ type: 'network', online: false, metered: false }]);
    expect(platform.current()).toMatchObject({ online: false });
  });

  it('maps each change: wifi, cellular, internet unreachable, disconnected; an unknown state tells nothing', async () => {
    const { net, events, listen } = setupPlatform();
    stops.push(listen());
    await settle();
    events.length = 0;
    net.change(cellular());
    net.change(wifi(false));
    net.change(wifi(null));
    net.change(offline());
    net.change(unknownNet());
    expect(events).toEqual([
      { type: 'network', online: true, metered: true },
      { type: 'network', online: false, metered: false },
      { type: 'network', online: true, metered: false },
      { type: 'network', online: false, metered: false },
    ]);
  });

  it("works with netinfo's own jest mock (its default state: cellular, expensive)", async () => {
    vi.stubGlobal('jest', vi);
    try {
      const mock = createRequire(import.meta.url)('@react-native-community/netinfo/jest/netinfo-mock.js') as NetInfoModule;
      const platform = reactNativePlatform({ netInfo: mock, appState: fakeAppState('active').appState });
      const stop = platform.subscribe(() => {});
      await settle();
      expect(platform.current()).toEqual({ online: true, metered: true, foreground: true });
      stop();
      expect(mock.addEventListener).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('reactNativePlatform: AppState', () => {
  it("'active' is the foreground; background, inactive and extension are not; unknown tells nothing", () => {
    const { app, platform, events, listen } = setupPlatform({ power: null });
    stops.push(listen());
    app.change('background');
    expect(platform.current()).toMatchObject({ foreground: false });
    app.change('active');
    app.change('inactive');
    app.change('extension');
    app.change('unknown');
    expect(events.filter((event) => event.type === 'lifecycle')).toEqual([
      { type: 'lifecycle', foreground: false },
      { type: 'lifecycle', foreground: true },
      { type: 'lifecycle', foreground: false },
      { type: 'lifecycle', foreground: false },
    ]);
    expect(platform.current()).not.toHaveProperty('foreground');
  });
});

describe('reactNativePlatform: its clock', () => {
  it('re-arms its timers for the wall clock on every AppState change: what fell due while the app was suspended fires once', async () => {
    const host = new SleepingHost();
    const app = fakeAppState('active');
    const platform = reactNativePlatform({ netInfo: fakeNetInfo(wifi()).netInfo, appState: app.appState, clock: host });
    stops.push(platform.subscribe(() => {}));
    const fired: number[] = [];
    platform.clock.setTimeout(() => fired.push(host.now()), 10 * 60_000);
    app.change('background');
    host.sleep(60 * 60_000); // suspended for an hour: no timer moved
    await host.timers.advance(0);
    expect(fired).toEqual([]);
    app.change('active');
    await host.timers.advance(0);
    expect(fired).toEqual([host.now()]);
    expect(platform.clock.pendingTimers()).toBe(0);
  });
});

describe('reactNativePlatform: expo-battery', () => {
  it('reads the power state on subscribe: charging or full is charging, a low level unplugged is low', async () => {
    const { platform, events, listen } = setupPlatform({ power: { batteryLevel: 0.1, batteryState: UNPLUGGED, lowPowerMode: false } });
    stops.push(listen());
    await settle();
    expect(events).toContainEqual({ type: 'power', charging: false, batteryLow: true });
    expect(platform.current()).toMatchObject({ charging: false, batteryLow: true });
  });

  it("a battery change heard before getPowerStateAsync's answer is kept; the answer fills in only the rest", async () => {
    const { power, platform, listen } = setupPlatform({ power: { batteryLevel: 0.9, batteryState: UNPLUGGED, lowPowerMode: false } });
    stops.push(listen());
    power!.state(CHARGING); // before the first read (unplugged) answers
    await settle();
    expect(platform.current()).toMatchObject({ charging: true, batteryLow: false });
    power!.level(0.05);
    expect(platform.current()).toMatchObject({ charging: true, batteryLow: false }); // charging: not low
    power!.state(UNPLUGGED);
    expect(platform.current()).toMatchObject({ charging: false, batteryLow: true }); // the level the listener told
  });

  it('maps level, state and low-power-mode changes', async () => {
    const { power, events, listen } = setupPlatform({ power: { batteryLevel: 0.5, batteryState: UNPLUGGED, lowPowerMode: false } });
    stops.push(listen());
    await settle();
    events.length = 0;
    power!.level(0.12);
    power!.state(CHARGING);
    power!.state(FULL);
    power!.state(NOT_CHARGING);
    power!.level(0.9);
    power!.lowPowerMode(true);
    power!.lowPowerMode(false);
    expect(events).toEqual([
      { type: 'power', charging: false, batteryLow: true },
      { type: 'power', charging: true, batteryLow: false },
      { type: 'power', charging: true, batteryLow: false },
      { type: 'power', charging: false, batteryLow: true },
      { type: 'power', charging: false, batteryLow: false },
      { type: 'power', charging: false, batteryLow: true },
      { type: 'power', charging: false, batteryLow: false },
    ]);
  });

  it('an unknown battery state and level (a simulator: -1) leave charging unknown', async () => {
    const { platform, listen } = setupPlatform({ power: { batteryLevel: -1, batteryState: UNKNOWN, lowPowerMode: false } });
    stops.push(listen());
    await settle();
    expect(platform.current()).not.toHaveProperty('charging');
    expect(platform.current()).toMatchObject({ batteryLow: false });
  });

  it('without expo-battery, power stays unknown and idle is never reported', async () => {
    const { platform, listen } = setupPlatform({ power: null });
    stops.push(listen());
    await settle();
    expect(platform.current()).toEqual({ online: true, metered: false, foreground: true });
  });
});

describe('reactNativePlatform: unsubscribing and failing modules', () => {
  it('unsubscribing removes every listener it added, and an answer arriving later tells nothing', async () => {
    const { net, app, power, events, listen } = setupPlatform();
    const stop = listen();
    expect(net.listeners.size).toBe(1);
    expect(app.handlers.size).toBe(1);
    expect(power!.count()).toBe(3);
    stop();
    expect(net.listeners.size).toBe(0);
    expect(app.handlers.size).toBe(0);
    expect(power!.count()).toBe(0);
    await settle(); // fetch and getPowerStateAsync resolve after the unsubscribe
    expect(events).toEqual([]);
  });

  it('a module that throws or rejects is reported; its conditions stay unknown and the others still work', async () => {
    const app = fakeAppState('active');
    const power = fakeBattery({ batteryLevel: 0.5, batteryState: CHARGING, lowPowerMode: false });
    const log = logger();
    const platform = reactNativePlatform({
      netInfo: {
        addEventListener: () => {
          throw new Error('RNCNetInfo is null');
        },
        fetch: () => Promise.reject(new Error('RNCNetInfo is null')),
      },
      appState: app.appState,
      battery: { ...power.battery, getPowerStateAsync: () => Promise.reject(new Error('ExpoBattery is not linked')) },
      logger: log.logger,
    });
    const events: PlatformEvent[] = [];
    stops.push(platform.subscribe((event) => events.push(event)));
    await settle();
    expect(log.warned.some((message) => message.includes('netInfo.addEventListener'))).toBe(true);
    expect(log.warned.some((message) => message.includes('netInfo.fetch'))).toBe(true);
    expect(log.warned.some((message) => message.includes('Battery.getPowerStateAsync'))).toBe(true);
    expect(platform.current()).toEqual({ foreground: true });
    app.change('background');
    power.state(CHARGING);
    expect(events).toEqual([
      { type: 'lifecycle', foreground: false },
      { type: 'power', charging: true, batteryLow: false },
    ]);
  });

  it('an AppState whose currentState throws leaves foreground unknown', () => {
    const log = logger();
    const appState: AppStateModule = {
      get currentState(): string {
        throw new Error('AppState is not ready');
      },
      addEventListener: fakeAppState('active').appState.addEventListener,
    };
    const platform = reactNativePlatform({ netInfo: fakeNetInfo(wifi()).netInfo, appState, logger: log.logger });
    expect(platform.current()).toEqual({});
    expect(log.warned.some((message) => message.includes('AppState.currentState'))).toBe(true);
  });

  it('refuses bad options by name', () => {
    const { netInfo } = fakeNetInfo(wifi());
    expect(validationErrorOf(() => reactNativePlatform({ netInfo, appState: {} as AppStateModule })).field).toBe('appState.addEventListener');
    expect(validationErrorOf(() => reactNativePlatform({ netInfo, appState: fakeAppState('active').appState, lowBatteryLevel: 2 })).field).toBe('lowBatteryLevel');
  });
});

describe('reactNativePlatform drives the orchestrator', () => {
  it('unmetered work waits on cellular and runs once the phone is on wifi; foreground work waits in the background', async () => {
    const { net, app, platform } = setupPlatform({ net: cellular(), app: 'background' });
    const clock = testClock();
    const orchestrator = createOrchestrator({ platform, clock, store: memoryStore() });
    const ran: string[] = [];
    orchestrator.register('upload', () => void ran.push('upload'));
    orchestrator.register('refresh', () => void ran.push('refresh'));
    await orchestrator.start();
    stops.push(() => orchestrator.shutdown());
    await settle();
    await orchestrator.schedule({ taskId: 'upload', constraints: { network: 'unmetered' } });
    await orchestrator.schedule({ taskId: 'refresh', constraints: { foreground: true } });
    await clock.advance(0);
    expect(ran).toEqual([]);
    net.change(wifi());
    await clock.advance(0);
    expect(ran).toEqual(['upload']);
    app.change('active');
    await clock.advance(0);
    expect(ran).toEqual(['upload', 'refresh']);
  });
});
