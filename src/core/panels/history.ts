// Bounded time-series history for the panels' charts: a ring buffer of points (time + one value per field),
// serialisable into the webview's state so that a window reload keeps the history. Pure (no DOM).

/** At the default 2 s refresh, 450 points are 15 minutes; 1800 keep an hour. */
export const HISTORY_CAPACITY = 1800;
export const HISTORY_MIN_CAPACITY = 450;

/** Persisted form: column-wise, oldest first (compact in JSON). */
export interface HistoryState {
  fields: string[];
  t: number[];
  values: Array<Array<number | null>>;
}

export interface HistoryColumns<F extends string> {
  /** ms since epoch, oldest first. */
  t: number[];
  values: Record<F, Array<number | null>>;
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export class SeriesHistory<F extends string> {
  private readonly times: number[];
  private readonly cols: Array<Array<number | null>>;
  /** Index of the oldest point. */
  private start = 0;
  private count = 0;

  constructor(
    readonly fields: readonly F[],
    readonly capacity = HISTORY_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
    this.times = new Array<number>(capacity);
    this.cols = fields.map(() => new Array<number | null>(capacity));
  }

  get length(): number {
    return this.count;
  }

  /** Time of the newest point, or null when empty. */
  get lastTime(): number | null {
    return this.count === 0 ? null : this.times[(this.start + this.count - 1) % this.capacity];
  }

  /**
   * Adds a point; the oldest one drops out when full. A point not newer than the last one is ignored (the same
   * snapshot delivered twice, or out of order) and false is returned.
   */
  push(t: number, values: Partial<Record<F, number | null>>): boolean {
    if (!Number.isFinite(t)) return false;
    const last = this.lastTime;
    if (last !== null && t <= last) return false;
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.start + this.count) % this.capacity;
      this.count++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.times[slot] = t;
    this.fields.forEach((f, i) => {
      this.cols[i][slot] = finiteOrNull(values[f]);
    });
    return true;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  private ordered<T>(arr: T[]): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(arr[(this.start + i) % this.capacity]);
    return out;
  }

  /**
   * The points oldest first. Where two points are further apart than `gapMs` (polling stopped while nothing
   * was visible), a point of nulls is put between them so that charts break the line instead of drawing a
   * straight one across time without data. By default the gap is `gapThreshold` of the points' times.
   */
  columns(gapMs?: number): HistoryColumns<F> {
    const t = this.ordered(this.times);
    const gap = gapMs ?? gapThreshold(t);
    const raw = this.cols.map((c) => this.ordered(c));
    const outT: number[] = [];
    const outV = raw.map(() => [] as Array<number | null>);
    for (let i = 0; i < t.length; i++) {
      if (i > 0 && t[i] - t[i - 1] > gap) {
        outT.push((t[i] + t[i - 1]) / 2);
        outV.forEach((col) => col.push(null));
      }
      outT.push(t[i]);
      outV.forEach((col, k) => col.push(raw[k][i]));
    }
    const values = {} as Record<F, Array<number | null>>;
    this.fields.forEach((f, i) => {
      values[f] = outV[i];
    });
    return { t: outT, values };
  }

  toState(): HistoryState {
    return { fields: [...this.fields], t: this.ordered(this.times), values: this.cols.map((c) => this.ordered(c)) };
  }

  /**
   * Rebuilds a history from persisted state, which comes back from the webview and is checked like any input:
   * fields missing from the state read as null, unknown fields are dropped, bad points are skipped.
   */
  static fromState<F extends string>(
    state: unknown,
    fields: readonly F[],
    capacity = HISTORY_CAPACITY,
  ): SeriesHistory<F> {
    const h = new SeriesHistory(fields, capacity);
    if (typeof state !== 'object' || state === null) return h;
    const st = state as Partial<HistoryState>;
    if (!Array.isArray(st.fields) || !Array.isArray(st.t) || !Array.isArray(st.values)) return h;
    const index = fields.map((f) => st.fields!.indexOf(f));
    // Keep the newest points when the state holds more than this history can.
    const from = Math.max(0, st.t.length - capacity);
    for (let i = from; i < st.t.length; i++) {
      const t = st.t[i];
      if (typeof t !== 'number') continue;
      const point: Partial<Record<F, number | null>> = {};
      fields.forEach((f, k) => {
        const col = index[k] >= 0 ? st.values![index[k]] : undefined;
        point[f] = Array.isArray(col) ? finiteOrNull(col[i]) : null;
      });
      h.push(t, point);
    }
    return h;
  }
}

/** A chart gap: several missed refreshes (5 x the median interval), and never less than 10 s. */
export function gapThreshold(times: readonly number[]): number {
  if (times.length < 3) return Infinity;
  const deltas: number[] = [];
  for (let i = 1; i < times.length; i++) deltas.push(times[i] - times[i - 1]);
  deltas.sort((a, b) => a - b);
  const median = deltas[Math.floor(deltas.length / 2)];
  return Math.max(5 * median, 10_000);
}
