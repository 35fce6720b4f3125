// The status text computed from an inspect's State, against the list Status the real dockerd gave in the
// fixtures (captured at a known moment), and at go-units' boundaries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerInspect, ContainerSummary } from '../../../src/core/docker/engineApi';
import { humanDuration, statusClock, statusText } from '../../../src/core/docker/statusText';

const FIXTURES = join(__dirname, '../fixtures/docker');
const load = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

describe('humanDuration (go-units)', () => {
  it('truncates seconds and minutes, rounds hours', () => {
    const s = 1000;
    const cases: [number, string][] = [
      [999, 'Less than a second'],
      [1 * s, '1 second'],
      [59.9 * s, '59 seconds'],
      [60 * s, 'About a minute'],
      [119 * s, 'About a minute'],
      [120 * s, '2 minutes'],
      [59 * 60 * s + 59 * s, '59 minutes'],
      [60 * 60 * s, 'About an hour'],
      [89 * 60 * s, 'About an hour'],
      [90 * 60 * s, '2 hours'],
      [47 * 3600 * s, '47 hours'],
      [47.5 * 3600 * s, '2 days'],
      [13 * 24 * 3600 * s, '13 days'],
      [14 * 24 * 3600 * s, '2 weeks'],
      [60 * 24 * 3600 * s, '2 months'],
      [2 * 365 * 24 * 3600 * s, '2 years'],
    ];
    expect(cases.map(([ms]) => humanDuration(ms))).toEqual(cases.map(([, t]) => t));
  });
});

describe('statusText', () => {
  const base = {
    status: 'running',
    running: true,
    paused: false,
    restarting: false,
    dead: false,
    exitCode: 0,
    startedAt: 0,
    finishedAt: null,
    health: null,
  };
  it('running, paused, restarting, health', () => {
    expect(statusText(base, 180_000)).toBe('Up 3 minutes');
    expect(statusText({ ...base, paused: true }, 5000)).toBe('Up 5 seconds (Paused)');
    expect(statusText({ ...base, health: 'starting' }, 5000)).toBe('Up 5 seconds (health: starting)');
    expect(statusText({ ...base, health: 'unhealthy' }, 5000)).toBe('Up 5 seconds (unhealthy)');
    expect(statusText({ ...base, restarting: true, exitCode: 1, finishedAt: 1000 }, 3000)).toBe(
      'Restarting (1) 2 seconds ago',
    );
  });
  it('created, exited, dead, removing', () => {
    const stopped = { ...base, running: false, status: 'exited' };
    expect(statusText({ ...stopped, startedAt: null, status: 'created' }, 0)).toBe('Created');
    expect(statusText({ ...stopped, exitCode: 137, finishedAt: 0 }, 7_200_000)).toBe('Exited (137) 2 hours ago');
    expect(statusText({ ...stopped, dead: true, status: 'dead' }, 0)).toBe('Dead');
    expect(statusText({ ...stopped, status: 'removing' }, 0)).toBe('Removal In Progress');
  });
  it('odd State replies read as created, without throwing', () => {
    for (const odd of [null, 'x', [], { Running: 'yes', StartedAt: 42 }])
      expect(statusText(statusClock(odd), 0)).toBe('Created');
  });
  it('matches what the daemon listed for the fixtures, at the moment it listed them', () => {
    for (const name of ['dm-fixture-exited', 'dm-fixture-health']) {
      const raw = load<ContainerInspect>(`inspect-${name}.json`);
      const [summary] = load<ContainerSummary[]>(`list-${name}.json`);
      const clock = statusClock(raw.State);
      // The list came right after the inspect: find a moment within the next minute where the texts agree.
      const from = Math.max(clock.startedAt ?? 0, clock.finishedAt ?? 0);
      const agrees = Array.from({ length: 3600 }, (_, i) => from + i * 1000).some(
        (t) => statusText(clock, t) === summary.Status,
      );
      expect(agrees, `${name}: ${summary.Status}`).toBe(true);
    }
  });
});
