// What a panel's webview persists with setState: its subject (for the serializer after a window reload), its
// chart history and its view settings (sort, filters). It comes back from the webview, so it is checked. Pure.
import type { PanelSubject } from '../../shared/protocol';
import { isPanelSubject } from '../../shared/protocol';
import type { HistoryState } from './history';

export interface PanelState {
  subject: PanelSubject;
  history?: HistoryState | undefined;
  /** Panel-specific view settings; each panel checks its own. */
  view?: Record<string, unknown>;
}

/** A subject a panel can show: metrics need a level (and an id below the host), correlation a container id. */
export function isUsableSubject(s: PanelSubject): boolean {
  if (s.targetId.length === 0 || s.targetId.length > 200) return false;
  const id = s.id ?? '';
  switch (s.panel) {
    case 'dashboard':
    case 'gaps':
      return true;
    case 'correlation':
      return /^[0-9a-zA-Z_.-]{1,128}$/.test(id);
    case 'metrics':
      if (s.kind === 'host') return true;
      if (s.kind === 'container') return /^[0-9a-zA-Z_.-]{1,128}$/.test(id);
      if (s.kind === 'process') return /^[1-9]\d{0,9}$/.test(id);
      return false;
  }
}

/** The subject of a persisted state, or null when the state is missing or not one of ours. */
export function subjectFromState(state: unknown): PanelSubject | null {
  if (typeof state !== 'object' || state === null) return null;
  const subject = (state as { subject?: unknown }).subject;
  return isPanelSubject(subject) && isUsableSubject(subject) ? subject : null;
}
