// Export History's text: the points of the range view the panel charts, gap markers left out; the setting's check.
import { describe, expect, it } from 'vitest';
import { historyExportName, historyExportText, maxBytesSetting } from '../../../src/core/history/exportText';
import { HOST_KEY, TargetHistory, batchOf } from '../../../src/core/history/targetHistory';
import { METRIC_FIELDS } from '../../../src/core/panels/series';
import { recordedSnapshots } from './fixtures/load';

const h = new TargetHistory(50);
const snaps = recordedSnapshots();
for (const s of snaps) h.apply(batchOf(s, 'local')!);
const host = { target: 'Local', kind: 'host' as const, id: HOST_KEY, name: snaps[0].host.hostname };

describe('history export', () => {
  it('JSON at refresh resolution: one point per refresh, the values the panel charts', () => {
    const view = h.view(HOST_KEY, '15m')!;
    const doc = JSON.parse(historyExportText(host, view, METRIC_FIELDS, 'json'));
    expect(doc.subject).toEqual({ kind: 'host', id: '', name: host.name });
    expect(doc.points.map((p: { time: string }) => Date.parse(p.time))).toEqual(view.t);
    expect(doc.points.map((p: { cpuPercent: number }) => p.cpuPercent)).toEqual(view.values.cpuPercent);
    expect(doc.points.at(-1).memoryBytes).toBe(snaps.at(-1)!.host.memory.usedBytes);
  });

  it('CSV of minutes: avg, min and max columns per field, one row per minute', () => {
    const view = h.view(HOST_KEY, '24h')!;
    const [header, ...rows] = historyExportText(host, view, METRIC_FIELDS, 'csv').trimEnd().split('\n');
    expect(header.split(',').slice(0, 4)).toEqual(['time', 'cpuPercent', 'cpuPercentMin', 'cpuPercentMax']);
    expect(rows).toHaveLength(view.t.length);
    const first = rows[0].split(',');
    expect(first[0]).toBe(new Date(view.t[0]).toISOString());
    expect(Number(first[1])).toBe(view.values.cpuPercent[0]);
    expect(Number(first[2])).toBe(view.min!.cpuPercent[0]);
    // PSI is null on this cgroup v1 machine: an empty cell.
    expect(header.split(',').indexOf('cpuPressure')).toBeGreaterThan(0);
    expect(first[header.split(',').indexOf('cpuPressure')]).toBe('');
  });

  it('a gap marker is not exported', () => {
    const g = new TargetHistory(5);
    const b = batchOf(snaps[0], 'local')!;
    for (const t of [0, 2000, 4000, 6000, 300_000].map((x) => x + Date.parse('2026-12-02T10:00:00Z')))
      g.apply({ ...b, t });
    const view = g.view(HOST_KEY, '15m')!;
    expect(view.t).toHaveLength(6);
    expect(JSON.parse(historyExportText(host, view, METRIC_FIELDS, 'json')).points).toHaveLength(5);
  });

  it('file name and setting', () => {
    expect(historyExportName({ ...host, name: 'my/box' }, '1h', 'csv')).toBe(
      'docker-monitor-history-Local-my_box-1h.csv',
    );
    expect(maxBytesSetting(undefined)).toEqual({ bytes: 20 * 1024 * 1024, problem: null });
    expect(maxBytesSetting(5)).toEqual({ bytes: 5 * 1024 * 1024, problem: null });
    expect(maxBytesSetting('big').problem).toMatch(/must be a number from 1 to 1024.*using 20/);
    expect(maxBytesSetting(0).bytes).toBe(20 * 1024 * 1024);
  });
});
