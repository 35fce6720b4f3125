// The rule settings: every rule has a default, and a bad value is one clear MonitorError naming the setting.
import { describe, expect, it } from 'vitest';
import { ALERT_RULES, defaultAlertSettings, parseAlertSettings } from '../../../src/core/alerts/settings';
import { MonitorError } from '../../../src/core/errors';

describe('defaults', () => {
  it('every rule on, with the issue’s figures', () => {
    const d = defaultAlertSettings();
    expect(Object.keys(d).sort()).toEqual(ALERT_RULES.map((r) => r.id).sort());
    expect(Object.values(d).every((r) => r.enabled)).toBe(true);
    expect(d['memory-near-limit']).toEqual({ enabled: true, threshold: 90, windowSeconds: 60 });
    expect(d['cpu-throttled']).toEqual({ enabled: true, threshold: 25, windowSeconds: 60 });
    expect(d['pids-near-limit'].threshold).toBe(90);
    expect(d['host-disk-full'].threshold).toBe(90);
    expect(d['host-memory-low'].threshold).toBe(10);
    expect(d['restart-loop']).toEqual({ enabled: true, threshold: 3, windowSeconds: 300 });
    expect(d['target-unreachable'].windowSeconds).toBe(60);
  });

  it('a window for all sustained rules, a rule’s own wins; enabled:false turns all off', () => {
    const s = parseAlertSettings({ windowSeconds: 5, rules: { 'cpu-throttled': { windowSeconds: 7, threshold: 10 } } });
    expect(s['memory-near-limit'].windowSeconds).toBe(5);
    expect(s['target-unreachable'].windowSeconds).toBe(5);
    expect(s['cpu-throttled']).toEqual({ enabled: true, threshold: 10, windowSeconds: 7 });
    expect(s['restart-loop'].windowSeconds).toBe(300);
    const off = parseAlertSettings({ enabled: false, rules: { unhealthy: true } });
    expect(Object.values(off).some((r) => r.enabled)).toBe(false);
  });
});

describe('bad values: one MonitorError naming the setting', () => {
  it.each([
    ['a string', 'on', /invalid alert setting \(root\): an object/],
    ['an unknown key', { windowSecs: 5 }, /"windowSecs": unknown/],
    ['a negative window', { windowSeconds: -1 }, /windowSeconds: a number from 0 to 86400, not -1/],
    ['NaN', { windowSeconds: Number.NaN }, /windowSeconds: a number/],
    ['a window as text', { windowSeconds: '5' }, /windowSeconds: a number/],
    ['an unknown rule', { rules: { 'disk-full': true } }, /rules\."disk-full": no such rule/],
    [
      'a threshold over 100 %',
      { rules: { 'memory-near-limit': { threshold: 101 } } },
      /rules\.memory-near-limit\.threshold/,
    ],
    [
      'a threshold on a rule without one',
      { rules: { 'oom-killed': { threshold: 1 } } },
      /rules\.oom-killed\."threshold": not a setting/,
    ],
    ['a fractional restart count', { rules: { 'restart-loop': { threshold: 2.5 } } }, /a whole number of restarts/],
    ['a restart window of 0', { rules: { 'restart-loop': { windowSeconds: 0 } } }, /from 1 to 86400/],
    ['enabled as text', { rules: { unhealthy: { enabled: 'yes' } } }, /rules\.unhealthy\.enabled: true or false/],
    ['a rule as a number', { rules: { unhealthy: 1 } }, /rules\.unhealthy: true, false or an object/],
  ])('%s', (_what, input, message) => {
    let caught: unknown;
    try {
      parseAlertSettings(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MonitorError);
    expect((caught as MonitorError).code).toBe('bad-argument');
    expect((caught as MonitorError).message).toMatch(message);
  });
});
