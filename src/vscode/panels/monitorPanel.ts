// One webview panel of any kind: its HTML, its subject, live updates from the monitor service, the visibility
// lease, and the messages from its webview. What it shows is built by the pure src/core/panels builders.
import * as vscode from 'vscode';
import type { ExtensionMessage, MetricsHistory, PanelSubject, WebviewMessage } from '../../shared/protocol';
import { isWebviewMessage } from '../../shared/protocol';
import type { MonitorService } from '../serviceApi';
import { buildPanelMessage, unknownTargetSummary } from '../../core/panels/panelMessage';
import { PendingMessages } from '../../core/panels/pendingMessages';
import { panelBundle, panelTitle, subjectKey } from '../../core/panels/subject';
import { makeNonce, panelHtml } from './html';

export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly service: MonitorService;
  /** A row or link in the webview asked for another panel; `from` is the asking panel's column. */
  open(message: Extract<WebviewMessage, { type: 'open' }>, from: vscode.ViewColumn | undefined): void;
  /** A link in the webview asked to show its subject in the tree. */
  reveal(message: Extract<WebviewMessage, { type: 'reveal' }>): void;
  /** The panel was closed. */
  closed(panel: MonitorPanel): void;
  /** The stored history of a Metrics panel's subject, once its target's file has loaded. */
  history(subject: PanelSubject): MetricsHistory | null;
  /** Fires with a target id when its history file has loaded. */
  readonly onHistoryLoaded: vscode.Event<string>;
}

/** The only folders a webview may load from. */
function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  // No retainContextWhenHidden: a hidden webview is rebuilt from its state, and the updates it missed meanwhile
  // are replayed from PendingMessages (a retained one would not receive them either).
  return { enableScripts: true, enableFindWidget: true, localResourceRoots: webviewRoots(extensionUri) };
}

/** A visible webview that has not said 'ready' by then is loaded again (see watchReady). */
const READY_TIMEOUT_MS = 8000;
const MAX_RELOADS = 3;

