// Metrics of one host, container or process: charts over 15 min, 1 h or 24 h, and the current figures as numbers.
// A host or container opens with the history the extension kept (across reloads); a process's starts at opening.
import 'uplot/dist/uPlot.min.css';
import './lib/panel.css';
import type { MetricsData, PanelSubject } from '../shared/protocol';
import { SeriesHistory } from '../core/panels/history';
import { MinuteRollups } from '../core/history/rollup';
import { HISTORY_RANGES, RANGE_LABELS, isHistoryRange, rangeView } from '../core/history/range';
import type { HistoryRange } from '../core/history/range';
import { METRIC_FIELDS, metricsPoint } from '../core/panels/series';
import type { MetricField } from '../core/panels/series';
import { TimeChart, color } from './lib/chart';
import type { ChartSpec } from './lib/chart';
import { append, coalesce, el, linkButton, replace } from './lib/dom';
import { button } from './lib/elements';
import { startSession } from './lib/session';
import { goneBanner, targetBar, waiting } from './lib/status';
import { onThemeChange } from './lib/theme';
import { openPanel, revealRow } from './lib/requests';

type Kind = 'host' | 'container' | 'process';

interface ChartDef {
  spec: ChartSpec;
  fields: MetricField[];
  kinds: Kind[];
  hideEmpty?: boolean;
}

const CHART_DEFS: ChartDef[] = [
  {
    // Container and process CPU % is of one core (as docker stats and top show it): it can pass 100.
    spec: { title: 'CPU', unit: 'percent', series: [color('blue', 'CPU %', { fill: true })] },
    fields: ['cpuPercent'],
    kinds: ['container', 'process'],
  },
  {
    spec: {
      title: 'CPU (all cores)',
      unit: 'percent',
      max100: true,
      series: [color('blue', 'busy %', { fill: true })],
    },
    fields: ['cpuPercent'],
    kinds: ['host'],
  },
  {
    spec: {
      title: 'Memory',
      unit: 'bytes',
      series: [color('purple', 'used', { fill: true }), color('red', 'limit', { dashed: true })],
    },
    fields: ['memoryBytes', 'memoryLimitBytes'],
    kinds: ['container'],
  },
  {
    spec: {
      title: 'Memory',
      unit: 'bytes',
      series: [color('purple', 'used', { fill: true }), color('foreground', 'total', { dashed: true })],
    },
    fields: ['memoryBytes', 'memoryLimitBytes'],
    kinds: ['host'],
  },
  {
    spec: { title: 'Memory (RSS)', unit: 'bytes', series: [color('purple', 'RSS', { fill: true })] },
    fields: ['memoryBytes'],
    kinds: ['process'],
  },
  {
    spec: { title: 'Network', unit: 'rate', series: [color('blue', 'rx'), color('green', 'tx')] },
    fields: ['rxBytesPerSec', 'txBytesPerSec'],
    kinds: ['host', 'container'],
  },
  {
    spec: { title: 'Block I/O', unit: 'rate', series: [color('orange', 'read'), color('yellow', 'write')] },
    fields: ['readBytesPerSec', 'writeBytesPerSec'],
    kinds: ['container'],
  },
  {
    spec: {
      title: 'CPU throttling',
      unit: 'percent',
      max100: true,
      series: [color('red', 'throttled periods %', { fill: true })],
    },
    fields: ['throttledPercent'],
    kinds: ['container'],
  },
  {
    // Hidden while the kernel (or the cgroup) has no pressure files: every value is null then.
    spec: {
      title: 'Pressure (PSI some, avg10)',
      unit: 'percent',
      max100: true,
      series: [color('blue', 'CPU'), color('purple', 'memory'), color('orange', 'I/O')],
    },
    fields: ['cpuPressure', 'memoryPressure', 'ioPressure'],
    kinds: ['host', 'container'],
    hideEmpty: true,
  },
];

let data: MetricsData | null = null;
let history = new SeriesHistory<MetricField>(METRIC_FIELDS);
let minutes = new MinuteRollups<MetricField>(METRIC_FIELDS);
let range: HistoryRange = '15m';
let charts: Array<{ chart: TimeChart; fields: MetricField[]; hideEmpty: boolean }> = [];
let chartsKind: Kind | null = null;
/** The subject's name while it existed: a gone process is named by its PID only, which says less. */
let knownName: string | null = null;

const session = startSession('metrics', {
  onSubject: (_s: PanelSubject, reset: boolean) => {
    if (reset) {
      history = new SeriesHistory<MetricField>(METRIC_FIELDS);
      minutes = new MinuteRollups<MetricField>(METRIC_FIELDS);
    }
  },
  onData: (d) => {
    data = d;
    // The stored history replaces what this document kept itself: it holds the same points and those from before.
    if (d.history) {
      history = SeriesHistory.fromState(d.history.recent, METRIC_FIELDS);
      minutes = MinuteRollups.fromState(d.history.minutes, METRIC_FIELDS);
    }
    if (d.sample && !d.gone) {
      const p = metricsPoint(d.sample);
      if (history.push(p.t, p.values)) minutes.add(p.t, p.values);
    }
    schedule();
  },
});
history = SeriesHistory.fromState(session.savedHistory, METRIC_FIELDS);
// This document's own points (kept in its state) also make its minutes, until the stored history arrives.
const saved = history.toState();
saved.t.forEach((t, i) => {
  const point: Partial<Record<MetricField, number | null>> = {};
  saved.fields.forEach((f, k) => {
    point[f as MetricField] = saved.values[k][i];
  });
  minutes.add(t, point);
});
if (typeof session.savedView.name === 'string') knownName = session.savedView.name;
if (isHistoryRange(session.savedView.range)) range = session.savedView.range;

