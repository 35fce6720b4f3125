// Correlation of one container: the aspect x level table (Spec, On disk, In memory, In network, Runtime
// context, Isolation) x (Process, Container, Host), and the links behind it.
import './lib/panel.css';
import type { Correlation, NamespaceType } from '../core/model';
import { NAMESPACE_TYPES } from '../core/model';
import type { CorrelationData } from '../shared/protocol';
import { coalesce, el, icon, linkButton, replace } from './lib/dom';
import { button } from './lib/elements';
import { startSession } from './lib/session';
import { goneBanner, targetBar, waiting } from './lib/status';
import { shortId, containerLabel } from '../core/identity';
import { openPanel, revealRow } from './lib/requests';

let data: CorrelationData | null = null;

const session = startSession('correlation', {
  onSubject: () => undefined,
  onData: (d) => {
    data = d;
    schedule();
  },
});

const app = document.getElementById('app') ?? document.body;
const barSlot = el('div');
const content = el('div', {}, waiting('Connecting to the extension…'));
replace(app, barSlot, content);

function containerId(): string {
  return data?.correlation?.container.id ?? session.subject()?.id ?? '';
}

function targetId(): string {
  return data?.target.id ?? session.subject()?.targetId ?? '';
}

function aspectTable(c: Correlation): HTMLElement {
  const head = el(
    'tr',
    {},
    el('th', { text: 'Aspect', attrs: { scope: 'col' } }),
    el('th', { text: 'Process', attrs: { scope: 'col' } }),
    el('th', { text: 'Container', attrs: { scope: 'col' } }),
    el('th', { text: 'Host', attrs: { scope: 'col' } }),
  );
  const rows = c.rows.map((r) =>
    el(
      'tr',
      {},
      el('th', { text: r.aspect, attrs: { scope: 'row' } }),
      el('td', { text: r.process }),
      el('td', { text: r.container }),
      el('td', { text: r.host }),
    ),
  );
  return el(
    'table',
    { className: 'data-table grid-table' },
    el('caption', { className: 'visually-hidden', text: 'Process, container and host for each aspect' }),
    el('thead', {}, head),
    el('tbody', {}, ...rows),
  );
}

function processTable(c: Correlation): HTMLElement {
  const tid = targetId();
  const rows = [...c.processes]
    .sort((a, b) => (a.containerPid ?? Infinity) - (b.containerPid ?? Infinity) || a.hostPid - b.hostPid)
    .map((p) =>
      el(
        'tr',
        {},
        el('td', { className: 'num', text: String(p.hostPid) }),
        el('td', { className: 'arrow', text: '↔' }),
        el('td', { className: 'num', text: p.containerPid === null ? '–' : String(p.containerPid) }),
        el('td', { text: p.name }),
        el(
          'td',
          { className: 'actions' },
          linkButton('Metrics', () => session.host.post(openPanel('metrics', tid, 'process', String(p.hostPid))), {
            icon: 'graph-line',
          }),
          ' ',
          linkButton('Show in tree', () => session.host.post(revealRow(tid, 'process', String(p.hostPid))), {
            icon: 'list-tree',
          }),
        ),
      ),
    );
  if (rows.length === 0)
    rows.push(
      el(
        'tr',
        { className: 'empty' },
        el('td', { text: 'No processes (the container is not running).', attrs: { colspan: '5' } }),
      ),
    );
  return el(
    'table',
    { className: 'data-table compact' },
    el('caption', { className: 'visually-hidden', text: 'Host PID and container PID of each process' }),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { className: 'num', text: 'Host PID', attrs: { scope: 'col' } }),
        el('th', {}),
        el('th', { className: 'num', text: 'PID in container', attrs: { scope: 'col' } }),
        el('th', { text: 'Name', attrs: { scope: 'col' } }),
        el('th', { className: 'actions' }),
      ),
    ),
    el('tbody', {}, ...rows),
  );
}

