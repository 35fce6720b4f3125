// `watch --alerts` arguments: defaults, the rule flags into settings, and one usage error for each bad value.
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/cli/args';
import { MonitorError } from '../../../src/core/errors';

function alerts(argv: string[]) {
  const r = parseCliArgs(argv);
  if (r.action !== 'alerts') throw new Error(`expected an alerts request, got ${r.action}`);
  return r.options;
}

function rejected(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('bad-argument');
    return (err as MonitorError).message;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
}

describe('watch --alerts', () => {
  it('defaults: local, 15 s, every rule on at its defaults, no exit on alert', () => {
    const o = alerts(['watch', '--alerts']);
    expect(o).toMatchObject({ targetText: 'local', json: false, intervalSeconds: 15, exitOnAlert: false });
    expect(o.settings['cpu-throttled']).toEqual({ enabled: true, threshold: 25, windowSeconds: 60 });
  });

  it('the rule flags', () => {
    const o = alerts([
      'watch',
      '--alerts',
      '--json',
      '--exit-on-alert',
      '--interval=2',
      '--alert-window',
      '5',
      '--alert-threshold',
      'memory-near-limit=80',
      '--alert-threshold=restart-loop=5',
      '--alert-off',
      'unhealthy',
      '--target',
      'me@box:2222',
    ]);
    expect(o).toMatchObject({ json: true, exitOnAlert: true, intervalSeconds: 2, targetText: 'me@box:2222' });
    expect(o.settings['memory-near-limit']).toEqual({ enabled: true, threshold: 80, windowSeconds: 5 });
    expect(o.settings['restart-loop']).toEqual({ enabled: true, threshold: 5, windowSeconds: 300 });
    expect(o.settings.unhealthy.enabled).toBe(false);
  });

  it.each([
    [['watch'], /watch needs --alerts/],
    [['watch', '--alerts', 'host'], /unexpected argument "host"/],
    [['watch', '--alerts', '--watch'], /no --watch or --count/],
    [['watch', '--alerts', '--alert-window', '0x10'], /invalid --alert-window "0x10": seconds/],
    [['watch', '--alerts', '--alert-threshold', 'memory-near-limit'], /<rule>=<number>/],
    [
      ['watch', '--alerts', '--alert-threshold', 'restart-loop=1'],
      /invalid --alert-threshold: rules\.restart-loop\.threshold: a number from 2/,
    ],
    [['watch', '--alerts', '--alert-threshold', 'unhealthy=3'], /unhealthy has no threshold/],
    [['watch', '--alerts', '--alert-off', 'all'], /invalid --alert-off "all": one of oom-killed/],
    [['monitor', 'all', '--exit-on-alert'], /go with "watch --alerts"/],
    [['monitor', 'all', '--alert-off', 'unhealthy'], /go with "watch --alerts"/],
  ])('%j', (argv, message) => {
    expect(rejected(argv)).toMatch(message);
  });
});
