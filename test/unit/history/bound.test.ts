// The default bound's promise (README, docs/history.md): 20 MB keeps a whole day of the host and 50 containers.
// Each subject's day must then fit the compaction's target (3/4 of the bound) with room left for appends; if the
// record format grows or the per-subject share shrinks, compactions would drop hours of every subject instead.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryFile } from '../../../src/core/history/historyFile';
import { HOST_KEY } from '../../../src/core/history/targetHistory';
import { MAGIC, encodedSize } from '../../../src/core/history/codec';
import { METRIC_FIELDS } from '../../../src/core/panels/series';

const MB = 1024 * 1024;
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

describe('the default history bound', () => {
  it('keeps the host and 50 containers, whose compacted day (2 s refreshes) leaves a quarter of the bound for appends', async () => {
    const f = await HistoryFile.open(join(mkdtempSync(join(tmpdir(), 'dm-bound-')), 'b.dmh'), 20 * MB, () => {});
    const h = f.history;
    const keys = [HOST_KEY, ...Array.from({ length: 50 }, (_, k) => `${'c'.repeat(56)}${String(k).padStart(8, '0')}`)];
    const row = (v: number) => METRIC_FIELDS.map((_, i) => v * (i + 1) + 0.123);
    const t0 = Date.parse('2026-12-02T00:00:00Z');
    // A day of closed minutes, then the last 15 minutes of refreshes, 2 s apart, for every subject.
    for (const key of keys)
      for (let m = 0; m < 1440 - 15; m++)
        h.putMinute(key, key, { t: t0 + m * MINUTE, min: row(1), avg: row(2), max: row(3) });
    for (let t = t0 + DAY - 15 * MINUTE; t < t0 + DAY; t += 2000)
      h.apply({ t, entries: keys.map((key) => ({ key, name: key, values: row(t % 7) })) });

    expect(h.subjects()).toHaveLength(51);
    for (const key of keys) expect(h.view(key, '24h')!.t.length).toBeGreaterThanOrEqual(1439);
    const size = h.records().reduce((n, r) => n + encodedSize(r), MAGIC.length);
    expect(size).toBeLessThan(0.75 * 20 * MB);
    // A 52nd subject is not kept while all 51 are current: the series kept stay whole.
    h.apply({ t: t0 + DAY, entries: [...keys, 'd'.repeat(64)].map((key) => ({ key, name: key, values: row(1) })) });
    expect(h.get('d'.repeat(64))).toBeUndefined();
  });
});
