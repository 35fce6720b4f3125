// Reads the Targets tree through its data provider, as VS Code does to draw it: rows with their labels,
// descriptions and context values.
import type * as vscode from 'vscode';
import type { TreeNode } from '../../../src/core/present/treeNodes';
import type { ExtensionApi } from './extensionApi';

export interface Row {
  node: TreeNode;
  item: vscode.TreeItem;
  label: string;
  description: string;
  contextValue: string;
}

function labelText(label: vscode.TreeItem['label']): string {
  if (label === undefined) return '';
  return typeof label === 'string' ? label : label.label;
}

export async function children(api: ExtensionApi, parent?: Row): Promise<Row[]> {
  const nodes = ((await api.treeDataProvider.getChildren(parent?.node)) ?? []) as TreeNode[];
  const rows: Row[] = [];
  for (const node of nodes) {
    const item = await api.treeDataProvider.getTreeItem(node);
    rows.push({
      node,
      item,
      label: labelText(item.label),
      description: typeof item.description === 'string' ? item.description : '',
      contextValue: item.contextValue ?? '',
    });
  }
  return rows;
}

/** Every row below `parent`, depth first; `prune` stops the descent into a row's children. */
export async function descendants(
  api: ExtensionApi,
  parent: Row,
  prune: (r: Row) => boolean = () => false,
): Promise<Row[]> {
  const out: Row[] = [];
  for (const r of await children(api, parent)) {
    out.push(r);
    if (!prune(r)) out.push(...(await descendants(api, r, prune)));
  }
  return out;
}

export async function targetRow(api: ExtensionApi, targetId: string): Promise<Row | undefined> {
  return (await children(api)).find((r) => r.node.kind === 'target' && r.node.targetId === targetId);
}

export async function requireTarget(api: ExtensionApi, targetId: string): Promise<Row> {
  const row = await targetRow(api, targetId);
  if (!row) {
    const ids = (await children(api)).map((r) => `${r.node.kind}:${r.node.targetId}`).join(', ');
    throw new Error(`no target ${targetId} at the root of the tree (root rows: ${ids || 'none'})`);
  }
  return row;
}

/** The container rows of a target (under Containers and its compose groups), without the host processes. */
export async function containerRows(api: ExtensionApi, targetId: string): Promise<Row[]> {
  const target = await requireTarget(api, targetId);
  const rows = await descendants(api, target, (r) => r.node.kind === 'hostProcesses' || r.node.kind === 'container');
  return rows.filter((r) => r.node.kind === 'container');
}

export function containerIdOf(r: Row): string {
  if (r.node.kind !== 'container') throw new Error(`row ${r.label} is a ${r.node.kind}, not a container`);
  return r.node.containerId;
}
