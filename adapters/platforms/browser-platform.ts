import { z } from 'zod';
import { MAX_TIMER_MS } from '../../src/core/clock.js';
import type { Conditions, PlatformEvent } from '../../src/core/conditions.js';
import { methodsOption, optionsObject, parseOptions } from '../../src/core/option-checks.js';
import type { PlatformPort } from '../../src/core/ports.js';

/** The parts of the Battery Status API this adapter reads (Chromium only; elsewhere power is unknown). */
interface BatteryLike extends EventTarget {
  charging: boolean;
  level: number;
}

/** The parts of the Network Information API this adapter reads (Chromium only). */
interface ConnectionLike extends EventTarget {
  type?: string;
  saveData?: boolean;
}

export interface BrowserPlatformOptions {
  /** Defaults to `globalThis`; pass another window (an iframe's, a test DOM's). */
  window?: Window;
  /** No pointer, key, wheel or touch input for this long counts as idle. Default 5 minutes. */
  idleAfterMs?: number;
  /** Battery level (0 to 1) at or below which the battery counts as low while not charging. Default 0.15. */
  lowBatteryLevel?: number;
}

/** Every option, checked up front: a NaN `idleAfterMs` would count the user idle 1 ms after each input, a NaN level would never count the battery low. */
const optionsSchema = optionsObject('browserPlatform', {
  window: methodsOption<Window>('a window', ['addEventListener', 'removeEventListener'])
    .refine((win) => typeof win.navigator === 'object' && win.navigator !== null, { error: 'must be a window (it has no navigator)' })
    .refine((win) => typeof win.document === 'object' && win.document !== null, { error: 'must be a window (it has no document)' })
    .optional(),
  idleAfterMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  lowBatteryLevel: z.number().min(0).max(1).optional(),
});

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Feeds a browser's signals into the orchestrator: online/offline, metered connections
 * (cellular or Save-Data), the Battery Status API, page visibility as foreground/background,
 * and user inactivity as idle. What the browser cannot tell (battery outside Chromium)
 * stays unknown, and unknown counts as met.
 */
export function browserPlatform(options: BrowserPlatformOptions = {}): PlatformPort {
  parseOptions(optionsSchema, options, 'browserPlatform');
  const win = options.window ?? (globalThis as unknown as Window);
  const idleAfterMs = options.idleAfterMs ?? 5 * 60_000;
  const lowBatteryLevel = options.lowBatteryLevel ?? 0.15;
  const nav = win.navigator as Navigator & {
    connection?: ConnectionLike;
    getBattery?: () => Promise<BatteryLike>;
  };

  const metered = () => nav.connection?.type === 'cellular' || nav.connection?.saveData === true;
  const network = (): PlatformEvent => ({ type: 'network', online: nav.onLine, metered: metered() });
  const foreground = () => win.document.visibilityState === 'visible';
  const power = (battery: BatteryLike): PlatformEvent => ({
    type: 'power',
    charging: battery.charging,
    batteryLow: !battery.charging && battery.level <= lowBatteryLevel,
  });

  return {
    current(): Partial<Conditions> {
      return { online: nav.onLine, metered: metered(), foreground: foreground(), idle: false };
    },

    subscribe(listener) {
      const undo: Array<() => void> = [];
      const on = (target: EventTarget, type: string, handler: () => void) => {
        target.addEventListener(type, handler);
        undo.push(() => target.removeEventListener(type, handler));
      };
      let stopped = false;

      const onNetwork = () => listener(network());
      on(win, 'online', onNetwork);
      on(win, 'offline', onNetwork);
      if (nav.connection) on(nav.connection, 'change', onNetwork);

      on(win.document, 'visibilitychange', () => listener({ type: 'lifecycle', foreground: foreground() }));

      // Idle: no input for idleAfterMs. Input while idle ends it at once.
      let idle = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          idle = true;
          listener({ type: 'idle', idle: true });
        }, idleAfterMs);
      };
      const onActivity = () => {
        if (idle) {
          idle = false;
          listener({ type: 'idle', idle: false });
        }
        arm();
      };
      for (const type of ACTIVITY_EVENTS) on(win, type, onActivity);
      arm();
      undo.push(() => clearTimeout(timer));

      if (typeof nav.getBattery === 'function') {
        nav.getBattery().then(
          (battery) => {
            if (stopped) return;
            const onPower = () => listener(power(battery));
            on(battery, 'chargingchange', onPower);
            on(battery, 'levelchange', onPower);
            onPower();
          },
          () => {}, // blocked by a permissions policy: power stays unknown
        );
      }

      return () => {
        stopped = true;
        for (const fn of undo.splice(0)) fn();
      };
    },
  };
}
