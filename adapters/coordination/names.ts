// The names every context of one app (its tabs, its service worker) agrees on, derived from the store's name.

/** The Web Lock whose holder alone runs the app's stored scheduled work. */
export const leaderLockName = (name: string): string => `errand:${name}:leader`;

/** The BroadcastChannel the app's contexts talk on (forwarded calls, live task changes). */
export const channelName = (name: string): string => `errand:${name}`;

/** The Background Sync tag pages register while network-constrained work waits; the service worker answers it. */
export const syncTagFor = (name: string): string => `errand:${name}`;
