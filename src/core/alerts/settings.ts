// The alert rules' defaults and the one parser of their settings: the extension passes its settings object, the CLI
// the object its flags make. Whatever comes in is checked here, so the engine never meets a bad number.
import { MonitorError } from '../errors';
import type { AlertRuleId, AlertRuleSpec, AlertSettings, RuleSettings } from './types';

/** The window of every sustained rule unless set: the issue's "held for a minute". */
export const DEFAULT_SUSTAINED_WINDOW_SECONDS = 60;
/** A day: a longer window is a typo, and an alert that slow would tell nobody anything. */
const MAX_WINDOW_SECONDS = 86_400;

const percent = { thresholdMin: 0, thresholdMax: 100 };
const sustained = { kind: 'sustained', window: 'held for', windowSeconds: DEFAULT_SUSTAINED_WINDOW_SECONDS } as const;
const immediate = {
  kind: 'immediate',
  thresholdUnit: null,
  threshold: 0,
  thresholdMin: 0,
  thresholdMax: 0,
  window: null,
  windowSeconds: 0,
} as const;

/** Every rule, in the order the README and the usage text list them. */
export const ALERT_RULES: readonly AlertRuleSpec[] = [
  { id: 'oom-killed', ...immediate, severity: 'critical', summary: 'a container was OOM-killed (event or counter)' },
  {
    id: 'exited-nonzero',
    ...immediate,
    severity: 'warning',
    summary: 'a container died with a non-zero exit code (not after docker stop/kill, an OOM kill or in a loop)',
  },
  {
    id: 'restart-loop',
    kind: 'immediate',
    severity: 'critical',
    thresholdUnit: 'restarts',
    threshold: 3,
    thresholdMin: 2,
    thresholdMax: 1000,
    window: 'counted over',
    windowSeconds: 300,
    summary: 'a container restarted threshold times within the window',
  },
  { id: 'unhealthy', ...immediate, severity: 'warning', summary: "a container's health check turned unhealthy" },
  {
    id: 'memory-near-limit',
    ...sustained,
    ...percent,
    severity: 'warning',
    thresholdUnit: '%',
    threshold: 90,
    summary: 'memory in use >= threshold % of the limit',
  },
  {
    id: 'cpu-throttled',
    ...sustained,
    ...percent,
    severity: 'warning',
    thresholdUnit: '%',
    threshold: 25,
    summary: 'CPU throttled in >= threshold % of periods',
  },
  {
    id: 'pids-near-limit',
    ...sustained,
    ...percent,
    severity: 'warning',
    thresholdUnit: '%',
    threshold: 90,
    summary: 'processes >= threshold % of the pids limit',
  },
  {
    id: 'host-disk-full',
    ...sustained,
    ...percent,
    severity: 'critical',
    thresholdUnit: '%',
    threshold: 90,
    summary: 'root or Docker data root filesystem >= threshold % used',
  },
  {
    id: 'host-memory-low',
    ...sustained,
    ...percent,
    severity: 'critical',
    thresholdUnit: '%',
    threshold: 10,
    summary: 'host memory available < threshold % of the total',
  },
  {
    id: 'host-pressure-cpu',
    ...sustained,
    ...percent,
    severity: 'warning',
    thresholdUnit: '%',
    threshold: 50,
    summary: 'host CPU pressure (PSI some avg60, where /proc/pressure exists) > threshold %',
  },
  {
    id: 'host-pressure-memory',
    ...sustained,
    ...percent,
    severity: 'warning',
    thresholdUnit: '%',
    threshold: 10,
    summary: 'host memory pressure (PSI some avg60) > threshold %',
  },
  {
    id: 'host-pressure-io',
    ...sustained,
    ...percent,
    severity: 'warning',
    thresholdUnit: '%',
    threshold: 25,
    summary: 'host I/O pressure (PSI some avg60) > threshold %',
  },
  {
    id: 'target-unreachable',
    ...sustained,
    severity: 'critical',
    thresholdUnit: null,
    threshold: 0,
    thresholdMin: 0,
    thresholdMax: 0,
    summary: 'the target could not be read for the window',
  },
];

