// Activation: the output channel, the monitor service, the Targets tree, the panels, the commands and the
// status-bar item, the history. Everything disposable goes into context.subscriptions; deactivate waits for the
// connections to close and the history to be written.
import * as vscode from 'vscode';
import type { TreeNode } from '../core/present/treeNodes';
import { registerCommands } from './commands';
import { registerHistory } from './history';
import { registerAlerts } from './alerts';
import type { AlertsController } from './alerts';
import type { HistoryController } from './history';
import { createLog } from './log';
import { MonitorServiceImpl } from './monitorService';
import { registerPanels } from './panels/register';
import type { OpenPanel } from './panels/register';
import { SshPrompts } from './sshPrompts';
import { registerStatusBar } from './statusBar';
import { registerTree } from './tree/register';

/**
 * What activate() returns: only what a user can see, for the VS Code test suite (test/vscode): the Targets
 * tree's rows and what each open panel last showed.
 */
export interface ExtensionApi {
  treeDataProvider: vscode.TreeDataProvider<TreeNode>;
  panels(): OpenPanel[];
  /** Every target's active and recent alerts, and the alert notifications shown so far. */
  alerts(): ReturnType<AlertsController['alerts']>;
  notices(): ReturnType<AlertsController['notices']>;
}

let running: MonitorServiceImpl | undefined;
let history: HistoryController | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = createLog(context);
  const version = (context.extension.packageJSON as { version?: string }).version ?? 'unknown';
  log.info(
    `Docker Monitor ${version} starting (extension host on ${process.platform}, remote: ${vscode.env.remoteName ?? 'none'})`,
  );

  const service = new MonitorServiceImpl(
    new SshPrompts(context.secrets, log),
    log,
    context.asAbsolutePath('dist/collectorThread.js'),
  );
  running = service;
  context.subscriptions.push(service);
  const stored = registerHistory(context, service, log);
  history = stored;
  const tree = registerTree(context, service);
  const panels = registerPanels(
    context,
    service,
    (targetId, kind, id) => {
      tree.reveal(targetId, kind, id).catch((e: unknown) => {
        void vscode.window.showWarningMessage(`Docker Monitor: ${e instanceof Error ? e.message : String(e)}`);
      });
    },
    stored,
  );
  const alerts = registerAlerts(context, service, log, (targetId, kind, id) => panels.openMetrics(targetId, kind, id));
  registerCommands(context, { service, panels, tree, log, history: stored, alerts });
  registerStatusBar(context, service);
  return {
    treeDataProvider: tree.treeDataProvider,
    panels: () => panels.openPanels(),
    alerts: () => alerts.alerts(),
    notices: () => alerts.notices(),
  };
}

/** Waits until every SSH connection is closed (none outlives the extension host) and the history is written. */
export async function deactivate(): Promise<void> {
  const service = running;
  const stored = history;
  running = undefined;
  history = undefined;
  await Promise.all([service?.shutdown(), stored?.flush()]);
}
