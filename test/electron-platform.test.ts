import { EventEmitter } from 'node:events';
import type { Net, PowerMonitor } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { electronPlatform, ResumableClock, type NetModule, type PowerMonitorModule } from '../src/electron/index.js';
import { createOrchestrator, type PlatformEvent } from '../src/index.js';
import { memoryStore, TestClock } from '../src/testing/index.js';
import { SleepingHost } from './support/sleeping-host.js';
import { failOnUnhandledRejections, validationErrorOf } from './support.js';

failOnUnhandledRejections();

type IdleState = ReturnType<PowerMonitor['getSystemIdleState']>;
/** The powerMonitor events the adapter maps (its calls of `on` check each name against Electron's declarations). */
const MAPPED_EVENTS = [
  'on-ac',
  'on-battery',
  'suspend',
  'resume',
  'lock-screen',
  'unlock-screen',
  'user-did-become-active',
  'user-did-resign-active',
] as const;

/**
 * Electron's powerMonitor, implementing Electron's whole PowerMonitor declaration (a drifted method
 * fails tsc): an EventEmitter, as the real one is, with the idle state and battery power a test sets.
 */
class FakePowerMonitor extends EventEmitter implements PowerMonitor {
  idle: IdleState = 'active';
  onBattery = false;

  get onBatteryPower(): boolean {
    return this.onBattery;
  }

  getCurrentThermalState(): ReturnType<PowerMonitor['getCurrentThermalState']> {
    return 'nominal';
  }

  getSystemIdleTime(): number {
    return this.idle === 'active' ? 0 : 600;
  }
  thresholds: number[] = [];
  throwing = false;

  getSystemIdleState(idleThreshold: number): IdleState {
    if (this.throwing) throw new Error('powerMonitor is not ready');
    this.thresholds.push(idleThreshold);
    return this.idle;
  }

  isOnBatteryPower(): boolean {
    if (this.throwing) throw new Error('powerMonitor is not ready');
    return this.onBattery;
  }

  fire(event: (typeof MAPPED_EVENTS)[number]): void {
    this.emit(event);
  }

  listenerTotal(): number {
    return MAPPED_EVENTS.reduce((sum, event) => sum + this.listenerCount(event), 0);
  }
}

function fakeNet(initial = true) {
  const state = { online: initial };
  const net = { isOnline: () => state.online } satisfies NetModule satisfies Pick<Net, 'isOnline'>;
  return { state, net };
}

function logger() {
  const warned: string[] = [];
  return { warned, logger: { warn: (message: string) => void warned.push(message), error: (message: string) => void warned.push(message) } };
}

