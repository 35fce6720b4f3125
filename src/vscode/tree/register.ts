// The Targets view: creates the tree view, holds the service's visibility lease while it is visible, and lets
// commands and panels reveal a host, container or process in it.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { MonitorError } from '../../core/errors';
import type { TreeNode } from '../../core/present/treeNodes';
import type { MonitorService } from '../serviceApi';
import { TargetTreeProvider } from './provider';
import { TreeDemand } from '../../core/present/treeDemand';
import type { Expansion } from '../../core/present/treeStore';

const TREE_VIEW_ID = 'dockerMonitor.targets';

interface RevealOptions {
  /** Expand the row (a container: show its processes). Default false. */
  expand?: boolean;
  /** Move the keyboard focus to the tree. Default true. */
  focus?: boolean;
}

export interface TreeController {
  /**
   * Reveals and selects a row. `id`: ignored for 'host'; a container's full id, name or unique id prefix; a host
   * PID for 'process'. Throws MonitorError('not-found') when the target or the row does not exist.
   */
  reveal(targetId: string, kind: 'host' | 'container' | 'process', id: string, options?: RevealOptions): Promise<void>;
  /** What dockerMonitor.showAllHostProcesses does: all host processes of a target, or the busiest only. */
  toggleShowAllHostProcesses(targetId: string): void;
  readonly view: vscode.TreeView<TreeNode>;
  /** The provider behind the view: what the rows are, as a user sees them (the extension API hands it to tests). */
  readonly treeDataProvider: vscode.TreeDataProvider<TreeNode>;
}

export function registerTree(context: vscode.ExtensionContext, service: MonitorService): TreeController {
  // The extension runs where the Local target is (extensionKind workspace): its host name names that machine.
  // What a refresh reads, and which rows the tree builds, follow what the tree shows: an expanded container
  // needs its processes read and listed.
  const demand = new TreeDemand();
  const expansion: Expansion = {
    isOpen: (node) => demand.isOpen(node),
    open: (node) => {
      if (demand.expanded(node)) void service.refresh(node.targetId, { fresh: true });
    },
  };
  const provider = new TargetTreeProvider(service, os.hostname(), expansion);
  const view = vscode.window.createTreeView<TreeNode>(TREE_VIEW_ID, {
    treeDataProvider: provider,
    showCollapseAll: true,
  });

  // Polling runs only while something shows data: hold a lease while the view is visible.
  let lease: vscode.Disposable | undefined;
  const syncLease = (visible: boolean): void => {
    if (visible && !lease) lease = service.leaseVisibility('tree', (targetId) => demand.demand(targetId));
    else if (!visible && lease) {
      lease.dispose();
      lease = undefined;
    }
  };
  syncLease(view.visible);

  const syncTitle = (): void => {
    view.description = service.paused ? 'paused' : '';
    const failing = provider.store.failingCount();
    view.badge =
      failing > 0
        ? { value: failing, tooltip: failing === 1 ? '1 target cannot connect' : `${failing} targets cannot connect` }
        : undefined;
  };
  syncTitle();

  context.subscriptions.push(
    provider,
    view,
    view.onDidChangeVisibility((e) => syncLease(e.visible)),
    view.onDidExpandElement((e) => expansion.open(e.element)),
    view.onDidCollapseElement((e) => demand.collapsed(e.element)),
    provider.onDidChangeState(syncTitle),
    { dispose: () => syncLease(false) },
  );

  return {
    view,
    treeDataProvider: provider,
    async reveal(targetId, kind, id, options = {}) {
      const found = provider.store.locate(targetId, kind, id);
      if (!found) {
        const what =
          kind === 'host'
            ? 'host'
            : kind === 'container'
              ? `container ${JSON.stringify(id.slice(0, 80))}`
              : `process ${JSON.stringify(id.slice(0, 20))}`;
        const target = service.target(targetId)?.config.name ?? targetId;
        throw new MonitorError(
          `${what} is not in the Targets tree of ${target} (it may have gone, or the target is not connected)`,
          'not-found',
        );
      }
      provider.apply(found.change);
      await view.reveal(found.node, { select: true, focus: options.focus ?? true, expand: options.expand ?? false });
    },
    toggleShowAllHostProcesses(targetId) {
      provider.apply(provider.store.toggleShowAll(targetId));
    },
  };
}
