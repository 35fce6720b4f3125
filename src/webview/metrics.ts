// Metrics of one host, container or process: charts with the history since the panel opened, and the current
// figures as numbers.
import 'uplot/dist/uPlot.min.css';
import './lib/panel.css';
import type { MetricsData, PanelSubject } from '../shared/protocol';
import { HISTORY_CAPACITY, SeriesHistory } from '../core/panels/history';
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
];

let data: MetricsData | null = null;
let history = new SeriesHistory<MetricField>(METRIC_FIELDS);
let charts: Array<{ chart: TimeChart; fields: MetricField[] }> = [];
let chartsKind: Kind | null = null;
/** The subject's name while it existed: a gone process is named by its PID only, which says less. */
let knownName: string | null = null;

const session = startSession('metrics', {
  onSubject: (_s: PanelSubject, reset: boolean) => {
    if (reset) history = new SeriesHistory<MetricField>(METRIC_FIELDS);
  },
  onData: (d) => {
    data = d;
    if (d.sample && !d.gone) history.push(d.sample.t, metricsPoint(d.sample).values);
    schedule();
  },
});
history = SeriesHistory.fromState(session.savedHistory, METRIC_FIELDS);
if (typeof session.savedView.name === 'string') knownName = session.savedView.name;

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
  replace(
    headSlot,
    el('div', { className: 'toolbar' }, el('span', { className: 'muted', text: kindLabel }), ...actions),
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
  const cols = history.columns();
  for (const c of charts)
    c.chart.setData(
      cols.t,
      c.fields.map((f) => cols.values[f]),
    );
  const minutes = history.length > 1 ? Math.round((cols.t[cols.t.length - 1] - cols.t[0]) / 60000) : 0;
  note.textContent = `${history.length} sample${history.length === 1 ? '' : 's'} since the panel opened${minutes > 0 ? ` (${minutes} min)` : ''}; the last ${HISTORY_CAPACITY} are kept.`;
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
  session.save(history.toState(), knownName ? { name: knownName } : {});
}

const schedule = coalesce(render);
onThemeChange(() => {
  for (const c of charts) c.chart.redraw();
});
