// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserPlatform } from '../src/browser/index.js';
import { ValidationError, type PlatformEvent } from '../src/index.js';
import { setup } from './support.js';

class FakeBattery extends EventTarget {
  constructor(
    public charging: boolean,
    public level: number,
  ) {
    super();
  }
}
class FakeConnection extends EventTarget {
  type = 'wifi';
  saveData = false;
}

function stubBrowser(options: { online?: boolean; visible?: boolean; battery?: FakeBattery } = {}) {
  let online = options.online ?? true;
  let visibility: DocumentVisibilityState = options.visible === false ? 'hidden' : 'visible';
  const connection = new FakeConnection();
  Object.defineProperty(window.navigator, 'onLine', { configurable: true, get: () => online });
  Object.defineProperty(window.navigator, 'connection', { configurable: true, value: connection });
  Object.defineProperty(window.navigator, 'getBattery', {
    configurable: true,
    value: options.battery ? () => Promise.resolve(options.battery) : undefined,
  });
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
  return {
    connection,
    setOnline(value: boolean) {
      online = value;
      window.dispatchEvent(new Event(value ? 'online' : 'offline'));
    },
    setVisible(value: boolean) {
      visibility = value ? 'visible' : 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
    },
  };
}

describe('browserPlatform', () => {
  afterEach(() => void vi.useRealTimers());

  it('reports what the browser knows now', () => {
    stubBrowser({ online: false, visible: false });
    expect(browserPlatform().current()).toEqual({ online: false, metered: false, foreground: false, idle: false });
  });

  it('turns online/offline, connection, visibility and battery changes into platform events', async () => {
    const battery = new FakeBattery(true, 0.5);
    const browser = stubBrowser({ battery });
    const events: PlatformEvent[] = [];
    const stop = browserPlatform().subscribe((event) => events.push(event));
    await Promise.resolve();
    await Promise.resolve();
    browser.setOnline(false);
    browser.connection.type = 'cellular';
    browser.setOnline(true);
    browser.connection.saveData = true;
    browser.connection.type = 'wifi';
    browser.connection.dispatchEvent(new Event('change'));
    browser.setVisible(false);
    battery.charging = false;
    battery.level = 0.1;
    battery.dispatchEvent(new Event('levelchange'));
    expect(events).toEqual([
      { type: 'power', charging: true, batteryLow: false },
      { type: 'network', online: false, metered: false },
      { type: 'network', online: true, metered: true },
      { type: 'network', online: true, metered: true },
      { type: 'lifecycle', foreground: false },
      { type: 'power', charging: false, batteryLow: true },
    ]);
    stop();
    browser.setOnline(false);
    battery.dispatchEvent(new Event('chargingchange'));
    expect(events).toHaveLength(6);
  });

  it('reports idle after a quiet spell and active again on input', () => {
    vi.useFakeTimers();
    stubBrowser();
    const events: PlatformEvent[] = [];
    const stop = browserPlatform({ idleAfterMs: 60_000 }).subscribe((event) => events.push(event));
    vi.advanceTimersByTime(30_000);
    window.dispatchEvent(new Event('keydown')); // resets the quiet spell
    vi.advanceTimersByTime(59_999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual([{ type: 'idle', idle: true }]);
    window.dispatchEvent(new Event('pointerdown'));
    expect(events).toEqual([
      { type: 'idle', idle: true },
      { type: 'idle', idle: false },
    ]);
    stop();
    vi.advanceTimersByTime(120_000);
    expect(events).toHaveLength(2);
  });

  it('holds network-bound work while the browser is offline', async () => {
    const browser = stubBrowser({ online: false });
    const { orchestrator, clock } = setup({ platform: browserPlatform() });
    let runs = 0;
    orchestrator.register('sync', async () => void runs++);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'sync', constraints: { network: 'any' } });
    expect((await orchestrator.getTask('sync'))?.status).toBe('constrained');
    browser.setOnline(true);
    await clock.flush();
    expect(runs).toBe(1);
    await orchestrator.shutdown();
  });

  it('checks every option at construction, naming the bad one', () => {
    const fieldOf = (options: unknown): string | undefined => {
      try {
        browserPlatform(options as Parameters<typeof browserPlatform>[0]);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).field;
      }
    };
    expect(fieldOf({ idleAfterMs: Number.NaN })).toBe('idleAfterMs');
    expect(fieldOf({ idleAfterMs: -1 })).toBe('idleAfterMs');
    expect(fieldOf({ idleAfterMs: 1.5 })).toBe('idleAfterMs');
    expect(fieldOf({ idleAfterMs: '5000' })).toBe('idleAfterMs');
    expect(fieldOf({ lowBatteryLevel: 15 })).toBe('lowBatteryLevel');
    expect(fieldOf({ lowBatteryLevel: Number.NaN })).toBe('lowBatteryLevel');
    expect(fieldOf({ window: {} })).toBe('window.addEventListener');
    expect(fieldOf({ window: new EventTarget() })).toBe('window');
    expect(fieldOf({ idleAfter: 1_000 })).toBe('idleAfter');
    expect(fieldOf(null)).toBe('options');
    expect(fieldOf({ window, idleAfterMs: 0, lowBatteryLevel: 1 })).toBeUndefined();
    expect(fieldOf(undefined)).toBeUndefined();
  });
});
