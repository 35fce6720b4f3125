// Reconnect delays after a dropped connection: 1, 2, 4, 8, 16 s, then every 30 s. Doubling spares a host that
// is rebooting; the cap keeps a target that comes back from waiting minutes to be noticed.

const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/** Delay before reconnect attempt number `attempt` (0 for the first attempt after the drop). */
export function backoffDelayMs(attempt: number): number {
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  // 2^5 s already exceeds the cap: stop doubling there so that huge attempt counts cannot overflow.
  return Math.min(BACKOFF_FIRST_MS * 2 ** Math.min(n, 5), BACKOFF_MAX_MS);
}
