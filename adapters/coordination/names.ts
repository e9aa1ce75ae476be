// The names every context of one app (its tabs, its service worker) agrees on, derived from the store's name.

/** The Web Lock whose holder alone runs the app's stored scheduled work. */
export const leaderLockName = (name: string): string => `errand:${name}:leader`;

/** The BroadcastChannel the app's contexts talk on (forwarded calls, live task changes). */
export const channelName = (name: string): string => `errand:${name}`;

/** The Background Sync tag pages register while network-constrained work waits; the service worker answers it. */
export const syncTagFor = (name: string): string => `errand:${name}`;

/** Held (shared) by every live tab of the app: a context opening the store while none holds it starts a new session. */
export const presenceLockName = (name: string): string => `errand:${name}:presence`;

/** Taken while a context opens the store and joins the session, so two tabs opening at once decide one at a time. */
export const sessionLockName = (name: string): string => `errand:${name}:session`;
