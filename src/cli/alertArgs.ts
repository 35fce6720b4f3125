// The flags of `watch --alerts` that set the rules (--alert-window, --alert-threshold, --alert-off), turned into
// the plain object parseAlertSettings checks, so the CLI and the extension validate rule settings one way.
import { plainDecimal } from './decimal';
import { MonitorError } from '../core/errors';
import {
  ALERT_RULES,
  DEFAULT_SUSTAINED_WINDOW_SECONDS,
  isAlertRuleId,
  parseAlertSettings,
} from '../core/alerts/settings';
import type { AlertSettings } from '../core/alerts/types';
import { quoted, usageError } from './usageError';

/** The background refresh of the alerts: the issue's default, cheap enough to leave running. */
export const DEFAULT_ALERT_INTERVAL_SECONDS = 15;
/** What --exit-on-alert ends with: apart from 1 (an error) and 2 (a usage error), so a script can tell. */
export const EXIT_ALERT = 3;

export interface AlertFlags {
  alerts: boolean;
  exitOnAlert: boolean;
  /** As typed. */
  window?: string;
  thresholds: string[];
  off: string[];
}

function rulesWith(pred: (r: (typeof ALERT_RULES)[number]) => boolean): string {
  return ALERT_RULES.filter(pred)
    .map((r) => r.id)
    .join(', ');
}

function ruleList(): string {
  return ALERT_RULES.map((r) => {
    const settings = [
      r.thresholdUnit === null ? '' : `${r.threshold} ${r.thresholdUnit}`,
      r.window === null ? '' : `${r.window} ${r.windowSeconds} s`,
    ].filter(Boolean);
    return `  ${r.id.padEnd(22)} ${r.summary}${settings.length > 0 ? ` (${settings.join(', ')})` : ''}`;
  }).join('\n');
}

export const ALERTS_USAGE = `watch --alerts: print one line per alert start and end until Ctrl-C (one JSON object a line
with --json: the alert and "type": "start" or "end"). Docker events are followed as they come; the sustained rules
are checked at each refresh.
  --interval <s>     seconds between refreshes (default ${DEFAULT_ALERT_INTERVAL_SECONDS}; at most 3600)
  --exit-on-alert    end at the first alert that starts, with status ${EXIT_ALERT}
  --alert-window <s> how long a sustained rule's condition must hold (default ${DEFAULT_SUSTAINED_WINDOW_SECONDS}; 0 to 86400)
  --alert-threshold <rule>=<n>
                     a rule's threshold (repeatable): ${rulesWith((r) => r.thresholdUnit !== null)}
  --alert-off <rule> turn a rule off (repeatable)

Rules (defaults):
${ruleList()}`;

/** Seconds as plain decimal text (no "1e3", no "0x10"), within the settings' bounds (checked there). */
function decimal(text: string, flag: string, what: string): number {
  const n = plainDecimal(text);
  if (n === null) throw usageError(`invalid ${flag} ${quoted(text)}: ${what}`);
  return n;
}

function rule(text: string, flag: string): string {
  if (!isAlertRuleId(text)) throw usageError(`invalid ${flag} ${quoted(text)}: one of ${rulesWith(() => true)}`);
  return text;
}

/** Throws a usage error (status 2) naming the flag, for bad text or a value out of a rule's bounds. */
export function alertSettingsFromFlags(flags: AlertFlags): AlertSettings {
  const rules: Record<string, Record<string, number | boolean>> = {};
  const input: { windowSeconds?: number; rules: typeof rules } = { rules };
  if (flags.window !== undefined) input.windowSeconds = decimal(flags.window, '--alert-window', 'seconds');
  for (const t of flags.thresholds) {
    const eq = t.indexOf('=');
    if (eq < 0) throw usageError(`invalid --alert-threshold ${quoted(t)}: <rule>=<number>`);
    const id = rule(t.slice(0, eq), '--alert-threshold');
    if (!ALERT_RULES.some((r) => r.id === id && r.thresholdUnit !== null))
      throw usageError(`invalid --alert-threshold ${quoted(t)}: ${id} has no threshold`);
    (rules[id] ??= {}).threshold = decimal(t.slice(eq + 1), '--alert-threshold', 'a number');
  }
  for (const t of flags.off) (rules[rule(t, '--alert-off')] ??= {}).enabled = false;
  try {
    return parseAlertSettings(input);
  } catch (err) {
    // Out of a rule's bounds: said with the flag that set it (the settings' own path follows).
    const m = err instanceof MonitorError ? /^invalid alert setting (\S+): (.*)$/.exec(err.message) : null;
    if (!m) throw err;
    const flag = m[1] === 'windowSeconds' ? '--alert-window' : '--alert-threshold';
    throw usageError(`invalid ${flag}: ${m[1]}: ${m[2]}`);
  }
}
