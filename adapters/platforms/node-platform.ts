import { readdirSync, readFileSync } from 'node:fs';
import * as nodeOs from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { unconstrainedConditions, type Conditions, type PlatformEvent } from '../../src/core/conditions.js';
import { MAX_TIMER_MS } from '../../src/core/clock.js';
import { functionOption, methodsOption, optionsObject, parseOptions } from '../../src/core/option-checks.js';
import type { PlatformPort } from '../../src/core/ports.js';

export interface NodePlatformOptions {
  /** How often conditions are read again while someone is subscribed. Default 5,000 ms. */
  pollMs?: number;
  /**
   * Decides online instead of the network interfaces (e.g. a DNS lookup). Run once on subscribe
   * and at every poll, never two at once; a rejection, a throw, or a probe still pending at the
   * next poll counts as offline. Until the first answer, `current()` reports the interfaces.
   */
  probe?: () => Promise<boolean>;
  /** Whether the connection is metered; Node cannot know. Default always false. */
  metered?: () => boolean;
  /** Battery percent at or below which the battery counts as low while not charging. Default 15. */
  lowBatteryPercent?: number;
  /** 1-minute load average per CPU below which the host counts as idle. Default 0.5. */
  idleLoad?: number;
  /** Where Linux lists power supplies. Default `/sys/class/power_supply` on Linux; none elsewhere. */
  powerSupplyDir?: string;
  /** The OS readings; defaults to `node:os`. Tests pass a fake. */
  os?: Pick<typeof nodeOs, 'networkInterfaces' | 'loadavg' | 'availableParallelism'>;
}

/** Every option, checked up front: a zero or NaN `pollMs` would poll in a busy loop, a non-function probe would count as offline forever. */
const optionsSchema = optionsObject('nodePlatform', {
  pollMs: z.number().int().min(1).max(MAX_TIMER_MS).optional(),
  probe: functionOption<() => Promise<boolean>>('() => Promise<boolean>').optional(),
  metered: functionOption<() => boolean>('() => boolean').optional(),
  lowBatteryPercent: z.number().min(0).max(100).optional(),
  idleLoad: z.number().positive().finite().optional(),
  powerSupplyDir: z.string({ error: 'must be a directory path' }).min(1, { error: 'must be a directory path' }).optional(),
  os: methodsOption<NonNullable<NodePlatformOptions['os']>>('like node:os', ['networkInterfaces', 'loadavg', 'availableParallelism']).optional(),
});

type Group = 'network' | 'power' | 'idle';

interface Subscriber {
  listener: (event: PlatformEvent) => void;
  /** What this subscriber was last told (missing fields filled as met, as the orchestrator does). */
  last: Conditions;
}

/** Link-local addresses come up with a cable or a radio but no network behind it. */
const isLinkLocal = (address: string) => address.startsWith('169.254.') || /^fe[89ab]/i.test(address);

