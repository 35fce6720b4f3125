// A time-series chart (uPlot) themed from VS Code's chart colours, resized with its container and rebuilt on a
// theme change (canvas colours are fixed when drawn).
import uPlot from 'uplot';
import { formatBytes, formatPercent, formatRate } from '../../core/format';
import { el } from './dom';
import { cssVar } from './theme';

type ChartUnit = 'percent' | 'bytes' | 'rate' | 'number';

export interface SeriesSpec {
  label: string;
  /** A --vscode-charts-* variable. */
  colorVar: string;
  fallback: string;
  /** A dashed line: limits and totals, not measurements. */
  dashed?: boolean;
  fill?: boolean;
}

export interface ChartSpec {
  title: string;
  unit: ChartUnit;
  series: SeriesSpec[];
  /** Percent charts of a share (host CPU, disk) are capped at 100; container CPU can exceed it. */
  max100?: boolean;
  height?: number;
}

function formatValue(unit: ChartUnit, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 'percent':
      return formatPercent(v);
    case 'bytes':
      return formatBytes(v);
    case 'rate':
      return formatRate(v);
    case 'number':
      return Number.isInteger(v) ? String(v) : v.toFixed(2);
  }
}

/** Axis ticks: whole percents ("100%" fits where "100.0%" would be cut). */
function formatTick(unit: ChartUnit, v: number): string {
  if (unit === 'percent') return `${Number.isInteger(v) ? v : Number(v.toFixed(1))}%`;
  if (unit === 'number') return String(Number(v.toFixed(2)));
  return formatValue(unit, v);
}

/** The newest value of a series, which the legend shows while the pointer is not over the chart. */
function lastValue(values: ArrayLike<number | null | undefined> | undefined): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}

/** Smallest top of the y range, so that a flat zero line does not get axis ticks of fractions of a byte. */
const MIN_TOP: Record<ChartUnit, number> = { percent: 1, bytes: 1024, rate: 1024, number: 1 };

export const CHART_COLORS = {
  blue: ['--vscode-charts-blue', '#3794ff'],
  red: ['--vscode-charts-red', '#f14c4c'],
  green: ['--vscode-charts-green', '#89d185'],
  yellow: ['--vscode-charts-yellow', '#cca700'],
  orange: ['--vscode-charts-orange', '#d18616'],
  purple: ['--vscode-charts-purple', '#b180d7'],
  foreground: ['--vscode-charts-foreground', '#cccccc'],
} as const;

export function color(name: keyof typeof CHART_COLORS, label: string, extra: Partial<SeriesSpec> = {}): SeriesSpec {
  const [colorVar, fallback] = CHART_COLORS[name];
  return { label, colorVar, fallback, ...extra };
}

/** A colour with an alpha channel, for fills under a line (computed colours come as #rrggbb or rgb()). */
function withAlpha(c: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(c);
  return rgb ? `rgba(${rgb[1]},${rgb[2]},${rgb[3]}, ${alpha})` : c;
}

export class TimeChart {
  private plot: uPlot | null = null;
  private data: uPlot.AlignedData;
  readonly element: HTMLElement;
  private readonly canvasHost: HTMLElement;
  private readonly resize: ResizeObserver;
  /** The data carries a min and a max series per measured series (minute rollups): drawn as a band. */
  private banded = false;

