// Monitor: All — one target's host (figures and charts with history), its containers and its busiest processes.
import 'uplot/dist/uPlot.min.css';
import './lib/panel.css';
import type { ContainerInfo, HostInfo } from '../core/model';
import type { DashboardData, PanelSubject } from '../shared/protocol';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../core/format';
import { SeriesHistory } from '../core/panels/history';
import { HOST_FIELDS, hostPoint } from '../core/panels/series';
import type { HostField } from '../core/panels/series';
import {
  CONTAINER_COLUMNS,
  PROCESS_COLUMNS,
  containerSearchText,
  pressureCards,
  processRows,
} from '../core/panels/dashboardTables';
import type { ProcessRow } from '../core/panels/dashboardTables';
import { filterRows, isSortSpec } from '../core/panels/tableModel';
import type { SortSpec } from '../core/panels/tableModel';
import { TimeChart, color } from './lib/chart';
import type { ChartSpec } from './lib/chart';
import { append, coalesce, el, iconButton, linkButton, replace } from './lib/dom';
import { badge, button, filterField } from './lib/elements';
import { startSession } from './lib/session';
import { targetBar, waiting, warningsBox } from './lib/status';
import { onThemeChange } from './lib/theme';
import { SortableTable } from './lib/table';
import { shortId } from '../core/identity';
import { openPanel, revealRow } from './lib/requests';

interface View {
  containerSort: SortSpec | null;
  containerFilter: string;
  processSort: SortSpec | null;
  processFilter: string;
}

let data: DashboardData | null = null;
let history = new SeriesHistory<HostField>(HOST_FIELDS);

const session = startSession('dashboard', {
  onSubject: (_s: PanelSubject, reset: boolean) => {
    if (reset) history = new SeriesHistory<HostField>(HOST_FIELDS);
  },
  onData: (d) => {
    data = d;
    const p = hostPoint(d);
    if (p) history.push(p.t, p.values);
    schedule();
  },
});

history = SeriesHistory.fromState(session.savedHistory, HOST_FIELDS);
const saved = session.savedView;
const view: View = {
  containerSort: isSortSpec(saved.containerSort) ? saved.containerSort : { key: 'cpu', descending: true },
  containerFilter: typeof saved.containerFilter === 'string' ? saved.containerFilter : '',
  processSort: isSortSpec(saved.processSort) ? saved.processSort : { key: 'cpu', descending: true },
  processFilter: typeof saved.processFilter === 'string' ? saved.processFilter : '',
};

function targetId(): string {
  return session.subject()?.targetId ?? data?.target.id ?? '';
}

// ---- static layout, built once; updates refill its parts ----
const app = document.getElementById('app') ?? document.body;
const barSlot = el('div');
const warnSlot = el('div');
const hostHead = el('div', { className: 'host-head' });
const cards = el('div', { className: 'cards', attrs: { 'aria-label': 'Host figures' } });

const CHARTS: Array<{ spec: ChartSpec; fields: HostField[] }> = [
  {
    spec: {
      title: 'CPU',
      unit: 'percent',
      max100: true,
      series: [
        color('blue', 'busy', { fill: true }),
        color('green', 'user'),
        color('purple', 'system'),
        color('red', 'iowait'),
      ],
    },
    fields: ['cpuBusy', 'cpuUser', 'cpuSystem', 'cpuIowait'],
  },
  {
    spec: {
      title: 'Memory',
      unit: 'bytes',
      series: [color('blue', 'used', { fill: true }), color('foreground', 'total', { dashed: true })],
    },
    fields: ['memUsed', 'memTotal'],
  },
  {
    spec: {
      title: 'Load average',
      unit: 'number',
      series: [color('orange', '1 min'), color('yellow', '5 min'), color('purple', '15 min')],
    },
    fields: ['load1', 'load5', 'load15'],
  },
  {
    spec: {
      title: 'Disk used',
      unit: 'percent',
      max100: true,
      series: [color('green', 'root'), color('orange', 'Docker data root', { dashed: true })],
    },
    fields: ['diskRoot', 'diskDocker'],
  },
  {
    spec: { title: 'Network (physical interfaces)', unit: 'rate', series: [color('blue', 'rx'), color('green', 'tx')] },
    fields: ['rx', 'tx'],
  },
];
const charts = CHARTS.map((c) => ({ chart: new TimeChart(c.spec), fields: c.fields }));
const chartsBox = el('div', { className: 'charts' }, ...charts.map((c) => c.chart.element));