function setupPlatform(options: { idle?: IdleState; onBattery?: boolean; online?: boolean; pollMs?: number } = {}) {
  const powerMonitor = new FakePowerMonitor();
  powerMonitor.idle = options.idle ?? 'active';
  powerMonitor.onBattery = options.onBattery ?? false;
  const { state: net, net: netModule } = fakeNet(options.online ?? true);
  const host = new SleepingHost();
  const log = logger();
  const platform = electronPlatform({ powerMonitor, net: netModule, clock: host, pollMs: options.pollMs ?? 1_000, logger: log.logger });
  const events: PlatformEvent[] = [];
  return { powerMonitor, net, host, platform, events, listen: () => platform.subscribe((event) => events.push(event)), ...log };
}

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('electronPlatform: what it reports', () => {
  it('current(): online from net.isOnline(), charging from the power source, idle and foreground from the system idle state', () => {
    const { platform, powerMonitor, net } = setupPlatform({ onBattery: true, online: false });
    expect(platform.current()).toEqual({ online: false, charging: false, idle: false, foreground: true });
    powerMonitor.onBattery = false;
    powerMonitor.idle = 'idle';
    net.online = true;
    expect(platform.current()).toEqual({ online: true, charging: true, idle: true, foreground: true });
    powerMonitor.idle = 'locked';
    expect(platform.current()).toMatchObject({ idle: true, foreground: false });
    powerMonitor.idle = 'unknown';
    expect(platform.current()).toEqual({ online: true, charging: true });
    expect(powerMonitor.thresholds.every((seconds) => seconds === 300)).toBe(true);
  });

  it('on-ac and on-battery are charging and not charging', () => {
    const { powerMonitor, events, listen } = setupPlatform();
    stops.push(listen());
    powerMonitor.fire('on-battery');
    powerMonitor.fire('on-ac');
    expect(events).toEqual([
      { type: 'power', charging: false },
      { type: 'power', charging: true },
    ]);
  });

  it('lock-screen is idle and background; unlock-screen reads the idle state again', () => {
    const { powerMonitor, events, listen } = setupPlatform();
    stops.push(listen());
    powerMonitor.fire('lock-screen');
    expect(events).toEqual([
      { type: 'idle', idle: true },
      { type: 'lifecycle', foreground: false },
    ]);
    events.length = 0;
    powerMonitor.fire('unlock-screen');
    expect(events).toEqual([
      { type: 'idle', idle: false },
      { type: 'lifecycle', foreground: true },
    ]);
  });

  it("user-did-resign-active and user-did-become-active (macOS's fast user switching) are background and foreground", () => {
    const { powerMonitor, events, listen } = setupPlatform();
    stops.push(listen());
    powerMonitor.fire('user-did-resign-active');
    powerMonitor.fire('user-did-become-active');
    expect(events).toEqual([
      { type: 'lifecycle', foreground: false },
      { type: 'lifecycle', foreground: true },
    ]);
  });

  it('polls net.isOnline() and the idle state, telling only changes', async () => {
    const { powerMonitor, net, host, events, listen } = setupPlatform({ pollMs: 1_000 });
    stops.push(listen());
    await host.timers.advance(3_000);
    expect(events).toEqual([]);
    net.online = false;
    await host.timers.advance(1_000);
    expect(events).toEqual([{ type: 'network', online: false }]);
    powerMonitor.idle = 'idle';
    await host.timers.advance(1_000);
    expect(events).toEqual([
      { type: 'network', online: false },
      { type: 'idle', idle: true },
    ]);
    powerMonitor.idle = 'locked';
    await host.timers.advance(1_000);
    expect(events.at(-1)).toEqual({ type: 'lifecycle', foreground: false });
  });

  it('suspend stops polling and is background; resume reads everything at once and polls again', async () => {
    const { powerMonitor, net, host, events, listen } = setupPlatform({ pollMs: 1_000 });
    stops.push(listen());
    powerMonitor.fire('suspend');
    expect(events).toEqual([{ type: 'lifecycle', foreground: false }]);
    expect(host.timers.pendingTimers()).toBe(0);
    net.online = false;
    powerMonitor.fire('resume');
    expect(events).toEqual([
      { type: 'lifecycle', foreground: false },
      { type: 'network', online: false },
      { type: 'lifecycle', foreground: true },
    ]);
    net.online = true;
    await host.timers.advance(1_000);
    expect(events.at(-1)).toEqual({ type: 'network', online: true });
  });

  it('unsubscribing removes every powerMonitor listener and the poll timer', () => {
    const { powerMonitor, host, events, listen } = setupPlatform();
    const stop = listen();
    expect(powerMonitor.listenerTotal()).toBe(MAPPED_EVENTS.length);
    stop();
    expect(powerMonitor.listenerTotal()).toBe(0);
    expect(host.timers.pendingTimers()).toBe(0);
    powerMonitor.fire('on-battery');
    expect(events).toEqual([]);
  });

  it('a module that throws is reported and what it tells stays unknown', () => {
    const { platform, powerMonitor, warned } = setupPlatform();
    powerMonitor.throwing = true;
    expect(platform.current()).toEqual({ online: true });
    expect(warned.some((message) => message.includes('getSystemIdleState'))).toBe(true);
    expect(warned.some((message) => message.includes('isOnBatteryPower'))).toBe(true);

    const failingOn = new FakePowerMonitor();
    failingOn.on = () => {
      throw new Error('not ready before app ready');
    };
    const log = logger();
    const unready = electronPlatform({ powerMonitor: failingOn, net: fakeNet().net, clock: new TestClock(), logger: log.logger });
    const stop = unready.subscribe(() => {});
    stops.push(stop);
    expect(log.warned.filter((message) => message.includes("powerMonitor.on('"))).toHaveLength(MAPPED_EVENTS.length);
  });

  it('refuses bad options by name', () => {
    expect(validationErrorOf(() => electronPlatform({ powerMonitor: {} as PowerMonitorModule, net: fakeNet().net })).field).toBe('powerMonitor.on');
    expect(validationErrorOf(() => electronPlatform({ powerMonitor: new FakePowerMonitor(), net: fakeNet().net, pollMs: 0 })).field).toBe('pollMs');
  });
});

