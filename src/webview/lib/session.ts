// What every panel's webview does the same way: connect, remember its subject, restore and save its state.
import type { PanelData, PanelKind, PanelSubject, PanelUpdate } from '../../shared/protocol';
import type { HistoryState } from '../../core/panels/history';
import type { PanelState } from '../../core/panels/webviewState';
import { subjectFromState } from '../../core/panels/webviewState';
import { connectHost } from './host';
import type { Host } from './host';

export interface Session {
  readonly host: Host;
  subject(): PanelSubject | null;
  /** The persisted view settings (sort, filters), unchecked. */
  readonly savedView: Record<string, unknown>;
  /** The persisted chart history, unchecked. */
  readonly savedHistory: unknown;
  /**
   * Saves the history and view settings. A new chart point is saved at most every SAVE_INTERVAL_MS (the history
   * can be a few hundred kB of JSON); `now` saves at once (a changed sort or filter).
   */
  save(history: HistoryState | undefined, view: Record<string, unknown>, now?: boolean): void;
}

/** A reload loses at most this much of the charts' history. */
const SAVE_INTERVAL_MS = 5000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Restores the saved subject, history and view, then says 'ready'. `onSubject` runs when the extension names
 * the subject; a subject other than the saved one (the state is not trusted) means the saved history belongs to
 * something else: `reset` is then true.
 */
export function startSession<K extends PanelKind>(
  kind: K,
  handlers: { onSubject(subject: PanelSubject, reset: boolean): void; onData(data: PanelData[K]): void },
): Session {
  const host = connectHost((m) => {
    if (m.type === 'subject') {
      if (m.subject.panel !== kind) return;
      const reset = subject !== null && JSON.stringify(subject) !== JSON.stringify(m.subject);
      subject = m.subject;
      handlers.onSubject(m.subject, reset);
      if (reset) lastHistory = undefined;
      persist();
      return;
    }
    // The guard checked the message's shape; its type names the panel kind, which fixes its data's type.
    if (m.type === kind) handlers.onData((m as PanelUpdate<K>).data);
  });
  const state: unknown = host.savedState;
  let subject = subjectFromState(state);
  if (subject && subject.panel !== kind) subject = null;
  const savedView = subject && isRecord(state) && isRecord(state.view) ? state.view : {};
  const savedHistory = subject && isRecord(state) ? state.history : undefined;
  let lastHistory: HistoryState | undefined;
  let lastView: Record<string, unknown> = savedView;

  let timer: ReturnType<typeof setTimeout> | undefined;
  function persist(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (subject) host.saveState({ subject, history: lastHistory, view: lastView } satisfies PanelState);
  }

  host.post({ type: 'ready' });
  return {
    host,
    subject: () => subject,
    savedView,
    savedHistory,
    save(history, view, now = false) {
      lastHistory = history;
      lastView = view;
      if (now) persist();
      else timer ??= setTimeout(persist, SAVE_INTERVAL_MS);
    },
  };
}
