// The extension's alert settings (`dockerMonitor.alerts.*`) as one checked object: a bad value is reported and
// its default used, so a typo in settings.json never stops the alerts or the activation.
import { toMonitorError } from '../errors';
import { defaultAlertSettings, parseAlertSettings } from './settings';
import type { AlertSettings } from './types';

export interface AlertOptions {
  enabled: boolean;
  /** Show notifications (the tree and the status bar show alerts either way). */
  notifications: boolean;
  /** Refresh every this many ms while no view is visible; 0: only while a view is. */
  backgroundIntervalMs: number;
  rules: AlertSettings;
}

const DEFAULT_BACKGROUND_SECONDS = 15;
const MIN_BACKGROUND_SECONDS = 5;
const MAX_BACKGROUND_SECONDS = 3600;

/** `get` reads one key below `dockerMonitor.alerts` (undefined when unset). */
export function readAlertOptions(get: (key: string) => unknown): { options: AlertOptions; problems: string[] } {
  const problems: string[] = [];
  const flag = (key: string, fallback: boolean): boolean => {
    const v = get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    problems.push(`dockerMonitor.alerts.${key} must be true or false; using ${fallback}`);
    return fallback;
  };
  const enabled = flag('enabled', true);
  const notifications = flag('notifications', true);
  let seconds = DEFAULT_BACKGROUND_SECONDS;
  const interval = get('backgroundInterval');
  if (interval !== undefined && interval !== null) {
    if (
      typeof interval === 'number' &&
      Number.isFinite(interval) &&
      (interval === 0 || (interval >= MIN_BACKGROUND_SECONDS && interval <= MAX_BACKGROUND_SECONDS))
    )
      seconds = interval;
    else
      problems.push(
        `dockerMonitor.alerts.backgroundInterval must be 0 (off) or ${MIN_BACKGROUND_SECONDS} to ${MAX_BACKGROUND_SECONDS} seconds; using ${DEFAULT_BACKGROUND_SECONDS}`,
      );
  }
  let rules: AlertSettings;
  try {
    const input: Record<string, unknown> = {};
    const window = get('windowSeconds');
    if (window !== undefined && window !== null) input.windowSeconds = window;
    const own = get('rules');
    if (own !== undefined && own !== null) input.rules = own;
    rules = parseAlertSettings(input);
  } catch (e) {
    problems.push(
      `${toMonitorError(e).message.replace(/^invalid alert setting /, 'dockerMonitor.alerts: ')}; using the defaults`,
    );
    rules = defaultAlertSettings();
  }
  return { options: { enabled, notifications, backgroundIntervalMs: seconds * 1000, rules }, problems };
}
