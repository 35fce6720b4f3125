// The sustained rules through the engine: held over the window across refreshes (edges included), ended when the
// condition clears or the subject goes, figures not read leave the state alone; and the target's reachability.
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../src/core/alerts/engine';
import { parseAlertSettings } from '../../../src/core/alerts/settings';
import type { AlertTransition } from '../../../src/core/alerts/types';
import type { ContainerInfo, Pressure, PressureLine, Snapshot } from '../../../src/core/model';
import { T0, iso, snap } from './helpers';

type Edit = (s: Snapshot, c: (name: string) => ContainerInfo) => void;

/** Snapshots at the given seconds after T0, each edited by `edit(second)`; the transitions of each. */
function run(engine: AlertEngine, seconds: number[], edit: (second: number) => Edit): AlertTransition[][] {
  return seconds.map((s) => engine.onSnapshot(snap(T0 + s * 1000, edit(s))));
}
const brief = (batches: AlertTransition[][]) =>
  batches.map((b) => b.map((t) => `${t.type} ${t.alert.rule} ${t.alert.subject.name}`));
const memAt =
  (percent: number | null): Edit =>
  (_s, c) => {
    const m = c('dm-limited').memory;
    m.percent = percent;
    if (percent === null) m.usageBytes = null;
  };

describe('memory near the limit (default 90 %, 60 s)', () => {
  it('held for the whole window starts at the refresh that completes it, dated from the first; clear as long ends it, dated from the first clear', () => {
    const engine = new AlertEngine({ targetId: 'local' });
    const b = run(engine, [0, 15, 30, 45, 59, 60, 75, 90, 120, 149, 150], (s) => memAt(s < 90 ? 95 : 50));
    expect(brief(b)).toEqual([
      [],
      [],
      [],
      [],
      [],
      ['start memory-near-limit dm-limited'],
      [],
      [],
      [],
      [],
      ['end memory-near-limit dm-limited'],
    ]);
    const start = b[5][0].alert;
    const end = b[10][0].alert;
    expect(start).toMatchObject({ startedAt: iso(T0), endedAt: null, severity: 'warning', targetId: 'local' });
    expect(start.evidence).toMatchObject({ memoryPercent: 95, threshold: 90, windowSeconds: 60 });
    expect(end).toMatchObject({ key: start.key, startedAt: iso(T0), endedAt: iso(T0 + 90_000) });
    expect(engine.active()).toEqual([]);
    expect(engine.recent()[0]).toMatchObject({ key: start.key, endedAt: iso(T0 + 90_000) });
  });

  it('one refresh below the threshold does not end an active alert: it must stay clear for the window', () => {
    const engine = new AlertEngine({ targetId: 'local' });
    // A refresh right after another can see a share of one period: 50 % for one refresh, then 95 % again.
    const b = run(engine, [0, 60, 61, 75, 140], (s) => memAt(s === 61 ? 50 : 95));
    expect(brief(b)).toEqual([[], ['start memory-near-limit dm-limited'], [], [], []]);
    expect(engine.active()).toHaveLength(1);
  });

  it('exactly at the threshold holds; just below does not; a dip inside the window starts it over', () => {
    const engine = new AlertEngine({ targetId: 'local' });
    const b = run(engine, [0, 30, 45, 60, 105], (s) => memAt(s === 30 ? 89.99 : 90));
    expect(brief(b)).toEqual([[], [], [], [], ['start memory-near-limit dm-limited']]);
    expect(b[4][0].alert.startedAt).toBe(iso(T0 + 45_000));
  });

  it('a figure not read (null) neither holds nor clears', () => {
    const engine = new AlertEngine({ targetId: 'local' });
    const b = run(engine, [0, 30, 60, 90], (s) => memAt(s === 30 || s === 90 ? null : 95));
    expect(brief(b)).toEqual([[], [], ['start memory-near-limit dm-limited'], []]);
    expect(engine.active()).toHaveLength(1);
  });

  it('the container gone (or stopped) ends its alert', () => {
    const engine = new AlertEngine({ targetId: 'local' });
    const b = run(engine, [0, 60, 75], (s) => (x, c) => {
      c('dm-limited').memory.percent = 95;
      if (s === 75) x.containers = x.containers.filter((y) => y.name !== 'dm-limited');
    });
    expect(brief(b)).toEqual([[], ['start memory-near-limit dm-limited'], ['end memory-near-limit dm-limited']]);
  });

  it('a window of 0 starts at the first refresh that sees it; a rule turned off later ends at the next', () => {
    const engine = new AlertEngine({ targetId: 'local', settings: parseAlertSettings({ windowSeconds: 0 }) });
    expect(brief([engine.onSnapshot(snap(T0, memAt(95)))])).toEqual([['start memory-near-limit dm-limited']]);
    engine.setSettings(parseAlertSettings({ rules: { 'memory-near-limit': false } }));
    expect(brief([engine.onSnapshot(snap(T0 + 1000, memAt(95)))])).toEqual([['end memory-near-limit dm-limited']]);
  });

  it('a container without a memory limit has no condition', () => {
    const engine = new AlertEngine({ targetId: 'local', settings: parseAlertSettings({ windowSeconds: 0 }) });
    expect(engine.onSnapshot(snap(T0, (_s, c) => (c('dm-unlimited').memory.usageBytes = 1e12)))).toEqual([]);
  });
});

