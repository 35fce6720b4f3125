// `dockerMonitor.refreshInterval`: seconds between refreshes, as the user wrote it, to milliseconds.

const DEFAULT_REFRESH_SECONDS = 2;
/** Below half a second the monitor itself would show up in what it measures. */
const MIN_REFRESH_SECONDS = 0.5;
/** A day: beyond that a number is a typo, not an interval. */
const MAX_REFRESH_SECONDS = 86_400;

/** Milliseconds for a setting value; missing or non-numeric means the default, out of range is clamped. */
export function refreshIntervalMs(value: unknown): number {
  const seconds = typeof value === 'number' && Number.isFinite(value) ? value : DEFAULT_REFRESH_SECONDS;
  return Math.round(Math.min(Math.max(seconds, MIN_REFRESH_SECONDS), MAX_REFRESH_SECONDS) * 1000);
}

/** The deadline of one refresh: five intervals, but never below 15 s (a cold first read of a big host) nor above 2 min. */
export function refreshDeadlineMs(intervalMs: number): number {
  const ms = Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs * 5 : 0;
  return Math.min(Math.max(ms, 15_000), 120_000);
}
