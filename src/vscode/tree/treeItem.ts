// Maps a presented row (src/core/present/treeModel.ts) to a VS Code TreeItem. No logic beyond the mapping.
import * as vscode from 'vscode';
import type { Collapsible, PresentedNode } from '../../core/present/treeRows';
import type { TreeNode } from '../../core/present/treeNodes';

const COLLAPSIBLE: Record<Collapsible, vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/** The row without its tooltip: that is filled in by `tooltipOf` when the row is hovered. */
export function toTreeItem(node: TreeNode, row: PresentedNode): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, COLLAPSIBLE[row.collapsible]);
  item.id = node.id;
  item.description = row.description;
  item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
  if (row.contextValue) item.contextValue = row.contextValue;
  if (row.command) item.command = { command: row.command.command, title: row.command.title, arguments: [node] };
  item.accessibilityInformation = { label: row.description ? `${row.label}, ${row.description}` : row.label };
  return item;
}

/** The tooltip as untrusted Markdown: no command links, no HTML, no theme icons (target data is escaped too). */
export function tooltipOf(row: PresentedNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString(row.tooltip, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}
