// Gap Analysis: what each level (process, container, host) shows or hides about the others, grouped by level and
// severity, each finding with its evidence and a link to its subject in the tree.
import './lib/panel.css';
import type { Finding, FindingLevel, Severity } from '../core/model';
import type { GapsData } from '../shared/protocol';
import {
  ALL_GAPS,
  LEVELS,
  LEVEL_LABELS,
  SEVERITIES,
  countByLevel,
  evidenceText,
  filterFindings,
  groupFindings,
  isGapFilter,
} from '../core/panels/gapsView';
import type { GapFilter } from '../core/panels/gapsView';
import { append, coalesce, el, icon, linkButton, replace } from './lib/dom';
import { checkbox, filterField } from './lib/elements';
import { startSession } from './lib/session';
import { targetBar, waiting } from './lib/status';
import { openPanel, revealRow } from './lib/requests';

const SEVERITY_ICON: Record<Severity, string> = { critical: 'error', warning: 'warning', info: 'info' };

let data: GapsData | null = null;

const session = startSession('gaps', {
  onSubject: () => undefined,
  onData: (d) => {
    data = d;
    schedule();
  },
});

const savedFilter = session.savedView.filter;
const filter: GapFilter = isGapFilter(savedFilter)
  ? savedFilter
  : { ...ALL_GAPS, severities: [...ALL_GAPS.severities], levels: [...ALL_GAPS.levels] };

const app = document.getElementById('app') ?? document.body;
const barSlot = el('div');
const summary = el('div', { className: 'cards summary', attrs: { 'aria-label': 'Findings per level' } });
const groupsBox = el('div', { className: 'groups' });
const shownCount = el('span', { className: 'muted' });

function setIn<T>(list: T[], item: T, on: boolean): void {
  const i = list.indexOf(item);
  if (on && i < 0) list.push(item);
  if (!on && i >= 0) list.splice(i, 1);
}

function filterChanged(): void {
  renderGroups();
  session.save(undefined, { filter }, true);
}

const filters = el(
  'div',
  { className: 'toolbar filters', attrs: { role: 'group', 'aria-label': 'Filters' } },
  el('span', { className: 'muted', text: 'Severity' }),
  ...SEVERITIES.map((s) =>
    checkbox(s, filter.severities.includes(s), (on) => {
      setIn(filter.severities, s, on);
      filterChanged();
    }),
  ),
  el('span', { className: 'muted sep', text: 'Level' }),
  ...LEVELS.map((l) =>
    checkbox(LEVEL_LABELS[l], filter.levels.includes(l), (on) => {
      setIn(filter.levels, l, on);
      filterChanged();
    }),
  ),
  filterField('Filter by text, subject, rule', filter.text, (text) => {
    filter.text = text;
    filterChanged();
  }),
  shownCount,
);

const body = el('div', {}, summary, filters, groupsBox);
body.hidden = true;
const waitSlot = el('div', {}, waiting('Connecting to the extension…'));
replace(app, barSlot, waitSlot, body);

function targetId(): string {
  return data?.target.id ?? session.subject()?.targetId ?? '';
}

function renderSummary(findings: readonly Finding[]): void {
  const counts = countByLevel(findings);
  replace(
    summary,
    ...LEVELS.map((l: FindingLevel) => {
      const c = counts[l];
      const total = c.critical + c.warning + c.info;
      return el(
        'div',
        { className: 'card' },
        el('span', { className: 'label', text: LEVEL_LABELS[l] }),
        el(
          'span',
          { className: 'value' },
          el('strong', { text: String(total) }),
          total === 1 ? ' finding' : ' findings',
          ...SEVERITIES.filter((s) => c[s] > 0).map((s) =>
            el('span', { className: `count sev-${s}`, title: `${c[s]} ${s}` }, icon(SEVERITY_ICON[s]), ` ${c[s]}`),
          ),
        ),
      );
    }),
  );
}

function findingCard(f: Finding): HTMLElement {
  const tid = targetId();
  const subjectKind = f.subject.kind === 'host' ? 'Host' : f.subject.kind === 'container' ? 'Container' : 'Process';
  const evidence = Object.entries(f.evidence);
  return el(
    'article',
    { className: `finding sev-border-${f.severity}` },
    el(
      'div',
      { className: 'finding-head' },
      el('span', { className: `sev-${f.severity}`, title: f.severity }, icon(SEVERITY_ICON[f.severity], f.severity)),
      el('span', { className: 'finding-message', text: f.message }),
    ),
    el(
      'div',
      { className: 'finding-meta' },
      linkButton(
        `${subjectKind} ${f.subject.name}`,
        () => session.host.post(revealRow(tid, f.subject.kind, f.subject.id)),
        {
          icon: 'list-tree',
          title: `Show ${f.subject.name} in the tree`,
        },
      ),
      f.subject.kind !== 'host'
        ? linkButton('Metrics', () => session.host.post(openPanel('metrics', tid, f.subject.kind, f.subject.id)), {
            icon: 'graph-line',
          })
        : null,
      f.subject.kind === 'container'
        ? linkButton('Correlate', () => session.host.post(openPanel('correlation', tid, 'container', f.subject.id)), {
            icon: 'type-hierarchy',
          })
        : null,
      el('span', { className: 'muted mono', text: f.rule }),
    ),
    evidence.length
      ? el(
          'dl',
          { className: 'kv evidence', attrs: { 'aria-label': 'Evidence' } },
          ...evidence.flatMap(([k, v]) => [
            el('dt', { text: k }),
            el('dd', { className: 'mono', text: evidenceText(v) }),
          ]),
        )
      : null,
  );
}

function renderGroups(): void {
  const d = data;
  if (!d) return;
  const shown = filterFindings(d.findings, filter);
  shownCount.textContent =
    shown.length === d.findings.length ? `${shown.length} shown` : `${shown.length} of ${d.findings.length} shown`;
  const groups = groupFindings(shown);
  if (groups.length === 0) {
    replace(
      groupsBox,
      el('p', {
        className: 'muted',
        text: d.findings.length ? 'No finding matches the filters.' : 'No gaps found on this target.',
      }),
    );
    return;
  }
  const sections: HTMLElement[] = [];
  for (const level of LEVELS) {
    const inLevel = groups.filter((g) => g.level === level);
    if (inLevel.length === 0) continue;
    const section = el(
      'section',
      { className: 'level', attrs: { 'aria-label': LEVEL_LABELS[level] } },
      el('h2', { text: LEVEL_LABELS[level] }),
    );
    for (const g of inLevel) {
      append(
        section,
        el(
          'h3',
          { className: `sev-${g.severity}` },
          icon(SEVERITY_ICON[g.severity]),
          ` ${g.severity} (${g.findings.length})`,
        ),
        ...g.findings.map(findingCard),
      );
    }
    sections.push(section);
  }
  replace(groupsBox, ...sections);
}

function render(): void {
  const d = data;
  if (!d) return;
  replace(
    barSlot,
    targetBar('Gap Analysis', d.target, () => session.host.post({ type: 'refresh' })),
  );
  if (!d.target.collectedAt) {
    replace(
      waitSlot,
      d.target.status === 'error' ? el('p', { className: 'muted', text: 'No data from this target.' }) : waiting(),
    );
    body.hidden = true;
    return;
  }
  replace(waitSlot);
  body.hidden = false;
  renderSummary(d.findings);
  renderGroups();
}

const schedule = coalesce(render);
