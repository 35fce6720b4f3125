// dockerMonitor.alerts.* as the extension reads them: defaults, good values, and bad ones reported and replaced.
import { describe, expect, it } from 'vitest';
import { readAlertOptions } from '../../../src/core/alerts/extensionSettings';
import { defaultAlertSettings } from '../../../src/core/alerts/settings';

const from = (values: Record<string, unknown>) => readAlertOptions((key) => values[key]);

describe('readAlertOptions', () => {
  it('gives the defaults when nothing is set: on, notifying, a background refresh every 15 s', () => {
    const { options, problems } = from({});
    expect(problems).toEqual([]);
    expect(options).toEqual({
      enabled: true,
      notifications: true,
      backgroundIntervalMs: 15_000,
      rules: defaultAlertSettings(),
    });
  });

  it('takes what is set: off, no background refresh, a rule turned off and a window', () => {
    const { options, problems } = from({
      enabled: false,
      notifications: false,
      backgroundInterval: 0,
      windowSeconds: 30,
      rules: { 'exited-nonzero': false, 'cpu-throttled': { threshold: 50 } },
    });
    expect(problems).toEqual([]);
    expect(options.enabled).toBe(false);
    expect(options.backgroundIntervalMs).toBe(0);
    expect(options.rules['exited-nonzero'].enabled).toBe(false);
    expect(options.rules['cpu-throttled']).toEqual({ enabled: true, threshold: 50, windowSeconds: 30 });
    expect(options.rules['memory-near-limit'].windowSeconds).toBe(30);
  });

  it('reports a bad value, names it, and uses the default instead (never throws)', () => {
    const { options, problems } = from({
      enabled: 'yes',
      backgroundInterval: 2,
      rules: { 'cpu-throttled': { threshold: 200 } },
    });
    expect(options.enabled).toBe(true);
    expect(options.backgroundIntervalMs).toBe(15_000);
    expect(options.rules).toEqual(defaultAlertSettings());
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('dockerMonitor.alerts.enabled');
    expect(problems[1]).toContain('dockerMonitor.alerts.backgroundInterval');
    expect(problems[2]).toContain('rules.cpu-throttled.threshold');
  });

  it('reports an unknown rule', () => {
    expect(from({ rules: { 'no-such-rule': false } }).problems[0]).toContain('no such rule');
  });
});
