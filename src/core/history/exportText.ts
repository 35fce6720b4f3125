// "Export History...": one range of a subject's history as CSV or JSON, written from the same RangeView the
// Metrics panel charts, so the file holds exactly the points the panel shows for that range. Pure.
import type { RangeView } from './range';
import { RANGE_LABELS } from './range';

export type ExportFormat = 'csv' | 'json';

export interface ExportSubject {
  target: string;
  kind: 'host' | 'container';
  /** Container id; '' for the host. */
  id: string;
  name: string;
}

/** Gap markers (points of nulls the charts use to break a line) are not data: an export leaves them out. */
function dataRows<F extends string>(v: RangeView<F>, fields: readonly F[]): number[] {
  const rows: number[] = [];
  v.t.forEach((_, i) => {
    if (fields.some((f) => v.values[f][i] !== null) || (v.min && fields.some((f) => v.min![f][i] !== null)))
      rows.push(i);
  });
  return rows;
}

function csvCell(v: number | string | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function historyExportText<F extends string>(
  subject: ExportSubject,
  view: RangeView<F>,
  fields: readonly F[],
  format: ExportFormat,
): string {
  const rows = dataRows(view, fields);
  const minute = view.resolution === 'minute';
  if (format === 'json') {
    const points = rows.map((i) => {
      const p: Record<string, number | string | null> = { time: new Date(view.t[i]).toISOString() };
      for (const f of fields) {
        p[f] = view.values[f][i];
        if (minute) {
          p[`${f}Min`] = view.min![f][i];
          p[`${f}Max`] = view.max![f][i];
        }
      }
      return p;
    });
    const doc = {
      target: subject.target,
      subject: { kind: subject.kind, id: subject.id, name: subject.name },
      range: view.range,
      rangeLabel: RANGE_LABELS[view.range],
      resolution: minute ? '1-minute average with min and max' : 'one point per refresh',
      points,
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const header = ['time', ...fields.flatMap((f) => (minute ? [f, `${f}Min`, `${f}Max`] : [f]))];
  const lines = rows.map((i) =>
    [
      new Date(view.t[i]).toISOString(),
      ...fields.flatMap((f) => (minute ? [view.values[f][i], view.min![f][i], view.max![f][i]] : [view.values[f][i]])),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/** `docker-monitor-history-<target>-<subject>-<range>.<ext>`, safe on every file system. */
export function historyExportName(subject: ExportSubject, range: string, format: ExportFormat): string {
  const safe = (s: string) =>
    s
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+|_+$/g, '')
      .slice(0, 40) || 'x';
  return `docker-monitor-history-${safe(subject.target)}-${safe(subject.name)}-${range}.${format}`;
}

/** `dockerMonitor.history.maxMegabytesPerTarget`, checked: a bad value is named and the default used. */
export function maxBytesSetting(raw: unknown): { bytes: number; problem: string | null } {
  const fallback = { bytes: 20 * 1024 * 1024 };
  if (raw === undefined || raw === null) return { ...fallback, problem: null };
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 1 || raw > 1024)
    return {
      ...fallback,
      problem: `dockerMonitor.history.maxMegabytesPerTarget must be a number from 1 to 1024 (got ${JSON.stringify(raw)}); using 20.`,
    };
  return { bytes: Math.round(raw * 1024 * 1024), problem: null };
}
