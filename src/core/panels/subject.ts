// Identity of a panel: which subject it shows, its webview viewType and its title. Pure, shared by the
// extension side (one panel per subject) and the serializer (restoring a panel from its persisted state).
import type { PanelKind, PanelSubject } from '../../shared/protocol';
import { plainText } from '../present/text';
import { shortId } from '../identity';

export const PANEL_VIEW_TYPES: Readonly<Record<PanelKind, string>> = {
  dashboard: 'dockerMonitor.dashboard',
  metrics: 'dockerMonitor.metrics',
  correlation: 'dockerMonitor.correlation',
  gaps: 'dockerMonitor.gaps',
};

export const PANEL_KINDS = Object.keys(PANEL_VIEW_TYPES) as PanelKind[];

/**
 * One key per subject, so that opening the same subject twice reveals the existing panel. startTicks is left
 * out on purpose: it tells a reused PID apart, it does not make a second panel for the same PID.
 */
export function subjectKey(s: PanelSubject): string {
  switch (s.panel) {
    case 'dashboard':
    case 'gaps':
      return JSON.stringify([s.panel, s.targetId]);
    case 'correlation':
      return JSON.stringify([s.panel, s.targetId, s.id ?? '']);
    case 'metrics':
      return JSON.stringify([
        s.panel,
        s.targetId,
        s.kind ?? 'host',
        s.kind === 'host' || s.kind === undefined ? '' : (s.id ?? ''),
      ]);
  }
}

/** The webview bundle (dist/webview/<name>.js) that draws this kind of panel. */
export function panelBundle(kind: PanelKind): string {
  return kind;
}

const TITLE_PREFIX: Record<PanelKind, string> = {
  dashboard: 'Monitor: All',
  metrics: 'Metrics',
  correlation: 'Correlation',
  gaps: 'Gap Analysis',
};

/**
 * Tab titles stay short: the subject's name, and the target's label where the subject is the whole target. VS Code
 * draws a tab title as text, but a newline or bidi override in a process name would still reorder it: escaped.
 */
export function panelTitle(subject: PanelSubject, targetLabel: string, subjectName?: string): string {
  return plainText(unescapedTitle(subject, targetLabel, subjectName));
}

function unescapedTitle(subject: PanelSubject, targetLabel: string, subjectName?: string): string {
  const prefix = TITLE_PREFIX[subject.panel];
  if (subject.panel === 'dashboard' || subject.panel === 'gaps') return `${prefix} · ${targetLabel}`;
  if (subject.panel === 'metrics' && (subject.kind === 'host' || subject.kind === undefined))
    return `${prefix} · ${subjectName || targetLabel}`;
  const fallback = subject.kind === 'process' ? `PID ${subject.id ?? '?'}` : shortId(subject.id ?? '');
  return `${prefix} · ${subjectName || fallback}`;
}
