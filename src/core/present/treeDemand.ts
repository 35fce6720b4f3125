// What the Targets tree shows, as a Demand per target: every row of a collapsed container comes from its cgroup
// and main process, so only an expanded container (its processes) or the expanded Host processes node (the
// busiest need every process's CPU) asks a refresh for more.
import { ROW_DEMAND } from '../collect/demand';
import type { Demand } from '../collect/demand';
import type { TreeNode } from './treeNodes';

interface Expanded {
  containers: Set<string>;
  hostProcesses: boolean;
}

export class TreeDemand {
  private readonly targets = new Map<string, Expanded>();

  /** A row was expanded (or its children were asked for); true when the target must read more than before. */
  expanded(node: TreeNode): boolean {
    const e = this.entry(node.targetId);
    if (node.kind === 'container' && !e.containers.has(node.containerId)) {
      e.containers.add(node.containerId);
      return !e.hostProcesses;
    }
    if (node.kind === 'hostProcesses' && !e.hostProcesses) {
      e.hostProcesses = true;
      return true;
    }
    return false;
  }

  /** Whether a container or the Host processes row is expanded (every other row counts as open). */
  isOpen(node: TreeNode): boolean {
    const e = this.targets.get(node.targetId);
    if (node.kind === 'container') return e?.containers.has(node.containerId) ?? false;
    if (node.kind === 'hostProcesses') return e?.hostProcesses ?? false;
    return true;
  }

  collapsed(node: TreeNode): void {
    const e = this.targets.get(node.targetId);
    if (!e) return;
    if (node.kind === 'container') e.containers.delete(node.containerId);
    else if (node.kind === 'hostProcesses') e.hostProcesses = false;
    // A collapsed target hides everything below it.
    else if (node.kind === 'target') this.targets.delete(node.targetId);
  }

  demand(targetId: string): Demand {
    const e = this.targets.get(targetId);
    if (!e) return ROW_DEMAND;
    if (e.hostProcesses) return { processes: 'all', containerDetail: false };
    return { processes: [...e.containers].sort(), containerDetail: false };
  }

  private entry(targetId: string): Expanded {
    let e = this.targets.get(targetId);
    if (!e) this.targets.set(targetId, (e = { containers: new Set(), hostProcesses: false }));
    return e;
  }
}