describe('electronPlatform: sleep and resume', () => {
  it('ResumableClock: after a sleep, resync fires what fell due during it once, in due order, and re-aims later timers', async () => {
    const host = new SleepingHost();
    const clock = new ResumableClock(host);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20 * 60_000);
    clock.setTimeout(() => fired.push('a'), 10 * 60_000);
    clock.setTimeout(() => fired.push('later'), 3 * 60 * 60_000);
    host.sleep(2 * 60 * 60_000);
    await host.timers.advance(0);
    expect(fired).toEqual([]); // the host's timers slept too: nothing is due on them yet
    clock.resync();
    await host.timers.advance(0);
    expect(fired).toEqual(['a', 'b']);
    await host.timers.advance(60 * 60_000 - 1);
    expect(fired).toEqual(['a', 'b']);
    await host.timers.advance(1);
    expect(fired).toEqual(['a', 'b', 'later']);
    expect(clock.pendingTimers()).toBe(0);
  });

  async function orchestratorOn(withResume: boolean) {
    const parts = setupPlatform();
    const runs: Record<string, number[]> = { report: [], sync: [] };
    const orchestrator = createOrchestrator({
      platform: parts.platform,
      clock: withResume ? parts.platform.clock : parts.host,
      store: memoryStore(),
      logger: parts.logger,
    });
    orchestrator.register('report', () => void runs.report!.push(parts.host.now()));
    orchestrator.register('sync', () => void runs.sync!.push(parts.host.now()));
    await orchestrator.start();
    stops.push(() => orchestrator.shutdown());
    await orchestrator.schedule({ taskId: 'report', initialDelayMs: 10 * 60_000 });
    await orchestrator.schedule({ taskId: 'sync', kind: 'periodic', intervalMs: 60_000 });
    await parts.host.timers.advance(0);
    return { ...parts, runs, orchestrator };
  }

  it('work due during a sleep runs once on resume, not in a burst; the periodic counts its next period from that run', async () => {
    const { host, powerMonitor, runs } = await orchestratorOn(true);
    expect(runs.sync).toHaveLength(1);
    const start = host.now();
    powerMonitor.fire('suspend');
    host.sleep(2 * 60 * 60_000); // two hours: 120 of sync's periods and report's due time
    powerMonitor.fire('resume');
    const resumedAt = host.now();
    await host.timers.advance(0);
    expect(runs.report).toEqual([resumedAt]);
    expect(runs.sync).toEqual([start, resumedAt]);
    await host.timers.advance(59_999);
    expect(runs.sync).toHaveLength(2);
    await host.timers.advance(1);
    expect(runs.sync).toEqual([start, resumedAt, resumedAt + 60_000]);
    expect(runs.report).toHaveLength(1);
  });

  it('without the resumable clock, the same sleep leaves the due work waiting after resume (what resync fixes)', async () => {
    const { host, powerMonitor, runs } = await orchestratorOn(false);
    powerMonitor.fire('suspend');
    host.sleep(2 * 60 * 60_000);
    powerMonitor.fire('resume');
    await host.timers.advance(0);
    expect(runs.report).toEqual([]);
    expect(runs.sync).toHaveLength(1);
  });
});