const SPECS = new Map(ALERT_RULES.map((r) => [r.id, r]));

export function ruleSpec(id: AlertRuleId): AlertRuleSpec {
  return SPECS.get(id)!;
}

export function isAlertRuleId(text: string): text is AlertRuleId {
  return SPECS.has(text as AlertRuleId);
}

/** Every rule on, at its defaults. */
export function defaultAlertSettings(): AlertSettings {
  return parseAlertSettings({});
}

function bad(path: string, problem: string): MonitorError {
  return new MonitorError(`invalid alert setting ${path}: ${problem}`, 'bad-argument');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function number(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw bad(path, `a number from ${min} to ${max}${typeof value === 'number' ? `, not ${value}` : ''}`);
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw bad(path, 'true or false');
  return value;
}

function windowBounds(spec: AlertRuleSpec): [number, number] {
  // A restart count needs a span to count over; a sustained rule may fire at the first refresh that sees it (0).
  return [spec.id === 'restart-loop' ? 1 : 0, MAX_WINDOW_SECONDS];
}

/**
 * Settings from a plain object (JSON from a settings file or flags); anything missing takes its default:
 * `{ enabled?: boolean, windowSeconds?: number, rules?: { [rule]: boolean | { enabled?, threshold?, windowSeconds? } } }`.
 * `windowSeconds` sets every sustained rule's window (a rule's own wins). Throws MonitorError('bad-argument')
 * naming the setting at the first bad value, unknown rule or unknown field.
 */
export function parseAlertSettings(input: unknown): AlertSettings {
  if (input === undefined || input === null) input = {};
  if (!isObject(input)) throw bad('(root)', 'an object');
  for (const key of Object.keys(input))
    if (!['enabled', 'windowSeconds', 'rules'].includes(key)) throw bad(JSON.stringify(key).slice(0, 60), 'unknown');
  const allOn = input.enabled === undefined ? true : boolean(input.enabled, 'enabled');
  const sustainedWindow =
    input.windowSeconds === undefined
      ? DEFAULT_SUSTAINED_WINDOW_SECONDS
      : number(input.windowSeconds, 'windowSeconds', 0, MAX_WINDOW_SECONDS);
  const rules = input.rules === undefined ? {} : input.rules;
  if (!isObject(rules)) throw bad('rules', 'an object of rule names');
  for (const key of Object.keys(rules))
    if (!isAlertRuleId(key)) throw bad(`rules.${JSON.stringify(key).slice(0, 60)}`, 'no such rule');

  const out = {} as AlertSettings;
  for (const spec of ALERT_RULES) {
    const path = `rules.${spec.id}`;
    const given = rules[spec.id];
    const own: unknown = typeof given === 'boolean' ? { enabled: given } : (given ?? {});
    if (!isObject(own)) throw bad(path, 'true, false or an object');
    const result: RuleSettings = {
      enabled: allOn,
      threshold: spec.threshold,
      windowSeconds: spec.kind === 'sustained' ? sustainedWindow : spec.windowSeconds,
    };
    for (const [field, value] of Object.entries(own)) {
      if (field === 'enabled') result.enabled = allOn && boolean(value, `${path}.enabled`);
      else if (field === 'threshold' && spec.thresholdUnit !== null)
        result.threshold = number(value, `${path}.threshold`, spec.thresholdMin, spec.thresholdMax);
      else if (field === 'windowSeconds' && spec.window !== null)
        result.windowSeconds = number(value, `${path}.windowSeconds`, ...windowBounds(spec));
      else throw bad(`${path}.${JSON.stringify(field).slice(0, 60)}`, `not a setting of this rule`);
    }
    if (spec.id === 'restart-loop' && !Number.isInteger(result.threshold))
      throw bad(`${path}.threshold`, 'a whole number of restarts');
    out[spec.id] = result;
  }
  return out;
}
