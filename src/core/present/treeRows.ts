// The rows of the Targets tree as plain data, and the builder that collects them: what treeModel.ts builds,
// treeStore.ts keeps and the VS Code provider maps to TreeItems. Apart so that the parts of the tree
// (treeContainers.ts, treeHost.ts, treeModel.ts) share it without importing each other.
import type { Icon } from './icons';
import { nodeIds } from './treeNodes';
import type { ContextValue, MessageNode, TreeNode } from './treeNodes';

export type Collapsible = 'none' | 'collapsed' | 'expanded';

export interface PresentedNode {
  node: TreeNode;
  parentId: string | null;
  childIds: string[];
  label: string;
  description: string;
  /** Markdown source; everything read from the target in it is escaped. */
  tooltip: string;
  icon: Icon;
  /** The state a row starts in; VS Code keeps the user's choice afterwards (rows have stable ids). */
  collapsible: Collapsible;
  contextValue: ContextValue | null;
  /** Run on click, with the row's TreeNode as its argument. */
  command: { command: string; title: string } | null;
  /** A collapsed row whose children were not built (see TreeOptions.isOpen); childIds is empty. */
  deferred: boolean;
}

export interface TargetTree {
  targetId: string;
  rootId: string;
  nodes: Map<string, PresentedNode>;
}

export interface TreeOptions {
  /** Show every host process instead of the busiest ones. */
  showAllHostProcesses?: boolean;
  /** Names the Local target's machine before its first snapshot. */
  localHostname?: string;
  /** How many host processes to show before "Show all" (default TOP_HOST_PROCESSES). */
  topHostProcesses?: number;
  /**
   * Whether a container or the Host processes row is expanded; the children of a closed one are not built
   * (at 200 containers their 2000 process rows, with tooltips, are most of the tree's cost and nobody sees them).
   * Default: every row is open.
   */
  isOpen?: (node: TreeNode) => boolean;
}

export const TOP_HOST_PROCESSES = 50;
export const RETRY_COMMAND = 'dockerMonitor.retryTarget';
export const SHOW_ALL_COMMAND = 'dockerMonitor.showAllHostProcesses';
export const MONITOR_HOST_COMMAND = 'dockerMonitor.monitorHost';

export class TreeBuilder {
  readonly nodes = new Map<string, PresentedNode>();

  constructor(private readonly isOpen: (node: TreeNode) => boolean) {}

  add(parentId: string | null, row: Omit<PresentedNode, 'parentId' | 'childIds' | 'deferred'>): string {
    const id = row.node.id;
    // Two rows with one id would make VS Code refuse the whole tree: keep the first (cannot happen with
    // well-formed snapshots; a target's data is still untrusted).
    if (this.nodes.has(id)) return id;
    this.nodes.set(id, { ...row, parentId, childIds: [], deferred: false });
    if (parentId !== null) this.nodes.get(parentId)?.childIds.push(id);
    return id;
  }

  /** Whether to build the children of a row just added; a closed row is marked deferred instead. */
  opens(id: string): boolean {
    const row = this.nodes.get(id);
    if (!row || row.collapsible === 'none' || this.isOpen(row.node)) return true;
    row.deferred = true;
    return false;
  }
}

export function message(
  b: TreeBuilder,
  parentId: string,
  targetId: string,
  role: MessageNode['role'],
  row: Pick<PresentedNode, 'label' | 'description' | 'tooltip' | 'icon'> & Partial<PresentedNode>,
): void {
  const node: MessageNode = { kind: 'message', id: nodeIds.message(targetId, role), targetId, role, errorCode: null };
  b.add(parentId, { collapsible: 'none', contextValue: null, command: null, ...row, node });
}