export class MonitorPanel implements vscode.Disposable {
  readonly key: string;
  /** The webview has loaded and said 'ready'; false again when it is hidden (and so torn down). */
  private ready = false;
  private lease: vscode.Disposable | undefined;
  private readonly pending = new PendingMessages();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  private reloads = 0;
  /** The last data message handed to the webview: what the panel shows (tests and diagnostics read it). */
  lastMessage: ExtensionMessage | null = null;
  /** The stored history the webview was given when it last loaded (tests compare it with an export). */
  lastHistory: MetricsHistory | null = null;
  /** The webview has the stored history: later messages carry only the new point. */
  private historySent = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private subject: PanelSubject,
    private readonly host: PanelHost,
  ) {
    this.key = subjectKey(subject);
    const webview = panel.webview;
    webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = {
      light: vscode.Uri.joinPath(host.extensionUri, 'media', 'webview', 'icons', `${subject.panel}-light.svg`),
      dark: vscode.Uri.joinPath(host.extensionUri, 'media', 'webview', 'icons', `${subject.panel}-dark.svg`),
    };
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidChangeViewState(() => this.visibilityChanged()),
      panel.onDidDispose(() => this.dispose()),
      host.service.onDidChange((state) => {
        if (state.config.id === this.subject.targetId) this.update();
      }),
      host.service.onDidChangeTargets(() => this.update()),
      host.onHistoryLoaded((targetId) => {
        if (targetId === this.subject.targetId && !this.historySent) this.update();
      }),
    );
    webview.html = this.html();
    this.visibilityChanged();
    this.update();
  }

  get targetId(): string {
    return this.subject.targetId;
  }

  /** Brings the panel to the front in the column it is in. */
  reveal(): void {
    this.panel.reveal();
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
    const bundle = panelBundle(this.subject.panel);
    return panelHtml({
      title: this.panel.title,
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.css`)).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
    });
  }

  private visibilityChanged(): void {
    if (this.disposed) return;
    if (this.panel.visible) {
      this.lease ??= this.host.service.leaseVisibility(`panel:${this.key}`);
      this.watchReady();
    } else {
      // Without retainContextWhenHidden the document is destroyed: it will say 'ready' again when shown.
      this.ready = false;
      this.stopWatch();
      this.lease?.dispose();
      this.lease = undefined;
    }
  }

  /**
   * Seen in VS Code for the web after a window reload: a restored webview sometimes never runs its script (its
   * resources race the webview service worker's start) and stays blank. Setting the HTML again loads it anew.
   */
  private watchReady(): void {
    if (this.ready || this.readyTimer !== undefined) return;
    this.readyTimer = setTimeout(() => {
      this.readyTimer = undefined;
      if (this.disposed || this.ready || !this.panel.visible || this.reloads >= MAX_RELOADS) return;
      this.reloads++;
      this.panel.webview.html = this.html();
      this.watchReady();
    }, READY_TIMEOUT_MS);
  }

  private stopWatch(): void {
    if (this.readyTimer !== undefined) clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
  }

  private message(): ExtensionMessage {
    const state = this.host.service.target(this.subject.targetId);
    const summary = state?.summary ?? unknownTargetSummary(this.subject.targetId);
    return buildPanelMessage(this.subject, summary, state?.snapshot ?? null);
  }

  private updateTitle(m: ExtensionMessage): void {
    const label = m.type === 'subject' ? this.subject.targetId : m.data.target.label;
    // A subject that is gone keeps the title it had (a gone process is only known by its PID).
    if ((m.type === 'metrics' || m.type === 'correlation') && m.data.gone) return;
    let name: string | undefined;
    if (m.type === 'metrics') name = m.data.figures.length > 0 ? m.data.subject.name : undefined;
    else if (m.type === 'correlation') name = m.data.correlation?.container.name || undefined;
    const title = panelTitle(this.subject, label, name);
    if (this.panel.title !== title) this.panel.title = title;
  }

  private update(): void {
    if (this.disposed) return;
    const m = this.message();
    this.updateTitle(m);
    if (this.ready && this.panel.visible) this.post(m);
    else this.pending.push(m);
  }

  /** The first metrics message the webview gets carries the stored history, so it opens with it. */
  private withHistory(m: ExtensionMessage): ExtensionMessage {
    if (m.type !== 'metrics' || this.historySent) return m;
    const history = this.host.history(this.subject);
    if (!history) return m;
    this.historySent = true;
    this.lastHistory = history;
    return { type: 'metrics', data: { ...m.data, history } };
  }

  private post(message: ExtensionMessage): void {
    const m = this.withHistory(message);
    if (m.type !== 'subject') this.lastMessage = m;
    this.panel.webview.postMessage(m).then(
      (delivered) => {
        // Posted while the webview was being torn down: keep it for the next 'ready'.
        if (!delivered && !this.disposed && m.type !== 'subject') {
          this.ready = false;
          this.historySent = false;
          this.pending.push(m);
        }
      },
      () => undefined,
    );
  }

  private receive(raw: unknown): void {
    if (this.disposed || !isWebviewMessage(raw)) return;
    switch (raw.type) {
      case 'ready': {
        this.ready = true;
        // A new document (first load, reload, or shown again after being hidden): it needs the history again.
        this.historySent = false;
        this.stopWatch();
        this.post({ type: 'subject', subject: this.subject });
        this.pending.push(this.message());
        for (const m of this.pending.drain()) this.post(m);
        return;
      }
      case 'refresh':
        // Failures show up in the target's state, which this panel renders.
        this.host.service.refresh(this.subject.targetId).catch(() => undefined);
        return;
      case 'open':
        this.host.open(raw, this.panel.viewColumn);
        return;
      case 'reveal':
        this.host.reveal(raw);
        return;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopWatch();
    this.lease?.dispose();
    this.lease = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.host.closed(this);
    this.panel.dispose();
  }
}
