// The Targets tree across refreshes: one TargetTree per target, and one element object per row id for as long as
// the row exists. VS Code's tree API finds rows by element identity (onDidChangeTreeData, reveal, getParent), so
// a row must be the same object in every refresh; the store hands out those objects and says which to redraw.
import { changedNodeIds } from './treeDiff';
import { buildTargetTree } from './treeModel';
import type { PresentedNode, TargetTree, TreeOptions } from './treeRows';
import { connectionFailed } from './targetInput';
import type { TargetState } from './targetInput';
import { nodeIds } from './treeNodes';
import type { TreeNode } from './treeNodes';

/** Redraw these rows, or the whole tree ('root': targets were added or removed). */
export type TreeChange = TreeNode[] | 'root';

/** Which containers and Host processes rows are expanded (TreeDemand in the extension); without one, all are. */
export interface Expansion {
  isOpen(node: TreeNode): boolean;
  /** The row is shown expanded: VS Code asked for its children, or a reveal needs them. */
  open(node: TreeNode): void;
}

type StoreOptions = Omit<TreeOptions, 'showAllHostProcesses' | 'isOpen'> & { expansion?: Expansion };

export class TreeStore {
  private order: string[] = [];
  private readonly inputs = new Map<string, TargetState>();
  private readonly trees = new Map<string, TargetTree>();
  private readonly elements = new Map<string, TreeNode>();
  private readonly showAll = new Set<string>();

  constructor(private readonly options: StoreOptions = {}) {}

  /** Replaces the list of targets (in display order). The caller redraws the root. */
  setTargets(inputs: readonly TargetState[]): void {
    const ids = [...new Set(inputs.map((t) => t.config.id))];
    for (const id of this.order) {
      if (!ids.includes(id)) this.drop(id);
    }
    this.order = ids;
    for (const t of inputs) this.rebuild(t);
  }

  /** A target's new state; returns what to redraw. */
  update(input: TargetState): TreeChange {
    const id = input.config.id;
    if (!this.trees.has(id)) {
      this.order.push(id);
      this.rebuild(input);
      return 'root';
    }
    return this.rebuild(input);
  }

  roots(): TreeNode[] {
    return this.order.map((id) => this.elements.get(nodeIds.target(id))).filter((n): n is TreeNode => n !== undefined);
  }

  /** The children of a row (of the root when undefined); empty for a row that no longer exists. */
  children(node?: TreeNode): TreeNode[] {
    if (!node) return this.roots();
    // Asked for the children of a closed row: it is being expanded, so build them now.
    if (this.row(node)?.deferred) this.open(node);
    return (this.row(node)?.childIds ?? [])
      .map((id) => this.elements.get(id))
      .filter((n): n is TreeNode => n !== undefined);
  }

  parent(node: TreeNode): TreeNode | undefined {
    const parentId = this.row(node)?.parentId;
    return parentId ? this.elements.get(parentId) : undefined;
  }

  /** How a row looks now; undefined once it is gone. */
  row(node: TreeNode): PresentedNode | undefined {
    return this.trees.get(node.targetId)?.nodes.get(node.id);
  }

  /** The current element for a row id. */
  element(id: string): TreeNode | undefined {
    return this.elements.get(id);
  }

  isShowingAll(targetId: string): boolean {
    return this.showAll.has(targetId);
  }

  /** Shows all host processes of a target, or only the busiest; returns what to redraw. */
  setShowAll(targetId: string, on: boolean): TreeChange {
    const input = this.inputs.get(targetId);
    if (!input || this.showAll.has(targetId) === on) return [];
    if (on) this.showAll.add(targetId);
    else this.showAll.delete(targetId);
    return this.rebuild(input);
  }

  toggleShowAll(targetId: string): TreeChange {
    return this.setShowAll(targetId, !this.showAll.has(targetId));
  }

  /** How many targets cannot connect now. */
  failingCount(): number {
    return this.order.filter((id) => {
      const t = this.inputs.get(id);
      return t !== undefined && connectionFailed(t);
    }).length;
  }

