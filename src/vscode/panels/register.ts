// Opens the webview panels (one per subject), restores them after a window reload, and routes their requests.
import * as vscode from 'vscode';
import type { ExtensionMessage, MetricsHistory, PanelKind, PanelSubject, WebviewMessage } from '../../shared/protocol';
import { HOST_KEY } from '../../core/history/targetHistory';
import type { HistoryController } from '../history';
import type { MonitorService } from '../serviceApi';
import { subjectFromState } from '../../core/panels/webviewState';
import { PANEL_KINDS, PANEL_VIEW_TYPES, panelTitle, subjectKey } from '../../core/panels/subject';
import { MonitorPanel, webviewOptions } from './monitorPanel';
import type { PanelHost } from './monitorPanel';

/** An open panel as its user sees it. */
export interface OpenPanel {
  viewType: string;
  title: string;
  /** The last data message posted to its webview; null until the webview has loaded. */
  lastMessage: ExtensionMessage | null;
  /** The stored history a Metrics panel opened with; null for other panels or before it loaded. */
  history: MetricsHistory | null;
}

export interface PanelManager {
  openDashboard(targetId: string): void;
  openMetrics(targetId: string, kind: 'host' | 'container' | 'process', id: string): void;
  openCorrelation(targetId: string, containerId: string): void;
  openGaps(targetId: string): void;
  /** The open panels, for the extension's API (the VS Code test suite reads what each panel shows). */
  openPanels(): OpenPanel[];
}

export function registerPanels(
  context: vscode.ExtensionContext,
  service: MonitorService,
  reveal: (targetId: string, kind: 'host' | 'container' | 'process', id: string) => void,
  history: HistoryController,
): PanelManager {
  const panels = new Map<string, MonitorPanel>();

  const host: PanelHost = {
    extensionUri: context.extensionUri,
    service,
    open: (m: Extract<WebviewMessage, { type: 'open' }>, from: vscode.ViewColumn | undefined) => {
      // In the column right of the asking panel, so that it stays in view; every panel opened from the dashboard
      // lands in the same column as tabs, instead of each in a new column.
      const column =
        from === undefined
          ? vscode.ViewColumn.Beside
          : (Math.min(from + 1, vscode.ViewColumn.Nine) as vscode.ViewColumn);
      if (m.panel === 'metrics') openSubject(metricsSubject(m.targetId, m.kind, m.id), column);
      else openSubject({ panel: 'correlation', targetId: m.targetId, kind: 'container', id: m.id }, column);
    },
    reveal: (m) => reveal(m.targetId, m.kind, m.id),
    closed: (p) => {
      if (panels.get(p.key) === p) panels.delete(p.key);
    },
    // Hosts and containers have stored history; a process's charts start when its panel opens.
    history: (subject) => {
      if (subject.panel !== 'metrics' || subject.kind === 'process') return null;
      const key = subject.kind === 'container' ? (subject.id ?? '') : HOST_KEY;
      return history.loaded(subject.targetId)?.posted(key) ?? null;
    },
    onHistoryLoaded: history.onDidLoad,
  };

  function adopt(panel: vscode.WebviewPanel, subject: PanelSubject): void {
    const p = new MonitorPanel(panel, subject, host);
    panels.set(p.key, p);
  }

  function openSubject(subject: PanelSubject, column: vscode.ViewColumn = vscode.ViewColumn.Active): void {
    const existing = panels.get(subjectKey(subject));
    if (existing) {
      // Where it already is: moving a panel the user placed would be a surprise.
      existing.reveal();
      return;
    }
    const label = service.target(subject.targetId)?.summary.label ?? subject.targetId;
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPES[subject.panel],
      panelTitle(subject, label),
      { viewColumn: column, preserveFocus: false },
      webviewOptions(context.extensionUri),
    );
    adopt(panel, subject);
  }

  /** A process subject carries its start ticks, so that a PID reused later is shown as gone, not as the same process. */
  function metricsSubject(targetId: string, kind: 'host' | 'container' | 'process', id: string): PanelSubject {
    if (kind === 'host') return { panel: 'metrics', targetId, kind };
    if (kind === 'container') return { panel: 'metrics', targetId, kind, id };
    const p = service.target(targetId)?.snapshot?.processes.find((x) => String(x.pid) === id);
    return p
      ? { panel: 'metrics', targetId, kind, id, startTicks: p.startTicks }
      : { panel: 'metrics', targetId, kind, id };
  }

  for (const kind of PANEL_KINDS) {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPES[kind], {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => restore(kind, panel, state),
      }),
    );
  }

  function restore(kind: PanelKind, panel: vscode.WebviewPanel, state: unknown): void {
    const subject = subjectFromState(state);
    // A state we cannot read, or a second restored panel for the same subject: nothing sensible to show.
    if (!subject || subject.panel !== kind || panels.has(subjectKey(subject))) {
      panel.dispose();
      return;
    }
    adopt(panel, subject);
  }

  context.subscriptions.push({
    dispose: () => {
      for (const p of [...panels.values()]) p.dispose();
      panels.clear();
    },
  });

  return {
    openDashboard: (targetId) => openSubject({ panel: 'dashboard', targetId }),
    openMetrics: (targetId, kind, id) => openSubject(metricsSubject(targetId, kind, id)),
    openCorrelation: (targetId, containerId) =>
      openSubject({ panel: 'correlation', targetId, kind: 'container', id: containerId }),
    openGaps: (targetId) => openSubject({ panel: 'gaps', targetId }),
    openPanels: () =>
      [...panels.values()].map((p) => ({
        viewType: p.panel.viewType,
        title: p.panel.title,
        lastMessage: p.lastMessage,
        history: p.lastHistory,
      })),
  };
}
