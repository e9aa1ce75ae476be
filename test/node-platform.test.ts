import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOrchestrator, ValidationError, type PlatformEvent } from '../src/index.js';
import { nodePlatform, type NodePlatformOptions } from '../src/node/index.js';
import { memoryStore, testClock } from '../src/testing/index.js';
import { deferred, failOnUnhandledRejections } from './support.js';

failOnUnhandledRejections();

type FakeOs = NonNullable<NodePlatformOptions['os']>;
type Interfaces = ReturnType<FakeOs['networkInterfaces']>;

const loopback: NetworkInterfaceInfo = {
  address: '127.0.0.1',
  netmask: '255.0.0.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal: true,
  cidr: '127.0.0.1/8',
};
const ethernet = (address = '10.0.0.2'): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '02:42:ac:11:00:02',
  internal: false,
  cidr: `${address}/24`,
});
const linkLocal: NetworkInterfaceInfo = {
  address: 'fe80::1',
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac: '02:42:ac:11:00:02',
  internal: false,
  cidr: 'fe80::1/64',
  scopeid: 2,
};

/** A host whose interfaces and load a test changes between polls. */
function fakeOs(initial: { interfaces?: Interfaces; load?: number; cpus?: number } = {}) {
  const host = {
    interfaces: initial.interfaces ?? ({ lo: [loopback], eth0: [ethernet()] } as Interfaces),
    load: initial.load ?? 0.2,
    cpus: initial.cpus ?? 4,
  };
  const os: FakeOs = {
    networkInterfaces: () => host.interfaces,
    loadavg: () => [host.load, host.load, host.load],
    availableParallelism: () => host.cpus,
  };
  return { host, os };
}

/** Lets promise callbacks (a probe's answer) run; setImmediate stays real in these tests. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let tempDirs: string[] = [];

/** A /sys/class/power_supply look-alike: one folder per supply, one file per attribute. */
function powerSupplies(supplies: Record<string, Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'errand-power-'));
  tempDirs.push(dir);
  writeSupplies(dir, supplies);
  return dir;
}
function writeSupplies(dir: string, supplies: Record<string, Record<string, string>>): void {
  for (const [name, attributes] of Object.entries(supplies)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (const [file, value] of Object.entries(attributes)) writeFileSync(join(dir, name, file), `${value}\n`);
  }
}
const missingDir = () => join(powerSupplies(), 'does-not-exist');