  constructor(private readonly spec: ChartSpec) {
    this.data = [[], ...spec.series.map(() => [])];
    this.canvasHost = el('div', { className: 'chart-canvas' });
    this.element = el(
      'figure',
      { className: 'chart', attrs: { 'aria-label': `${spec.title} chart` } },
      el('figcaption', { text: spec.title }),
      this.canvasHost,
    );
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.canvasHost);
  }

  private width(): number {
    return Math.max(200, Math.floor(this.canvasHost.clientWidth || 400));
  }

  private build(): void {
    this.plot?.destroy();
    const fg = cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#cccccc'));
    const grid = cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.35)');
    const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    const unit = this.spec.unit;
    const fmt = (v: number | null | undefined) => formatValue(unit, v);
    const max100 = this.spec.max100 === true;
    const tick = (v: number) => formatTick(unit, v);
    const opts: uPlot.Options = {
      width: this.width(),
      height: this.spec.height ?? 160,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
      scales: {
        x: { time: true },
        // From zero, with headroom; a share of the whole stays within 0-100.
        y: { range: (_u, _min, max) => (max100 ? [0, 100] : [0, Math.max(max > 0 ? max * 1.15 : 0, MIN_TOP[unit])]) },
      },
      axes: [
        { stroke: fg, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        {
          stroke: fg,
          font,
          // Wide enough for the longest tick label ("1023.5 MiB/s"), measured with the axis font.
          size: (u, values) => {
            if (!values || values.length === 0) return 40;
            u.ctx.font = font;
            const widest = Math.max(...values.map((v) => u.ctx.measureText(String(v)).width));
            return Math.ceil(widest / devicePixelRatio) + 18;
          },
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          values: (_u, splits) => splits.map(tick),
        },
      ],
      series: [
        {
          value: (u, v, _s, idx) => {
            const t = idx === null ? lastValue(u.data[0]) : v;
            return t === null ? '–' : new Date(t * 1000).toLocaleTimeString();
          },
        },
        ...this.spec.series.map((s): uPlot.Series => {
          const c = cssVar(s.colorVar, s.fallback);
          return {
            label: s.label,
            stroke: c,
            width: s.dashed ? 1 : 1.5,
            ...(s.dashed && { dash: [5, 4] }),
            ...(s.fill && !this.banded && { fill: withAlpha(c, 0.15) }),
            spanGaps: false,
            points: { show: false },
            value: (u, v, sidx, idx) => fmt(idx === null ? lastValue(u.data[sidx] as ArrayLike<number | null>) : v),
          };
        }),
        // The band's edges: no line of their own; the legend shows them while the pointer is over a minute.
        ...(this.banded
          ? (['min', 'max'] as const).flatMap((edge) =>
              this.spec.series.map((s): uPlot.Series => ({
                label: `${s.label} ${edge}`,
                stroke: 'transparent',
                width: 0,
                spanGaps: false,
                points: { show: false },
                value: (_u, v, _sidx, idx) => (idx === null ? '–' : fmt(v)),
              })),
            )
          : []),
      ],
      bands: this.banded
        ? this.spec.series.map((s, i) => {
            const n = this.spec.series.length;
            return {
              series: [1 + 2 * n + i, 1 + n + i] as [number, number],
              fill: withAlpha(cssVar(s.colorVar, s.fallback), 0.18),
            };
          })
        : [],
    };
    this.plot = new uPlot(opts, this.data, this.canvasHost);
    // The band edges stay out of the legend: the band shows them, and two more entries per series crowd it.
    if (this.banded)
      this.plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series').forEach((row, i) => {
        if (i > this.spec.series.length) row.style.display = 'none';
      });
  }

  private fit(): void {
    if (!this.plot || !this.canvasHost.isConnected) return;
    const w = this.width();
    if (w !== this.plot.width) this.plot.setSize({ width: w, height: this.spec.height ?? 160 });
  }

  /**
   * `t` in ms since epoch; one values array per series, aligned with t. With `band`, each series also has its
   * lowest and highest values (per minute), drawn as a shaded band around its line.
   */
  setData(
    t: number[],
    series: Array<Array<number | null>>,
    band?: { min: Array<Array<number | null>>; max: Array<Array<number | null>> },
  ): void {
    this.data = [t.map((x) => x / 1000), ...series, ...(band ? [...band.min, ...band.max] : [])];
    if (this.banded !== (band !== undefined)) {
      // The series and bands are fixed when the plot is built: a change of range rebuilds it.
      this.banded = band !== undefined;
      this.plot?.destroy();
      this.plot = null;
    }
    if (!this.plot) {
      if (this.canvasHost.isConnected) this.build();
      return;
    }
    this.plot.setData(this.data);
    // Not hovering: the legend shows the newest values.
    if (this.plot.cursor.idx === null || this.plot.cursor.idx === undefined)
      this.plot.setLegend({ idxs: this.plot.series.map(() => null) });
  }

  /** Call after the element is in the document (uPlot measures it), and on a theme change. */
  redraw(): void {
    if (this.canvasHost.isConnected) this.build();
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