function networkPath(c: Correlation): HTMLElement {
  const hop = (label: string, value: string | null, what: string) =>
    el(
      'div',
      { className: 'hop' },
      el('span', { className: 'label', text: label }),
      el('span', { className: value ? 'value mono' : 'value muted', text: value ?? `no ${what}` }),
    );
  return el(
    'div',
    { className: 'net-path', attrs: { 'aria-label': 'Network path' } },
    hop('in the container', c.containerInterface, 'interface'),
    el('span', { className: 'link', attrs: { 'aria-hidden': 'true' } }, icon('arrow-both')),
    hop('host veth', c.hostVeth, 'veth pair'),
    el('span', { className: 'link', attrs: { 'aria-hidden': 'true' } }, icon('arrow-right')),
    hop('bridge', c.bridge, 'bridge'),
  );
}

function namespaceTable(c: Correlation): HTMLElement {
  const rows = NAMESPACE_TYPES.map((t: NamespaceType) => {
    const ns = c.namespaces[t];
    const sharing = ns === undefined ? 'unknown' : ns.sharedWithHost ? 'shared with the host' : 'private';
    return el(
      'tr',
      { className: ns?.sharedWithHost ? 'shared' : '' },
      el('th', { text: t, attrs: { scope: 'row' } }),
      el('td', { className: 'num mono', text: ns ? String(ns.inode) : '–' }),
      el('td', {}, ns?.sharedWithHost ? icon('warning') : ns ? icon('lock') : icon('question'), ` ${sharing}`),
    );
  });
  return el(
    'table',
    { className: 'data-table ns-table' },
    el('caption', { className: 'visually-hidden', text: 'Namespaces' }),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Namespace', attrs: { scope: 'col' } }),
        el('th', { className: 'num', text: 'Inode', attrs: { scope: 'col' } }),
        el('th', { text: 'Private or shared', attrs: { scope: 'col' } }),
      ),
    ),
    el('tbody', {}, ...rows),
  );
}

function paths(c: Correlation): HTMLElement {
  const item = (k: string, v: string | null) => [
    el('dt', { text: k }),
    el('dd', { className: v ? 'mono' : 'muted', text: v ?? 'unknown' }),
  ];
  return el(
    'dl',
    { className: 'kv' },
    ...item('cgroup', c.cgroupPath),
    ...item('rootfs (overlay merged)', c.mergedDir),
    ...item('overlay upper (its writes)', c.upperDir),
    ...item('overlay work', c.workDir),
    ...item('container dir', c.containerDir),
  );
}

function render(): void {
  const d = data;
  if (!d) return;
  const c = d.correlation;
  const name = c ? containerLabel(c.container) : shortId(containerId());
  replace(
    barSlot,
    targetBar(`Correlation: ${name}`, d.target, () => session.host.post({ type: 'refresh' })),
  );
  if (d.gone) {
    replace(content, goneBanner(`Container ${shortId(containerId())} no longer exists on ${d.target.label}.`));
    return;
  }
  if (!c) {
    replace(
      content,
      d.target.status === 'error' ? el('p', { className: 'muted', text: 'No data from this target.' }) : waiting(),
    );
    return;
  }
  const tid = targetId();
  const pid =
    c.hostPid === null ? 'unknown' : `${c.hostPid}${c.containerPid === null ? '' : ` (PID ${c.containerPid} inside)`}`;
  replace(
    content,
    el(
      'div',
      { className: 'toolbar' },
      el('span', { className: 'muted mono', text: shortId(c.container.id) }),
      el('span', { className: 'muted', text: `main process: host PID ${pid}` }),
      el('span', { className: 'spacer' }),
      button('Metrics', 'graph-line', () => session.host.post(openPanel('metrics', tid, 'container', c.container.id))),
      linkButton('Show in tree', () => session.host.post(revealRow(tid, 'container', c.container.id)), {
        icon: 'list-tree',
      }),
    ),
    el('div', { className: 'table-wrap' }, aspectTable(c)),
    el('h2', {}, icon('references'), 'Processes: host PID ↔ container PID'),
    el('div', { className: 'table-wrap' }, processTable(c)),
    el('h2', {}, icon('plug'), 'Network: veth pair and bridge'),
    networkPath(c),
    el('h2', {}, icon('lock'), 'Namespaces'),
    namespaceTable(c),
    el('h2', {}, icon('folder'), 'cgroup and overlay paths'),
    paths(c),
  );
}

const schedule = coalesce(render);