describe('nodePlatform', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(() => {
    vi.useRealTimers();
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('rejects numeric options it cannot poll or compare with, naming the field', () => {
    expect(() => nodePlatform({ pollMs: 0 })).toThrow(expect.objectContaining({ name: 'ValidationError', field: 'pollMs' }));
    expect(() => nodePlatform({ pollMs: Number.NaN })).toThrow(expect.objectContaining({ field: 'pollMs' }));
    expect(() => nodePlatform({ lowBatteryPercent: 101 })).toThrow(expect.objectContaining({ field: 'lowBatteryPercent' }));
    expect(() => nodePlatform({ idleLoad: -1 })).toThrow(expect.objectContaining({ field: 'idleLoad' }));
    expect(() => nodePlatform({ pollMs: 1_000, lowBatteryPercent: 0, idleLoad: 2 })).not.toThrow();
  });

  it('checks every other option at construction too: functions, the power directory, os, unknown keys', () => {
    const fieldOf = (options: unknown): string | undefined => {
      try {
        nodePlatform(options as NodePlatformOptions);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).field;
      }
    };
    expect(fieldOf({ probe: true })).toBe('probe');
    expect(fieldOf({ probe: Promise.resolve(true) })).toBe('probe');
    expect(fieldOf({ metered: false })).toBe('metered');
    expect(fieldOf({ powerSupplyDir: '' })).toBe('powerSupplyDir');
    expect(fieldOf({ powerSupplyDir: 1 })).toBe('powerSupplyDir');
    expect(fieldOf({ os: {} })).toBe('os.networkInterfaces');
    expect(fieldOf({ os: { networkInterfaces: () => ({}), loadavg: () => [0, 0, 0] } })).toBe('os.availableParallelism');
    expect(fieldOf({ pollMS: 1_000 })).toBe('pollMS');
    expect(fieldOf('fast')).toBe('options');
    expect(fieldOf({ probe: async () => true, metered: () => false, powerSupplyDir: '/nowhere', os: fakeOs().os })).toBeUndefined();
    expect(fieldOf(undefined)).toBeUndefined();
  });

  it('reports what a server offers now: online, unmetered, foreground, idle, and no power without a battery', () => {
    const { os } = fakeOs({ load: 1.9, cpus: 4 });
    expect(nodePlatform({ os, powerSupplyDir: missingDir() }).current()).toEqual({
      online: true,
      metered: false,
      foreground: true,
      idle: true,
    });
  });

  it('counts as online only with a non-internal interface that has a routable address', () => {
    const { host, os } = fakeOs({ interfaces: { lo: [loopback] } });
    const platform = nodePlatform({ os, powerSupplyDir: missingDir() });
    expect(platform.current().online).toBe(false);
    host.interfaces = { lo: [loopback], eth0: [linkLocal], wlan0: [] };
    expect(platform.current().online).toBe(false);
    host.interfaces = { lo: [loopback], eth0: [linkLocal, ethernet('192.168.1.20')] };
    expect(platform.current().online).toBe(true);
  });

  it('reads Linux power supplies: mains online, battery low only when discharging at or below the threshold', () => {
    const { os } = fakeOs();
    const power = (supplies: Record<string, Record<string, string>>, options: NodePlatformOptions = {}) => {
      const { charging, batteryLow } = nodePlatform({ os, powerSupplyDir: powerSupplies(supplies), ...options }).current();
      return { charging, batteryLow };
    };
    const battery = (status: string, capacity: string) => ({ type: 'Battery', status, capacity });

    expect(power({ AC: { type: 'Mains', online: '1' }, BAT0: battery('Discharging', '10') })).toEqual({
      charging: true,
      batteryLow: false,
    });
    expect(power({ AC: { type: 'Mains', online: '0' }, BAT0: battery('Discharging', '10') })).toEqual({
      charging: false,
      batteryLow: true,
    });
    expect(power({ BAT0: battery('Discharging', '50') })).toEqual({ charging: false, batteryLow: false });
    expect(power({ BAT0: battery('Charging', '10') })).toEqual({ charging: true, batteryLow: false });
    expect(power({ BAT0: battery('Full', '100') })).toEqual({ charging: true, batteryLow: false });
    expect(power({ 'ucsi-source-psy-1': { type: 'USB', online: '1' }, BAT0: battery('Discharging', '5') })).toEqual({
      charging: true,
      batteryLow: false,
    });
    expect(power({ BAT0: battery('Discharging', '20') }, { lowBatteryPercent: 20 })).toEqual({
      charging: false,
      batteryLow: true,
    });
    expect(power({ BAT0: battery('Discharging', '') })).toEqual({ charging: false, batteryLow: false });
  });

  it('reports nothing for power without a system battery: no directory, none listed, mains only, a mouse battery', () => {
    const { os } = fakeOs();
    const expected = { online: true, metered: false, foreground: true, idle: true };
    const read = (powerSupplyDir: string) => nodePlatform({ os, powerSupplyDir }).current();
    expect(read(missingDir())).toEqual(expected);
    expect(read(powerSupplies())).toEqual(expected);
    expect(read(powerSupplies({ AC: { type: 'Mains', online: '1' } }))).toEqual(expected);
    expect(
      read(powerSupplies({ 'hidpp_battery_0': { type: 'Battery', scope: 'Device', status: 'Discharging', capacity: '3' } })),
    ).toEqual(expected);
  });

  it('counts the host as idle while the 1-minute load per CPU is below idleLoad', () => {
    const { host, os } = fakeOs({ load: 1.9, cpus: 4 });
    const platform = nodePlatform({ os, powerSupplyDir: missingDir() });
    expect(platform.current().idle).toBe(true); // 0.475
    host.load = 2;
    expect(platform.current().idle).toBe(false); // 0.5 is not below 0.5
    expect(nodePlatform({ os, powerSupplyDir: missingDir(), idleLoad: 0.75 }).current().idle).toBe(true);
    host.load = 0; // what Windows always reports
    expect(platform.current().idle).toBe(true);
  });

  it('never throws out of a read: what cannot be read is left out, and unknown counts as met', () => {
    const failing: FakeOs = {
      networkInterfaces: () => {
        throw new Error('uv_interface_addresses returned Unknown system error 1');
      },
      loadavg: () => {
        throw new Error('no load');
      },
      availableParallelism: () => 1,
    };
    const metered = () => {
      throw new Error('no idea');
    };
    expect(nodePlatform({ os: failing, powerSupplyDir: missingDir(), metered }).current()).toEqual({
      metered: false,
      foreground: true,
    });
  });

  it('polls every pollMs and emits a group only when its values changed', () => {
    const { host, os } = fakeOs();
    const dir = powerSupplies({ AC: { type: 'Mains', online: '1' }, BAT0: { type: 'Battery', status: 'Charging', capacity: '40' } });
    let metered = false;
    const platform = nodePlatform({ os, powerSupplyDir: dir, pollMs: 1_000, metered: () => metered });
    platform.current();
    const events: PlatformEvent[] = [];
    const stop = platform.subscribe((event) => events.push(event));

    vi.advanceTimersByTime(3_000);
    expect(events).toEqual([]); // nothing changed, nothing said

    host.interfaces = { lo: [loopback] };
    vi.advanceTimersByTime(999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual([{ type: 'network', online: false, metered: false }]);
    vi.advanceTimersByTime(5_000);
    expect(events).toHaveLength(1);

    writeSupplies(dir, { AC: { online: '0' }, BAT0: { status: 'Discharging', capacity: '12' } });
    host.load = 8;
    metered = true;
    vi.advanceTimersByTime(1_000);
    expect(events.slice(1)).toEqual([
      { type: 'network', online: false, metered: true },
      { type: 'power', charging: false, batteryLow: true },
      { type: 'idle', idle: false },
    ]);
    vi.advanceTimersByTime(5_000);
    expect(events).toHaveLength(4);
    stop();
  });

  it('compares its first poll with what current() reported, so a change in between is not missed', () => {
    const { host, os } = fakeOs();
    const platform = nodePlatform({ os, powerSupplyDir: missingDir() });
    expect(platform.current().online).toBe(true);
    host.interfaces = {};
    const events: PlatformEvent[] = [];
    const stop = platform.subscribe((event) => events.push(event));
    vi.advanceTimersByTime(5_000);
    expect(events).toEqual([{ type: 'network', online: false, metered: false }]);
    stop();
  });

  it('lets a probe decide online: true, false, and a rejected or throwing probe counts as offline', async () => {
    const { os } = fakeOs({ interfaces: {} });
    let answer: () => Promise<boolean> = () => Promise.resolve(true);
    const probe = vi.fn(() => answer());
    const platform = nodePlatform({ os, powerSupplyDir: missingDir(), probe });
    expect(platform.current().online).toBe(false); // before the probe answers, the interfaces decide
    const events: PlatformEvent[] = [];
    const stop = platform.subscribe((event) => events.push(event));
    expect(probe).toHaveBeenCalledTimes(1); // probed at once, not a poll later
    await settle();
    expect(events).toEqual([{ type: 'network', online: true, metered: false }]);
    expect(platform.current().online).toBe(true);

    vi.advanceTimersByTime(5_000);
    await settle();
    expect(events).toHaveLength(1); // still true: nothing new

    answer = () => Promise.resolve(false);
    vi.advanceTimersByTime(5_000);
    await settle();
    expect(events.slice(1)).toEqual([{ type: 'network', online: false, metered: false }]);

    answer = () => Promise.resolve(true);
    vi.advanceTimersByTime(5_000);
    await settle();
    answer = () => Promise.reject(new Error('ENOTFOUND example.com'));
    vi.advanceTimersByTime(5_000);
    await settle();
    answer = () => Promise.resolve(true);
    vi.advanceTimersByTime(5_000);
    await settle();
    answer = () => {
      throw new Error('thrown, not rejected');
    };
    vi.advanceTimersByTime(5_000);
    await settle();
    expect(events.slice(2)).toEqual([
      { type: 'network', online: true, metered: false },
      { type: 'network', online: false, metered: false },
      { type: 'network', online: true, metered: false },
      { type: 'network', online: false, metered: false },
    ]);
    expect(probe).toHaveBeenCalledTimes(7);
    stop();
  });

  it('runs one probe at a time and counts one still pending at the next poll as offline', async () => {
    const { os } = fakeOs();
    const pending = deferred<boolean>();
    const probe = vi.fn(() => pending.promise);
    const events: PlatformEvent[] = [];
    const stop = nodePlatform({ os, powerSupplyDir: missingDir(), probe }).subscribe((event) => events.push(event));
    await settle();
    expect(events).toEqual([]);
    vi.advanceTimersByTime(5_000);
    expect(events).toEqual([{ type: 'network', online: false, metered: false }]);
    vi.advanceTimersByTime(5_000);
    expect(probe).toHaveBeenCalledTimes(1);
    pending.resolve(true);
    await settle();
    expect(events.slice(1)).toEqual([{ type: 'network', online: true, metered: false }]);
    stop();
  });

  it('keeps every subscriber informed and stops polling only when the last one leaves', () => {
    const { host, os } = fakeOs();
    const platform = nodePlatform({ os, powerSupplyDir: missingDir() });
    platform.current();
    const a: PlatformEvent[] = [];
    const b: PlatformEvent[] = [];
    const stopA = platform.subscribe((event) => a.push(event));
    const stopB = platform.subscribe((event) => b.push(event));
    expect(vi.getTimerCount()).toBe(1); // one timer shared by both

    host.load = 4;
    vi.advanceTimersByTime(5_000);
    expect(a).toEqual([{ type: 'idle', idle: false }]);
    expect(b).toEqual([{ type: 'idle', idle: false }]);

    stopA();
    stopA(); // a second call must not take B's timer with it
    expect(vi.getTimerCount()).toBe(1);
    host.load = 0;
    vi.advanceTimersByTime(5_000);
    expect(a).toHaveLength(1);
    expect(b).toEqual([
      { type: 'idle', idle: false },
      { type: 'idle', idle: true },
    ]);

    stopB();
    expect(vi.getTimerCount()).toBe(0);
    host.load = 4;
    host.interfaces = {};
    vi.advanceTimersByTime(60_000);
    expect(b).toHaveLength(2);

    // Subscribing again starts polling again.
    const c: PlatformEvent[] = [];
    const stopC = platform.subscribe((event) => c.push(event));
    vi.advanceTimersByTime(5_000);
    expect(c).toEqual([
      { type: 'network', online: false, metered: false },
      { type: 'idle', idle: false },
    ]);
    stopC();
  });

  it("polls on an unref'd timer, so watching conditions never keeps the process alive", () => {
    vi.useRealTimers();
    const spy = vi.spyOn(globalThis, 'setInterval');
    try {
      const stop = nodePlatform({ os: fakeOs().os, powerSupplyDir: missingDir() }).subscribe(() => {});
      expect(spy).toHaveBeenCalledTimes(1);
      const handle = spy.mock.results[0]?.value as NodeJS.Timeout;
      expect(handle.hasRef()).toBe(false);
      stop();
    } finally {
      spy.mockRestore();
    }
  });

  it('holds network-bound work in an orchestrator while no interface is up, and runs it once one appears', async () => {
    const { host, os } = fakeOs({ interfaces: { lo: [loopback] } });
    const clock = testClock();
    const orchestrator = createOrchestrator({
      clock,
      store: memoryStore(),
      platform: nodePlatform({ os, powerSupplyDir: missingDir() }),
    });
    let runs = 0;
    orchestrator.register('sync', async () => void runs++);
    await orchestrator.start();
    await orchestrator.schedule({ taskId: 'sync', constraints: { network: 'any' } });
    await clock.flush();
    expect((await orchestrator.getTask('sync'))).toMatchObject({ status: 'constrained', unmetConstraints: ['network'] });

    host.interfaces = { lo: [loopback], eth0: [ethernet()] };
    vi.advanceTimersByTime(4_999);
    await clock.flush();
    expect((await orchestrator.getTask('sync'))?.status).toBe('constrained'); // not until the poll
    vi.advanceTimersByTime(1);
    await clock.flush();
    expect(runs).toBe(1);
    expect((await orchestrator.getTask('sync'))?.status).toBe('done');

    await orchestrator.shutdown();
    expect(vi.getTimerCount()).toBe(0); // shutdown unsubscribed, and the poll stopped
  });
});
