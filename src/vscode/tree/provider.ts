// The Targets tree's data provider: reads the monitor service, keeps the rows in a TreeStore and redraws only
// the rows a refresh changed.
import * as vscode from 'vscode';
import { TreeStore } from '../../core/present/treeStore';
import type { Expansion, TreeChange } from '../../core/present/treeStore';
import type { TreeNode } from '../../core/present/treeNodes';
import type { MonitorService } from '../serviceApi';
import { toTreeItem, tooltipOf } from './treeItem';

export class TargetTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** After every redraw request (the controller updates the view's badge and description). */
  private readonly stateChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeState = this.stateChanged.event;
  readonly store: TreeStore;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    service: MonitorService,
    localHostname: string,
    private readonly expansion: Expansion,
  ) {
    this.store = new TreeStore({ localHostname, expansion });
    this.store.setTargets(service.targets());
    this.subscriptions = [
      service.onDidChangeTargets(() => {
        this.store.setTargets(service.targets());
        this.apply('root');
      }),
      service.onDidChange((state) => this.apply(this.store.update(state))),
      this.changed,
      this.stateChanged,
    ];
  }

  /** Fires the redraw a store change asks for. */
  apply(change: TreeChange): void {
    if (change === 'root') this.changed.fire(undefined);
    else if (change.length > 0) this.changed.fire(change);
    this.stateChanged.fire();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const row = this.store.row(node);
    // VS Code can ask about a row a moment after a refresh removed it; it redraws its parent next.
    return row ? toTreeItem(node, row) : new vscode.TreeItem('', vscode.TreeItemCollapsibleState.None);
  }

  /** VS Code asks for the children of a row when it is expanded (by the user, or restored so). */
  getChildren(node?: TreeNode): TreeNode[] {
    if (node) this.expansion.open(node);
    return this.store.children(node);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.store.parent(node);
  }

  /** Tooltips are built on hover only: most rows are never hovered, and each refresh would resend them all. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    const row = this.store.row(node);
    if (row) item.tooltip = tooltipOf(row);
    return item;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
