// One target's history in memory: the host and each container, at refresh resolution (the panels' own
// SeriesHistory) and as minute rollups, with a bound on the number of subjects. What the file stores is
// replayed into it; what it holds is what a compacted file is rewritten from. Pure (no fs).
import type { Snapshot } from '../model';
import type { MetricsHistory } from '../../shared/protocol';
import { HISTORY_CAPACITY, SeriesHistory } from '../panels/history';
import { METRIC_FIELDS } from '../panels/series';
import type { MetricField } from '../panels/series';
import { sampleOf } from '../panels/sample';
import { containerLabel } from '../identity';
import type { HistoryRecord } from './codec';
import { MINUTE_MS, MinuteRollups } from './rollup';
import type { MinuteRow } from './rollup';
import { rangeView } from './range';
import type { HistoryRange, RangeView } from './range';

/** The host's key; containers are keyed by their full id. */
export const HOST_KEY = '';
const DAY_MS = 1440 * MINUTE_MS;
const RECENT_MS = 15 * MINUTE_MS;

export interface SampleBatch {
  t: number;
  entries: Array<{ key: string; name: string; values: Array<number | null> }>;
}

export interface SubjectSeries {
  key: string;
  name: string;
  recent: SeriesHistory<MetricField>;
  minutes: MinuteRollups<MetricField>;
  /** Time of its newest sample. */
  lastSeen: number;
}

/** The host's and every container's sample of one snapshot, values in METRIC_FIELDS order. */
export function batchOf(s: Snapshot, hostName: string): SampleBatch | null {
  const t = Date.parse(s.collectedAt);
  if (!Number.isFinite(t)) return null;
  const entries: SampleBatch['entries'] = [];
  const add = (key: string, name: string, kind: 'host' | 'container') => {
    const sample = sampleOf(s, { kind, id: key });
    if (sample) entries.push({ key, name, values: METRIC_FIELDS.map((f) => sample[f]) });
  };
  add(HOST_KEY, s.host.hostname || hostName, 'host');
  for (const c of s.containers) add(c.id, containerLabel(c), 'container');
  return { t, entries };
}

function valuesOf(values: ReadonlyArray<number | null>): Record<MetricField, number | null> {
  const out = {} as Record<MetricField, number | null>;
  METRIC_FIELDS.forEach((f, i) => {
    out[f] = values[i] ?? null;
  });
  return out;
}

export class TargetHistory {
  private readonly series = new Map<string, SubjectSeries>();

  /** `maxSubjects` counts the host too. */
  constructor(public maxSubjects: number) {}

  private subjectFor(key: string, name: string, t: number): SubjectSeries | null {
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.maxSubjects && !this.evictOne(t)) return null;
      s = {
        key,
        name,
        recent: new SeriesHistory(METRIC_FIELDS, HISTORY_CAPACITY),
        minutes: new MinuteRollups(METRIC_FIELDS),
        lastSeen: -Infinity,
      };
      this.series.set(key, s);
    }
    if (name) s.name = name;
    return s;
  }

  /**
   * Makes room for a new subject: the one not seen for longest goes, unless every subject was seen in the
   * newest batch (then the newcomer is not kept: the series already kept stay whole).
   */
  private evictOne(t: number): boolean {
    let oldest: SubjectSeries | null = null;
    for (const s of this.series.values())
      if (s.key !== HOST_KEY && s.lastSeen < t && (!oldest || s.lastSeen < oldest.lastSeen)) oldest = s;
    if (!oldest) return false;
    this.series.delete(oldest.key);
    return true;
  }

  /** Adds a refresh's samples; returns the minutes that it closed (per subject). */
  apply(batch: SampleBatch): void {
    for (const e of batch.entries) {
      const s = this.subjectFor(e.key, e.name, batch.t);
      if (!s) continue;
      const values = valuesOf(e.values);
      if (s.recent.push(batch.t, values)) s.minutes.add(batch.t, values);
      s.lastSeen = Math.max(s.lastSeen, batch.t);
    }
    this.prune(batch.t);
  }

  /** A closed minute read back from a file. */
  putMinute(key: string, name: string, row: MinuteRow): void {
    const s = this.subjectFor(key, name, row.t);
    if (!s) return;
    s.minutes.put(row);
    s.lastSeen = Math.max(s.lastSeen, row.t + MINUTE_MS - 1);
  }

  /** Containers gone for a day have nothing left to show: they go, and so do minutes older than a day. */
  prune(now: number): void {
    for (const s of [...this.series.values()]) {
      if (s.key !== HOST_KEY && s.lastSeen < now - DAY_MS) this.series.delete(s.key);
      else s.minutes.dropBefore(now - DAY_MS);
    }
  }

  get(key: string): SubjectSeries | undefined {
    return this.series.get(key);
  }

  /** The subjects held, host first, then the most recently seen. */
  subjects(): Array<{ key: string; name: string; lastSeen: number }> {
    return [...this.series.values()]
      .map(({ key, name, lastSeen }) => ({ key, name, lastSeen }))
      .sort((a, b) => (a.key === HOST_KEY ? -1 : b.key === HOST_KEY ? 1 : b.lastSeen - a.lastSeen));
  }

  /** What a Metrics panel receives when it opens. */
  posted(key: string): MetricsHistory | null {
    const s = this.series.get(key);
    return s ? { recent: s.recent.toState(), minutes: s.minutes.toState() } : null;
  }

  view(key: string, range: HistoryRange): RangeView<MetricField> | null {
    const s = this.series.get(key);
    return s ? rangeView(s.recent, s.minutes, range) : null;
  }

  /**
   * What a compacted file holds: the fields, each subject, its closed minutes since `minutesFrom`, then the
   * samples of the last 15 minutes (which also rebuild the open minute on replay).
   */
  records(minutesFrom = -Infinity): HistoryRecord[] {
    const out: HistoryRecord[] = [{ kind: 'fields', fields: [...METRIC_FIELDS] }];
    const subjects = [...this.series.values()];
    subjects.forEach((s, index) => out.push({ kind: 'subject', index, key: s.key, name: s.name }));
    const minutes = new Map<number, Extract<HistoryRecord, { kind: 'minute' }>>();
    const samples = new Map<number, Extract<HistoryRecord, { kind: 'samples' }>>();
    subjects.forEach((s, index) => {
      for (const r of s.minutes.closedRows()) {
        if (r.t < minutesFrom) continue;
        const m = minutes.get(r.t) ?? { kind: 'minute', t: r.t, entries: [] };
        m.entries.push({ index, min: r.min, avg: r.avg, max: r.max });
        minutes.set(r.t, m);
      }
      const st = s.recent.toState();
      const end = st.t.length > 0 ? st.t[st.t.length - 1] : 0;
      st.t.forEach((t, i) => {
        if (t < end - RECENT_MS) return;
        const m = samples.get(t) ?? { kind: 'samples', t, entries: [] };
        m.entries.push({ index, values: st.values.map((col) => col[i]) });
        samples.set(t, m);
      });
    });
    const byTime = <R extends { t: number }>(m: Map<number, R>) => [...m.values()].sort((a, b) => a.t - b.t);
    return [...out, ...byTime(minutes), ...byTime(samples)];
  }
}