  /**
   * The row of a host, a container (full id, name or unique id prefix) or a process (host PID), in a target.
   * A host process beyond the busiest ones is brought into view by showing all of them: `change` then says what
   * to redraw before revealing the row.
   */
  locate(
    targetId: string,
    kind: 'host' | 'container' | 'process',
    ref: string,
  ): { node: TreeNode; change: TreeChange } | null {
    const tree = this.trees.get(targetId);
    if (!tree) return null;
    const rows = [...tree.nodes.values()];
    const found = (id: string | undefined) => (id === undefined ? undefined : this.elements.get(id));
    if (kind === 'host') {
      const node = found(tree.nodes.has(nodeIds.host(targetId)) ? nodeIds.host(targetId) : undefined);
      return node ? { node, change: [] } : null;
    }
    if (kind === 'container') {
      const want = ref.trim().replace(/^\//, '');
      if (want === '') return null;
      const containers = rows.filter((r) => r.node.kind === 'container');
      const snapshot = this.inputs.get(targetId)?.snapshot;
      const nameOf = (id: string) => snapshot?.containers.find((c) => c.id === id)?.name.replace(/^\//, '');
      const exact = containers.find(
        (r) => r.node.kind === 'container' && (r.node.containerId === want || nameOf(r.node.containerId) === want),
      );
      const prefixed = containers.filter((r) => r.node.kind === 'container' && r.node.containerId.startsWith(want));
      const node = found(exact?.node.id ?? (prefixed.length === 1 ? prefixed[0].node.id : undefined));
      return node ? { node, change: [] } : null;
    }
    if (!/^\d{1,10}$/.test(ref.trim())) return null;
    const pid = Number(ref.trim());
    const processRow = (): PresentedNode | undefined =>
      [...(this.trees.get(targetId)?.nodes.values() ?? [])].find(
        (r) => r.node.kind === 'process' && r.node.pid === pid,
      );
    const row = processRow();
    if (row) return { node: this.elements.get(row.node.id)!, change: [] };
    const known = this.inputs.get(targetId)?.snapshot?.processes.find((p) => p.pid === pid);
    if (!known) return null;
    // Its parent row is closed (children not built), or it is a host process beyond the busiest shown.
    const parentId =
      known.containerId === null ? nodeIds.hostProcesses(targetId) : nodeIds.container(targetId, known.containerId);
    const parent = tree.nodes.get(parentId);
    let change: TreeChange = parent?.deferred ? this.open(parent.node) : [];
    if (!processRow() && known.containerId === null && !this.showAll.has(targetId))
      change = merge(change, this.setShowAll(targetId, true));
    const node = found(processRow()?.node.id);
    return node ? { node, change } : null;
  }

  /** Opens a closed row (builds its children); returns what to redraw. */
  private open(node: TreeNode): TreeChange {
    const input = this.inputs.get(node.targetId);
    if (!this.options.expansion || !input) return [];
    this.options.expansion.open(node);
    return this.rebuild(input);
  }

  private drop(targetId: string): void {
    for (const id of this.trees.get(targetId)?.nodes.keys() ?? []) this.elements.delete(id);
    this.trees.delete(targetId);
    this.inputs.delete(targetId);
    this.showAll.delete(targetId);
  }

  /** Rebuilds a target's rows, keeping the element object of every row that stays; returns what changed. */
  private rebuild(input: TargetState): TreeChange {
    const targetId = input.config.id;
    this.inputs.set(targetId, input);
    const before = this.trees.get(targetId);
    const { expansion, ...options } = this.options;
    const after = buildTargetTree(input, {
      ...options,
      showAllHostProcesses: this.showAll.has(targetId),
      ...(expansion && { isOpen: (n: TreeNode) => expansion.isOpen(n) }),
    });
    // Compare before adopting the old element objects: adopting updates them in place.
    const changed = before ? changedNodeIds(before, after) : [after.rootId];
    if (before) {
      for (const id of before.nodes.keys()) if (!after.nodes.has(id)) this.elements.delete(id);
    }
    for (const [id, row] of after.nodes) {
      const existing = this.elements.get(id);
      if (existing && existing.kind === row.node.kind) {
        // Same row: keep the object VS Code knows, with this refresh's fields (e.g. a new error code).
        for (const key of Object.keys(existing)) delete (existing as unknown as Record<string, unknown>)[key];
        Object.assign(existing, row.node);
        row.node = existing;
      } else {
        this.elements.set(id, row.node);
      }
    }
    this.trees.set(targetId, after);
    return changed.map((id) => this.elements.get(id)).filter((n): n is TreeNode => n !== undefined);
  }
}

function merge(a: TreeChange, b: TreeChange): TreeChange {
  return a === 'root' || b === 'root' ? 'root' : [...a, ...b];
}
