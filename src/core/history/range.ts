// The points of one range (15 min, 1 h, 24 h) of a subject's history: the Metrics panel charts them and the
// export writes them, from this one function, so that an export equals what the panel shows. Pure, browser-safe.
import type { SeriesHistory } from '../panels/history';
import type { MinuteRollups } from './rollup';
import { MINUTE_MS, minuteOf } from './rollup';

export const HISTORY_RANGES = ['15m', '1h', '24h'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export const RANGE_LABELS: Record<HistoryRange, string> = { '15m': '15 min', '1h': '1 hour', '24h': '24 hours' };
const RANGE_MS: Record<HistoryRange, number> = { '15m': 15 * MINUTE_MS, '1h': 60 * MINUTE_MS, '24h': 1440 * MINUTE_MS };

export function isHistoryRange(v: unknown): v is HistoryRange {
  return typeof v === 'string' && (HISTORY_RANGES as readonly string[]).includes(v);
}

export interface RangeView<F extends string> {
  range: HistoryRange;
  /** `refresh`: one point per refresh; `minute`: one per minute, `values` being the minute's average. */
  resolution: 'refresh' | 'minute';
  /** ms since epoch, oldest first; a point of nulls marks a gap in the data. */
  t: number[];
  values: Record<F, Array<number | null>>;
  /** Per minute: the lowest and highest sample (absent at refresh resolution). */
  min?: Record<F, Array<number | null>>;
  max?: Record<F, Array<number | null>>;
}

function record<F extends string>(fields: readonly F[], col: (i: number) => Array<number | null>) {
  const out = {} as Record<F, Array<number | null>>;
  fields.forEach((f, i) => {
    out[f] = col(i);
  });
  return out;
}

/**
 * The range ends at the newest point held (not at the clock), so that the panel and an export taken a moment
 * later agree, and a subject that stopped reporting still shows its last minutes.
 */
export function rangeView<F extends string>(
  recent: SeriesHistory<F>,
  minutes: MinuteRollups<F>,
  range: HistoryRange,
): RangeView<F> {
  const fields = recent.fields;
  if (range === '15m') {
    const cols = recent.columns();
    const end = cols.t.length > 0 ? cols.t[cols.t.length - 1] : 0;
    const from = cols.t.findIndex((t) => t >= end - RANGE_MS[range]);
    const start = from < 0 ? cols.t.length : from;
    return {
      range,
      resolution: 'refresh',
      t: cols.t.slice(start),
      values: record(fields, (i) => cols.values[fields[i]].slice(start)),
    };
  }
  const rows = minutes.rowsWithOpen();
  const end = rows.length > 0 ? rows[rows.length - 1].t : 0;
  const kept = rows.filter((r) => r.t > minuteOf(end - RANGE_MS[range]));
  const t: number[] = [];
  const cols = {
    avg: [] as Array<Array<number | null>>,
    min: [] as Array<Array<number | null>>,
    max: [] as Array<Array<number | null>>,
  };
  for (const key of ['avg', 'min', 'max'] as const) cols[key] = fields.map(() => []);
  kept.forEach((r, k) => {
    // A missing minute or more between two rows: a point of nulls, so that the chart breaks its line there.
    if (k > 0 && r.t - kept[k - 1].t > 2 * MINUTE_MS) {
      t.push(kept[k - 1].t + MINUTE_MS);
      for (const key of ['avg', 'min', 'max'] as const) cols[key].forEach((c) => c.push(null));
    }
    t.push(r.t);
    for (const key of ['avg', 'min', 'max'] as const) cols[key].forEach((c, i) => c.push(r[key][i] ?? null));
  });
  return {
    range,
    resolution: 'minute',
    t,
    values: record(fields, (i) => cols.avg[i]),
    min: record(fields, (i) => cols.min[i]),
    max: record(fields, (i) => cols.max[i]),
  };
}