const containerTable = new SortableTable<ContainerInfo>({
  columns: CONTAINER_COLUMNS,
  caption: 'Containers',
  empty: 'No containers match.',
  rowKey: (c) => c.id,
  rowClass: (c) => (c.state === 'running' ? '' : 'dim'),
  rowTitle: (c) => `${c.name} (${shortId(c.id)}): open its metrics`,
  onActivate: (c) => openMetrics('container', c.id),
  actions: (c) => [
    iconButton('graph-line', `Metrics of ${c.name}`, () => openMetrics('container', c.id)),
    iconButton('type-hierarchy', `Correlate ${c.name}`, () =>
      session.host.post(openPanel('correlation', targetId(), 'container', c.id)),
    ),
    iconButton('list-tree', `Show ${c.name} in the tree`, () =>
      session.host.post(revealRow(targetId(), 'container', c.id)),
    ),
  ],
  onSort: (s) => {
    view.containerSort = s;
    renderTables();
    save(true);
  },
});

const processTable = new SortableTable<ProcessRow>({
  columns: PROCESS_COLUMNS,
  caption: 'Top processes',
  empty: 'No processes match.',
  rowKey: (r) => `${r.p.pid}:${r.p.startTicks}`,
  rowTitle: (r) => `${r.p.name} (PID ${r.p.pid}): open its metrics`,
  onActivate: (r) => openMetrics('process', String(r.p.pid)),
  actions: (r) => [
    iconButton('graph-line', `Metrics of PID ${r.p.pid}`, () => openMetrics('process', String(r.p.pid))),
    iconButton('list-tree', `Show PID ${r.p.pid} in the tree`, () =>
      session.host.post(revealRow(targetId(), 'process', String(r.p.pid))),
    ),
    r.p.containerId
      ? iconButton('package', `Metrics of its container ${r.container ?? ''}`, () =>
          openMetrics('container', r.p.containerId ?? ''),
        )
      : el('span', { className: 'icon-button-placeholder' }),
  ],
  onSort: (s) => {
    view.processSort = s;
    renderTables();
    save(true);
  },
});

const containerCount = el('span', { className: 'heading-extra' });
const processCount = el('span', { className: 'heading-extra' });
const body = el(
  'div',
  {},
  hostHead,
  cards,
  chartsBox,
  el(
    'section',
    { attrs: { 'aria-label': 'Containers' } },
    el('h2', {}, 'Containers', containerCount),
    el(
      'div',
      { className: 'toolbar' },
      filterField('Filter: name, id, image, label', view.containerFilter, (text) => {
        view.containerFilter = text;
        renderTables();
        save(true);
      }),
    ),
    el('div', { className: 'table-wrap' }, containerTable.element),
  ),
  el(
    'section',
    { attrs: { 'aria-label': 'Top processes' } },
    el('h2', {}, 'Top processes', processCount),
    el(
      'div',
      { className: 'toolbar' },
      filterField('Filter: PID, name, container, command', view.processFilter, (text) => {
        view.processFilter = text;
        renderTables();
        save(true);
      }),
    ),
    el('div', { className: 'table-wrap' }, processTable.element),
  ),
);
const waitSlot = el('div');
replace(app, barSlot, warnSlot, waitSlot, body);

function openMetrics(kind: 'host' | 'container' | 'process', id: string): void {
  session.host.post(openPanel('metrics', targetId(), kind, id));
}

function save(now = false): void {
  session.save(history.toState(), { ...view }, now);
}

function card(label: string, value: string, title?: string): HTMLElement {
  return el(
    'div',
    { className: 'card', title },
    el('span', { className: 'label', text: label }),
    el('span', { className: 'value', text: value }),
  );
}

