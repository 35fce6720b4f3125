// Activation: the output channel, the monitor service, the Targets tree, the panels, the commands and the
// status-bar item. Everything disposable goes into context.subscriptions; deactivate waits for the connections
// to close.
import * as vscode from 'vscode';
import type { TreeNode } from '../core/present/treeNodes';
import { registerCommands } from './commands';
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
}

let running: MonitorServiceImpl | undefined;

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
  const tree = registerTree(context, service);
  const panels = registerPanels(context, service, (targetId, kind, id) => {
    tree.reveal(targetId, kind, id).catch((e: unknown) => {
      void vscode.window.showWarningMessage(`Docker Monitor: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  registerCommands(context, { service, panels, tree, log });
  registerStatusBar(context, service);
  return { treeDataProvider: tree.treeDataProvider, panels: () => panels.openPanels() };
}

/** Waits until every SSH connection is closed, so that none outlives the extension host. */
export function deactivate(): Promise<void> | undefined {
  const service = running;
  running = undefined;
  return service?.shutdown();
}