/** A sysfs attribute, trimmed; undefined if it is missing or unreadable. */
function readAttribute(dir: string, name: string): string | undefined {
  try {
    return readFileSync(join(dir, name), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Feeds a Node host's signals into the orchestrator. A server has no foreground, no user and
 * usually no battery, so most of this is "met": online while a non-internal interface has an
 * address (or while `probe` says so), power from Linux's sysfs when there is a battery, and idle
 * while the 1-minute load average per CPU is below `idleLoad`. What cannot be read stays unknown,
 * and unknown counts as met. Windows reports a load average of 0, so it always counts as idle.
 */
export function nodePlatform(options: NodePlatformOptions = {}): PlatformPort {
  parseOptions(optionsSchema, options, 'nodePlatform');
  const os = options.os ?? nodeOs;
  const pollMs = options.pollMs ?? 5_000;
  const lowBatteryPercent = options.lowBatteryPercent ?? 15;
  const idleLoad = options.idleLoad ?? 0.5;
  const powerSupplyDir = options.powerSupplyDir ?? (process.platform === 'linux' ? '/sys/class/power_supply' : undefined);
  const { probe } = options;

  const interfacesOnline = (): boolean | undefined => {
    try {
      return Object.values(os.networkInterfaces()).some((addresses) =>
        addresses?.some((info) => !info.internal && info.address !== '' && !isLinkLocal(info.address)),
      );
    } catch {
      return undefined; // some sandboxes refuse to list interfaces
    }
  };

  const metered = (): boolean => {
    try {
      return options.metered?.() === true;
    } catch {
      return false;
    }
  };

  /** Charging and battery level from sysfs; undefined without a system battery (servers, VMs, containers). */
  const power = (): Pick<Conditions, 'charging' | 'batteryLow'> | undefined => {
    if (powerSupplyDir === undefined) return undefined;
    let entries: string[];
    try {
      entries = readdirSync(powerSupplyDir);
    } catch {
      return undefined;
    }
    let pluggedIn = false;
    let batteries = 0;
    const capacities: number[] = [];
    for (const entry of entries) {
      const dir = join(powerSupplyDir, entry);
      const type = readAttribute(dir, 'type');
      if (type === 'Mains' || type === 'USB') {
        if (readAttribute(dir, 'online') === '1') pluggedIn = true;
      } else if (type === 'Battery' && readAttribute(dir, 'scope') !== 'Device') {
        // scope=Device marks a peripheral's battery (a wireless mouse), not the host's.
        batteries++;
        const status = readAttribute(dir, 'status');
        if (status === 'Charging' || status === 'Full') pluggedIn = true;
        const capacity = readAttribute(dir, 'capacity');
        if (capacity && Number.isFinite(Number(capacity))) capacities.push(Number(capacity));
      }
    }
    if (batteries === 0) return undefined;
    const capacity = capacities.length ? capacities.reduce((a, b) => a + b, 0) / capacities.length : undefined;
    return { charging: pluggedIn, batteryLow: !pluggedIn && capacity !== undefined && capacity <= lowBatteryPercent };
  };

  const idle = (): boolean | undefined => {
    try {
      const load = os.loadavg()[0];
      if (load === undefined || !Number.isFinite(load)) return undefined;
      return load / Math.max(1, os.availableParallelism()) < idleLoad;
    } catch {
      return undefined;
    }
  };

  /** The probe's last answer; while it is unknown, the interfaces decide. */
  let probed: boolean | undefined;
  let probing = false;

  const read = (): Partial<Conditions> => {
    const conditions: Partial<Conditions> = { metered: metered(), foreground: true };
    const online = probed ?? interfacesOnline();
    if (online !== undefined) conditions.online = online;
    const supply = power();
    if (supply) Object.assign(conditions, supply);
    const isIdle = idle();
    if (isIdle !== undefined) conditions.idle = isIdle;
    return conditions;
  };
  /** A full reading, unknown fields filled as met (as the orchestrator fills them). */
  const readAll = (): Conditions => ({ ...unconstrainedConditions, ...read() });

  const subscribers = new Set<Subscriber>();
  let timer: ReturnType<typeof setInterval> | undefined;
  /** What `current()` last returned: a new subscriber's baseline, so nothing read since is missed. */
  let reported: Conditions | undefined;

  const changed = (group: Group, a: Conditions, b: Conditions) =>
    group === 'network'
      ? a.online !== b.online || a.metered !== b.metered
      : group === 'power'
        ? a.charging !== b.charging || a.batteryLow !== b.batteryLow
        : a.idle !== b.idle;
  const event = (group: Group, c: Conditions): PlatformEvent =>
    group === 'network'
      ? { type: 'network', online: c.online, metered: c.metered }
      : group === 'power'
        ? { type: 'power', charging: c.charging, batteryLow: c.batteryLow }
        : { type: 'idle', idle: c.idle };

  /** Tells each subscriber about the groups that changed since it was last told. */
  const deliver = (groups: readonly Group[]) => {
    if (subscribers.size === 0) return;
    const now = readAll();
    for (const subscriber of [...subscribers]) {
      if (!subscribers.has(subscriber)) continue; // unsubscribed by an earlier listener
      const previous = subscriber.last;
      subscriber.last = now;
      for (const group of groups) if (changed(group, previous, now)) subscriber.listener(event(group, now));
    }
  };

  const startProbe = (run: () => Promise<boolean>) => {
    probing = true;
    // Through a new promise, so a probe that throws synchronously counts as a rejection.
    new Promise<boolean>((resolve) => resolve(run()))
      .then(
        (online) => online === true,
        () => false,
      )
      .then((online) => {
        probing = false;
        probed = online;
        deliver(['network']);
      });
  };

  const poll = () => {
    if (probe) {
      if (!probing) startProbe(probe);
      else probed = false; // no answer within a whole poll: as good as offline
    }
    deliver(['network', 'power', 'idle']);
  };

  return {
    current(): Partial<Conditions> {
      const conditions = read();
      reported = { ...unconstrainedConditions, ...conditions };
      return conditions;
    },

    subscribe(listener) {
      const subscriber: Subscriber = { listener, last: reported ?? readAll() };
      subscribers.add(subscriber);
      if (timer === undefined) {
        // One timer for every subscriber, unref'd: watching conditions never keeps a process alive.
        timer = setInterval(poll, pollMs);
        timer.unref();
        if (probe && !probing) startProbe(probe);
      }
      return () => {
        if (!subscribers.delete(subscriber) || subscribers.size > 0) return;
        clearInterval(timer);
        timer = undefined;
      };
    },
  };
}