function renderHost(h: HostInfo, d: DashboardData): void {
  replace(
    hostHead,
    el(
      'h2',
      {},
      `Host ${h.hostname}`,
      el('span', {
        className: 'muted',
        text: `${h.osRelease || 'unknown OS'} · kernel ${h.kernel || 'unknown'} · up ${formatDuration(h.uptimeSeconds)}`,
      }),
    ),
    el(
      'div',
      { className: 'toolbar' },
      button('Host metrics', 'graph-line', () => openMetrics('host', targetId())),
      linkButton('Show in tree', () => session.host.post(revealRow(targetId(), 'host', targetId())), {
        icon: 'list-tree',
      }),
    ),
  );
  const m = h.memory;
  const cpu = h.cpuPercent;
  const cardList = [
    card(
      'CPU busy',
      cpu ? formatPercent(cpu.busy) : '–',
      cpu
        ? `user ${formatPercent(cpu.user)}, system ${formatPercent(cpu.system)}, iowait ${formatPercent(cpu.iowait)}`
        : 'needs two samples',
    ),
    card('CPUs', String(h.cpuCount)),
    card('Load average', h.loadAverage.map((l) => l.toFixed(2)).join('  ')),
    ...pressureCards(h.pressure).map((c) => card(c.label, c.value, c.title)),
    card(
      'Memory used',
      `${formatBytes(m.usedBytes)} / ${formatBytes(m.totalBytes)}`,
      `available ${formatBytes(m.availableBytes)}, cache ${formatBytes(m.cachedBytes)}`,
    ),
    card(
      'Swap used',
      m.swapTotalBytes > 0 ? `${formatBytes(m.swapUsedBytes)} / ${formatBytes(m.swapTotalBytes)}` : 'none',
    ),
    ...h.disks.map((disk) =>
      card(
        `Disk ${disk.path}`,
        `${formatPercent(disk.usedPercent, 0)} of ${formatBytes(disk.totalBytes)}`,
        `${disk.role === 'docker' ? 'Docker data root' : 'root filesystem'}: ${formatBytes(disk.availableBytes)} free`,
      ),
    ),
    card(
      'Network rx / tx',
      `${formatRate(d.sample?.rxBytesPerSec)} / ${formatRate(d.sample?.txBytesPerSec)}`,
      'physical interfaces',
    ),
    card(
      'Containers',
      `${h.containerCounts.running} running / ${h.containerCounts.total}`,
      `paused ${h.containerCounts.paused}, exited ${h.containerCounts.exited}, created ${h.containerCounts.created}`,
    ),
  ];
  replace(cards, ...cardList);
}

function renderCharts(): void {
  const cols = history.columns();
  for (const c of charts)
    c.chart.setData(
      cols.t,
      c.fields.map((f) => cols.values[f]),
    );
}

function renderTables(): void {
  const d = data;
  if (!d) return;
  const containers = filterRows(d.containers, CONTAINER_COLUMNS, view.containerFilter, containerSearchText);
  containerTable.render(containers, view.containerSort);
  replace(
    containerCount,
    badge(
      containers.length === d.containers.length
        ? String(d.containers.length)
        : `${containers.length} of ${d.containers.length}`,
    ),
  );
  const rows = filterRows(processRows(d.topProcesses, d.containers), PROCESS_COLUMNS, view.processFilter, (r) => [
    r.p.command,
    ...r.p.nsPid.map(String),
  ]);
  processTable.render(rows, view.processSort);
  replace(processCount, badge(`${rows.length}`), el('span', { className: 'muted', text: 'busiest by CPU' }));
}

function render(): void {
  const d = data;
  if (!d) return;
  replace(
    barSlot,
    targetBar('Monitor: All', d.target, () => session.host.post({ type: 'refresh' })),
  );
  replace(warnSlot, warningsBox(d.warnings));
  if (!d.host) {
    replace(
      waitSlot,
      d.target.status === 'error' ? el('p', { className: 'muted', text: 'No data from this target yet.' }) : waiting(),
    );
    body.hidden = true;
    return;
  }
  replace(waitSlot);
  body.hidden = false;
  renderHost(d.host, d);
  renderCharts();
  renderTables();
  save();
}

const schedule = coalesce(render);
onThemeChange(() => {
  for (const c of charts) c.chart.redraw();
});
append(waitSlot, waiting('Connecting to the extension…'));
body.hidden = true;
