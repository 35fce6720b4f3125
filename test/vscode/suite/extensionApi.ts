// The extension as a user meets it: activated, with the Targets tree and the open panels. activate() returns
// only what a user could see (the tree's data provider and each panel's last posted message).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionMessage } from '../../../src/shared/protocol';
import { config } from './config';

export interface PanelState {
  viewType: string;
  title: string;
  lastMessage: unknown;
  /** The stored history a Metrics panel opened with (host or container). */
  history: unknown;
}

export interface ExtensionApi {
  treeDataProvider: vscode.TreeDataProvider<unknown>;
  panels(): PanelState[];
}

let cached: ExtensionApi | undefined;

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(config.extensionId);
  assert.ok(ext, `extension ${config.extensionId} is not installed in this VS Code`);
  return ext;
}

/** Activates the extension (once) and checks that it returned the API the tests read. */
export async function activate(): Promise<ExtensionApi> {
  if (cached) return cached;
  const api = (await extension().activate()) as Partial<ExtensionApi> | undefined;
  assert.ok(
    api && typeof api === 'object',
    'activate() returned nothing: it must return { treeDataProvider, panels() }',
  );
  assert.equal(
    typeof api.treeDataProvider?.getChildren,
    'function',
    'activate() must return the Targets tree data provider as treeDataProvider',
  );
  assert.equal(typeof api.treeDataProvider?.getTreeItem, 'function', 'treeDataProvider has no getTreeItem');
  assert.equal(
    typeof api.panels,
    'function',
    'activate() must return panels(): the open panels and their last messages',
  );
  cached = api as ExtensionApi;
  return cached;
}

/** Shows the Docker Monitor view, as clicking its activity-bar icon does (the tree then polls). */
export async function showTargetsView(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.dockerMonitor');
  await vscode.commands.executeCommand('dockerMonitor.targets.focus');
}

/** The open panels of one view type whose last message is of the given type. */
export function panelMessages<T extends ExtensionMessage['type']>(
  api: ExtensionApi,
  viewType: string,
  type: T,
): Array<{ panel: PanelState; message: Extract<ExtensionMessage, { type: T }> }> {
  return api
    .panels()
    .filter((p) => p.viewType === viewType)
    .flatMap((panel) => {
      const m = panel.lastMessage as { type?: unknown } | null | undefined;
      return m && m.type === type ? [{ panel, message: m as Extract<ExtensionMessage, { type: T }> }] : [];
    });
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