describe('CPU throttled (25 % of periods) and pids (90 % of the limit)', () => {
  const settings = parseAlertSettings({ windowSeconds: 10 });

  it('throttled >= 25 % held 10 s: start; below: end. Without a quota nothing is watched', () => {
    const engine = new AlertEngine({ targetId: 'local', settings });
    const b = run(engine, [0, 5, 10, 15, 20, 25, 30], (s) => (_x, c) => {
      c('dm-limited').cpu.throttledPercent = s < 20 ? 25 : 24.9;
      c('dm-unlimited').cpu.throttledPercent = 100;
    });
    expect(brief(b)).toEqual([
      [],
      [],
      ['start cpu-throttled dm-limited'],
      [],
      [],
      [],
      ['end cpu-throttled dm-limited'],
    ]);
    expect(b[2][0].alert.evidence).toMatchObject({ throttledPercent: 25, limitCpus: 0.5 });
  });

  it('pids: 45 of 50 is 90 %: start; 44 is not', () => {
    const engine = new AlertEngine({ targetId: 'local', settings });
    const b = run(engine, [0, 10, 20, 30], (s) => (_x, c) => {
      c('dm-limited').pids.current = s < 20 ? 45 : 44;
    });
    expect(brief(b)).toEqual([[], ['start pids-near-limit dm-limited'], [], ['end pids-near-limit dm-limited']]);
    expect(b[1][0].alert.evidence).toMatchObject({ pids: 45, pidsLimit: 50, pidsPercent: 90 });
  });
});

describe('the host', () => {
  const settings = parseAlertSettings({ windowSeconds: 0 });

  it('disk >= 90 %: one alert per path read (root and data root apart)', () => {
    const engine = new AlertEngine({ targetId: 'local', settings });
    const [b] = run(engine, [0], () => (x) => {
      for (const d of x.host.disks) d.usedPercent = d.role === 'root' ? 90 : 89.9;
    });
    expect(b.map((t) => [t.alert.rule, t.alert.evidence.path, t.alert.subject])).toEqual([
      ['host-disk-full', '/', { kind: 'host', id: 'local', name: 'vm' }],
    ]);
  });

  it('memory available below 10 %: start; at 10 %: end', () => {
    const engine = new AlertEngine({ targetId: 'local', settings });
    const b = run(engine, [0, 1], (s) => (x) => {
      x.host.memory.availableBytes = x.host.memory.totalBytes * (s === 0 ? 0.099 : 0.1);
    });
    expect(brief(b)).toEqual([['start host-memory-low vm'], ['end host-memory-low vm']]);
  });

  const line = (avg60: number): PressureLine => ({
    avg10: avg60,
    avg60,
    avg300: avg60,
    totalUs: 1,
    totalPercent: null,
  });

  it('PSI: quiet while pressure is null; above the threshold (not at it) per resource', () => {
    const engine = new AlertEngine({ targetId: 'local', settings });
    expect(engine.onSnapshot(snap(T0))).toEqual([]);
    const [b] = run(engine, [1], () => (x) => {
      x.host.pressure = {
        cpu: { some: line(50), full: null },
        memory: { some: line(10.5), full: line(1) } satisfies Pressure,
        io: null,
      };
    });
    expect(brief([b])).toEqual([['start host-pressure-memory vm']]);
    expect(b[0].alert.evidence).toMatchObject({ avg60: 10.5, threshold: 10 });
  });
});

describe('the target unreachable (default 60 s)', () => {
  it('failures for the window start it, dated from the first; a snapshot ends it', () => {
    const engine = new AlertEngine({ targetId: 'ssh:box', targetName: 'box' });
    expect(engine.onTargetStatus(false, 'connection refused', T0)).toEqual([]);
    expect(engine.onTargetStatus(false, 'connection refused', T0 + 59_999)).toEqual([]);
    const [start] = engine.onTargetStatus(false, 'connection refused', T0 + 60_000);
    expect(start).toMatchObject({
      type: 'start',
      alert: {
        rule: 'target-unreachable',
        subject: { kind: 'target', id: 'ssh:box', name: 'box' },
        startedAt: iso(T0),
      },
    });
    expect(start.alert.evidence.reason).toBe('connection refused');
    expect(engine.active().map((a) => a.rule)).toEqual(['target-unreachable']);
    const ended = engine.onSnapshot(snap(T0 + 75_000)).filter((t) => t.alert.rule === 'target-unreachable');
    expect(ended).toEqual([{ type: 'end', alert: expect.objectContaining({ endedAt: iso(T0 + 75_000) }) }]);
  });

  it('a success in between starts the count again', () => {
    const engine = new AlertEngine({ targetId: 't' });
    engine.onTargetStatus(false, null, T0);
    engine.onTargetStatus(true, null, T0 + 30_000);
    engine.onTargetStatus(false, null, T0 + 40_000);
    expect(engine.onTargetStatus(false, null, T0 + 90_000)).toEqual([]);
    expect(engine.onTargetStatus(false, null, T0 + 100_000)).toHaveLength(1);
  });
});

describe('recent()', () => {
  it('is bounded and newest first', () => {
    const engine = new AlertEngine({ targetId: 't', recentLimit: 2 });
    for (let i = 0; i < 3; i++) {
      engine.onTargetStatus(false, `r${i}`, T0 + i * 200_000);
      engine.onTargetStatus(false, `r${i}`, T0 + i * 200_000 + 60_000);
      engine.onTargetStatus(true, null, T0 + i * 200_000 + 61_000);
    }
    expect(engine.recent().map((a) => a.startedAt)).toEqual([iso(T0 + 400_000), iso(T0 + 200_000)]);
    expect(engine.recent().every((a) => a.endedAt !== null)).toBe(true);
  });
});