const app = document.getElementById('app') ?? document.body;
const barSlot = el('div');
const headSlot = el('div');
const bannerSlot = el('div');
const figures = el('div', { className: 'cards', attrs: { 'aria-label': 'Current figures' } });
const chartsBox = el('div', { className: 'charts' });
const note = el('p', { className: 'muted' });
replace(app, barSlot, headSlot, bannerSlot, figures, chartsBox, note);
append(bannerSlot, waiting('Connecting to the extension…'));

function post(kind: 'reveal' | 'correlation'): void {
  const d = data;
  if (!d) return;
  const targetId = d.target.id;
  if (kind === 'reveal')
    session.host.post(revealRow(targetId, d.subject.kind, d.subject.kind === 'host' ? targetId : d.subject.id));
  else session.host.post(openPanel('correlation', targetId, 'container', d.subject.id));
}

function ensureCharts(kind: Kind): void {
  if (chartsKind === kind) return;
  for (const c of charts) c.chart.destroy();
  charts = CHART_DEFS.filter((d) => d.kinds.includes(kind)).map((d) => ({
    chart: new TimeChart(d.spec),
    fields: d.fields,
    hideEmpty: d.hideEmpty === true,
  }));
  replace(chartsBox, ...charts.map((c) => c.chart.element));
  chartsKind = kind;
}

function render(): void {
  const d = data;
  if (!d) return;
  const kindLabel = d.subject.kind === 'host' ? 'Host' : d.subject.kind === 'container' ? 'Container' : 'Process';
  if (!d.gone && d.figures.length > 0) knownName = d.subject.name;
  const name = d.gone && knownName ? knownName : d.subject.name;
  replace(
    barSlot,
    targetBar(`Metrics: ${name}`, d.target, () => session.host.post({ type: 'refresh' })),
  );
  const actions: HTMLElement[] = [linkButton('Show in tree', () => post('reveal'), { icon: 'list-tree' })];
  if (d.subject.kind === 'container') actions.unshift(button('Correlate', 'type-hierarchy', () => post('correlation')));
  const ranges = HISTORY_RANGES.map((r) => {
    const b = button(RANGE_LABELS[r], r === '15m' ? 'clock' : 'history', () => setRange(r), r !== range);
    b.setAttribute('aria-pressed', String(r === range));
    return b;
  });
  replace(
    headSlot,
    el('div', { className: 'toolbar' }, el('span', { className: 'muted', text: kindLabel }), ...actions),
    el('div', { className: 'toolbar', attrs: { role: 'group', 'aria-label': 'Range' } }, ...ranges),
  );
  if (d.gone) {
    const what =
      d.subject.kind === 'process'
        ? `Process ${name} has exited (or its PID now belongs to another process).`
        : `Container ${name} no longer exists on ${d.target.label}.`;
    replace(bannerSlot, goneBanner(`${what} The history up to then is kept below.`));
  } else if (!d.sample && d.target.status !== 'error') replace(bannerSlot, waiting());
  else replace(bannerSlot);
  ensureCharts(d.subject.kind);
  const view = rangeView(history, minutes, range);
  for (const c of charts) {
    const cols = c.fields.map((f) => view.values[f]);
    c.chart.element.hidden = c.hideEmpty && cols.every((col) => col.every((v) => v === null));
    const band =
      view.min && view.max
        ? { min: c.fields.map((f) => view.min![f]), max: c.fields.map((f) => view.max![f]) }
        : undefined;
    c.chart.setData(view.t, cols, band);
  }
  const points = view.t.length;
  const span = points > 1 ? Math.round((view.t[points - 1] - view.t[0]) / 60000) : 0;
  const what = view.resolution === 'refresh' ? 'refreshes' : '1-minute averages';
  const since = d.subject.kind === 'process' ? ' since the panel opened' : '';
  note.textContent = `Last ${RANGE_LABELS[range]}: ${points} ${what}${since}${span > 0 ? ` over ${span} min` : ''}.`;
  figures.hidden = d.gone;
  replace(
    figures,
    ...(d.figures.length ? d.figures : [['', 'No figures yet.'] as [string, string]]).map(([label, value]) =>
      el(
        'div',
        { className: value.length > 40 ? 'card wide' : 'card' },
        el('span', { className: 'label', text: label }),
        el('span', { className: 'value', text: value }),
      ),
    ),
  );
  session.save(history.toState(), knownName ? { name: knownName, range } : { range });
}

function setRange(r: HistoryRange): void {
  range = r;
  render();
  session.save(history.toState(), knownName ? { name: knownName, range } : { range }, true);
}

const schedule = coalesce(render);
onThemeChange(() => {
  for (const c of charts) c.chart.redraw();
});
