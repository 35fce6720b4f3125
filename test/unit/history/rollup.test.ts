// Minute rollups and ranges against values read by hand from recorded snapshots, and the bound on subjects.
import { describe, expect, it } from 'vitest';
import { MinuteRollups } from '../../../src/core/history/rollup';
import { rangeView } from '../../../src/core/history/range';
import { HOST_KEY, TargetHistory, batchOf } from '../../../src/core/history/targetHistory';
import { SeriesHistory } from '../../../src/core/panels/history';
import { METRIC_FIELDS } from '../../../src/core/panels/series';
import { recordedSnapshots, recordedJson } from './fixtures/load';

const MIN = 60_000;

describe('minute rollups of recorded refreshes', () => {
  const snaps = recordedSnapshots();
  const json = recordedJson();
  const h = new TargetHistory(50);
  for (const s of snaps) h.apply(batchOf(s, 'local')!);

  it('each minute: min, avg and max of the samples in it, read straight from the JSON', () => {
    const limited = json[0].containers.find((c: { name: string }) => c.name === 'dm-limited').id as string;
    const byMinute = new Map<number, number[]>();
    const memByMinute = new Map<number, number[]>();
    for (const j of json) {
      const m = Math.floor(Date.parse(j.collectedAt) / MIN) * MIN;
      const c = j.containers.find((x: { id: string }) => x.id === limited);
      if (c.cpu.percent !== null) byMinute.set(m, [...(byMinute.get(m) ?? []), c.cpu.percent]);
      memByMinute.set(m, [...(memByMinute.get(m) ?? []), c.memory.usageBytes]);
    }
    const view = h.view(limited, '24h')!;
    expect(view.resolution).toBe('minute');
    expect(view.t).toEqual([...memByMinute.keys()]);
    view.t.forEach((t, i) => {
      const cpu = byMinute.get(t) ?? [];
      const mem = memByMinute.get(t)!;
      expect(view.min!.memoryBytes[i]).toBe(Math.min(...mem));
      expect(view.max!.memoryBytes[i]).toBe(Math.max(...mem));
      expect(view.values.memoryBytes[i]).toBeCloseTo(mem.reduce((a, b) => a + b, 0) / mem.length, 6);
      if (cpu.length === 0) expect(view.values.cpuPercent[i]).toBeNull();
      else {
        expect(view.min!.cpuPercent[i]).toBe(Math.min(...cpu));
        expect(view.max!.cpuPercent[i]).toBe(Math.max(...cpu));
        expect(view.values.cpuPercent[i]).toBeCloseTo(cpu.reduce((a, b) => a + b, 0) / cpu.length, 9);
      }
    });
  });

  it('hand-computed: three samples in one minute, one in the next', () => {
    const r = new MinuteRollups(['a', 'b'] as const);
    const t0 = Date.parse('2026-12-02T10:00:00Z');
    expect(r.add(t0 + 1000, { a: 2, b: null })).toBeNull();
    r.add(t0 + 20_000, { a: 8, b: 5 });
    r.add(t0 + 40_000, { a: 5, b: null });
    const closed = r.add(t0 + MIN + 1, { a: 1, b: 1 });
    expect(closed).toEqual({ t: t0, min: [2, 5], avg: [5, 5], max: [8, 5] });
    // A sample for a minute already closed (replayed, or out of order) does not change it.
    r.add(t0 + 30_000, { a: 100, b: 100 });
    expect(r.rowsWithOpen()).toEqual([
      { t: t0, min: [2, 5], avg: [5, 5], max: [8, 5] },
      { t: t0 + MIN, min: [1, 1], avg: [1, 1], max: [1, 1] },
    ]);
    // Posted to a webview and back: the open minute keeps its weight (2 samples more -> avg of 3).
    const back = MinuteRollups.fromState(JSON.parse(JSON.stringify(r.toState())), ['a', 'b'] as const);
    back.add(t0 + MIN + 10, { a: 4, b: null });
    back.add(t0 + MIN + 20, { a: 7, b: null });
    expect(back.rowsWithOpen()[1]).toEqual({ t: t0 + MIN, min: [1, 1], avg: [4, 1], max: [7, 1] });
  });

  it('ranges: 15 min at refresh resolution ends at the newest point; a missing minute breaks the line', () => {
    const recent = new SeriesHistory(METRIC_FIELDS);
    const minutes = new MinuteRollups(METRIC_FIELDS);
    const t0 = Date.parse('2026-12-02T10:00:00Z');
    for (const t of [t0, t0 + MIN, t0 + 5 * MIN, t0 + 20 * MIN, t0 + 21 * MIN]) {
      recent.push(t, { cpuPercent: t / 1e12 });
      minutes.add(t, { cpuPercent: t / 1e12 });
    }
    const v15 = rangeView(recent, minutes, '15m');
    expect(v15.t).toEqual([t0 + 20 * MIN, t0 + 21 * MIN]);
    const v1h = rangeView(recent, minutes, '1h');
    // Rows at 0, 1, 5, 20, 21 min, with a null row after 1 and after 5.
    expect(v1h.t).toEqual([t0, t0 + MIN, t0 + 2 * MIN, t0 + 5 * MIN, t0 + 6 * MIN, t0 + 20 * MIN, t0 + 21 * MIN]);
    expect(v1h.values.cpuPercent[2]).toBeNull();
  });
});

describe('bound on subjects', () => {
  it('a container gone for a day ages out; past the bound, the one not seen for longest makes room', () => {
    const base = batchOf(recordedSnapshots()[0], 'local')!;
    const host = base.entries[0];
    const t0 = Date.parse('2026-12-02T10:00:00Z');
    const h = new TargetHistory(3);
    h.apply({ t: t0, entries: [host, { ...host, key: 'a', name: 'a' }, { ...host, key: 'b', name: 'b' }] });
    h.apply({ t: t0 + 1000, entries: [host, { ...host, key: 'b', name: 'b' }] });
    // a was not in the last refresh: it goes for c; b was, and stays.
    h.apply({ t: t0 + 2000, entries: [host, { ...host, key: 'b', name: 'b' }, { ...host, key: 'c', name: 'c' }] });
    expect(h.subjects().map((s) => s.key)).toEqual([HOST_KEY, 'b', 'c']);
    // All present: a newcomer is not kept, and nothing held is dropped.
    h.apply({
      t: t0 + 3000,
      entries: [
        host,
        { ...host, key: 'b', name: 'b' },
        { ...host, key: 'c', name: 'c' },
        { ...host, key: 'd', name: 'd' },
      ],
    });
    expect(
      h
        .subjects()
        .map((s) => s.key)
        .sort(),
    ).toEqual([HOST_KEY, 'b', 'c']);
    // A day later only the host and what still reports are left.
    h.apply({ t: t0 + 24 * 60 * MIN + 5000, entries: [host, { ...host, key: 'c', name: 'c' }] });
    expect(h.subjects().map((s) => s.key)).toEqual([HOST_KEY, 'c']);
  });
});
