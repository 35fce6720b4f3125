// One-minute min/avg/max rollups of a subject's series for the last 24 hours: what the 1 h and 24 h ranges of
// the Metrics panel and the export show. Pure and browser-safe: the extension's store and the webview (which
// keeps rolling up the live points it receives) run the same code, so both show the same minutes.

export const MINUTE_MS = 60_000;
/** 24 hours of minutes. */
const ROLLUP_CAPACITY = 1440;

/** One closed minute: `t` is the minute's start (ms); per field min/avg/max over the samples, null if none. */
export interface MinuteRow {
  t: number;
  min: Array<number | null>;
  avg: Array<number | null>;
  max: Array<number | null>;
}

/** Persisted and posted form: the fields' order, then the rows, oldest first. */
export interface RollupState {
  fields: string[];
  rows: MinuteRow[];
  /** The minute still open: its running min/max/sum and sample count per field. */
  open: { t: number; min: Array<number | null>; max: Array<number | null>; sum: number[]; n: number[] } | null;
}

interface Accumulator {
  t: number;
  min: number[];
  max: number[];
  sum: number[];
  n: number[];
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function minuteOf(t: number): number {
  return Math.floor(t / MINUTE_MS) * MINUTE_MS;
}

export class MinuteRollups<F extends string> {
  private rows: MinuteRow[] = [];
  private acc: Accumulator | null = null;

  constructor(
    readonly fields: readonly F[],
    readonly capacity = ROLLUP_CAPACITY,
  ) {}

  /** Start of the newest closed minute, or -Infinity. */
  private lastClosed(): number {
    return this.rows.length === 0 ? -Infinity : this.rows[this.rows.length - 1].t;
  }

  /**
   * Adds a sample to its minute; a sample in a minute after the current one closes it. Samples in a minute
   * already closed (replayed from a file that also holds that minute's row, or out of order) are ignored.
   * Returns the row closed by this sample, if any.
   */
  add(t: number, values: Partial<Record<F, number | null>>): MinuteRow | null {
    if (!finite(t)) return null;
    const m = minuteOf(t);
    if (m <= this.lastClosed() || (this.acc && m < this.acc.t)) return null;
    let closed: MinuteRow | null = null;
    if (this.acc && m > this.acc.t) closed = this.close();
    const k = this.fields.length;
    this.acc ??= {
      t: m,
      min: new Array<number>(k).fill(Infinity),
      max: new Array<number>(k).fill(-Infinity),
      sum: new Array<number>(k).fill(0),
      n: new Array<number>(k).fill(0),
    };
    const a = this.acc;
    this.fields.forEach((f, i) => {
      const v = values[f];
      if (!finite(v)) return;
      a.min[i] = Math.min(a.min[i], v);
      a.max[i] = Math.max(a.max[i], v);
      a.sum[i] += v;
      a.n[i]++;
    });
    return closed;
  }

  /** The open minute as a row (the panels show it as the newest minute before it closes). */
  private partial(): MinuteRow | null {
    const a = this.acc;
    if (!a) return null;
    return {
      t: a.t,
      min: a.n.map((n, i) => (n > 0 ? a.min[i] : null)),
      avg: a.n.map((n, i) => (n > 0 ? a.sum[i] / n : null)),
      max: a.n.map((n, i) => (n > 0 ? a.max[i] : null)),
    };
  }

  private close(): MinuteRow | null {
    const row = this.partial();
    this.acc = null;
    if (row) this.put(row);
    return row;
  }

  /** A closed minute read back from a file; ignored unless newer than the newest one held. */
  put(row: MinuteRow): void {
    if (!finite(row.t) || row.t <= this.lastClosed()) return;
    if (this.acc && this.acc.t <= row.t) this.acc = null;
    this.rows.push(row);
    if (this.rows.length > this.capacity) this.rows.splice(0, this.rows.length - this.capacity);
  }

  /** Drops closed minutes that started before `t`. */
  dropBefore(t: number): void {
    // Called on every refresh: nothing to do in all but one refresh a minute.
    if (this.rows.length === 0 || this.rows[0].t >= t) return;
    const i = this.rows.findIndex((r) => r.t >= t);
    this.rows = i < 0 ? [] : this.rows.slice(i);
  }

  /** Closed rows (without the open minute), oldest first. */
  closedRows(): readonly MinuteRow[] {
    return this.rows;
  }

  /** Closed rows and the open minute, oldest first: what a range shows. */
  rowsWithOpen(): MinuteRow[] {
    const p = this.partial();
    return p ? [...this.rows, p] : [...this.rows];
  }

  toState(): RollupState {
    const a = this.acc;
    return {
      fields: [...this.fields],
      rows: [...this.rows],
      open: a && {
        t: a.t,
        min: a.min.map((v) => (finite(v) ? v : null)),
        max: a.max.map((v) => (finite(v) ? v : null)),
        sum: [...a.sum],
        n: [...a.n],
      },
    };
  }

  /** Rebuilds rollups from a posted state, checked like any input: rows of the wrong shape are skipped. */
  static fromState<F extends string>(state: unknown, fields: readonly F[]): MinuteRollups<F> {
    const r = new MinuteRollups(fields);
    if (typeof state !== 'object' || state === null) return r;
    const st = state as Partial<RollupState>;
    if (!Array.isArray(st.fields) || !Array.isArray(st.rows)) return r;
    const index = fields.map((f) => st.fields!.indexOf(f));
    const pick = (col: unknown) => index.map((j) => (Array.isArray(col) && j >= 0 && finite(col[j]) ? col[j] : null));
    for (const row of st.rows as unknown[]) {
      if (typeof row !== 'object' || row === null || !finite((row as MinuteRow).t)) continue;
      const x = row as MinuteRow;
      r.put({ t: x.t, min: pick(x.min), avg: pick(x.avg), max: pick(x.max) });
    }
    const o = st.open;
    if (o && typeof o === 'object' && finite(o.t) && o.t > r.lastClosed()) {
      const n = pick(o.n);
      r.acc = {
        t: o.t,
        min: pick(o.min).map((v) => v ?? Infinity),
        max: pick(o.max).map((v) => v ?? -Infinity),
        sum: pick(o.sum).map((v) => v ?? 0),
        n: n.map((v) => v ?? 0),
      };
    }
    return r;
  }
}
