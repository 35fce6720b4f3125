// The status-bar item: the active target's container count and host CPU / memory; a click opens Monitor: All
// for that target. It holds no visibility lease: it shows what the views' refreshes bring.
import * as vscode from 'vscode';
import { statusBarContent } from '../core/present/statusText';
import type { MonitorService } from './serviceApi';

/** Redraws at most this often: several targets refreshing together change the item once. */
const REDRAW_MS = 250;

export function registerStatusBar(context: vscode.ExtensionContext, service: MonitorService): void {
  const item = vscode.window.createStatusBarItem('dockerMonitor.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Docker Monitor';
  let timer: ReturnType<typeof setTimeout> | null = null;

  const redraw = (): void => {
    timer = null;
    const content = statusBarContent(service.targets(), service.paused);
    if (!content) {
      item.hide();
      return;
    }
    item.text = content.text;
    item.tooltip = content.tooltip;
    item.command = { command: 'dockerMonitor.monitorAll', title: 'Monitor: All', arguments: [content.targetId] };
    item.accessibilityInformation = { label: content.tooltip.split('\n').slice(0, 4).join(', ') };
    // The warning colour while an alert is active, as VS Code's own items do for problems that need a look.
    item.backgroundColor =
      content.activeAlerts > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  const schedule = (): void => {
    if (timer === null) timer = setTimeout(redraw, REDRAW_MS);
  };

  context.subscriptions.push(item, service.onDidChange(schedule), service.onDidChangeTargets(schedule), {
    dispose: () => timer !== null && clearTimeout(timer),
  });
  redraw();
}
