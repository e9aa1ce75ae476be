/**
 * Longest a write may wait for another connection's lock. The SQLite drivers wait synchronously, so
 * the whole process (or a phone's JS thread) stalls for that long: beyond a minute it is a hang, not a wait.
 */
export const MAX_BUSY_TIMEOUT_MS = 60_000;
