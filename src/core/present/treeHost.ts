// The host part of the Targets tree: the host row, its live figures, and the busiest host processes.
import type { Snapshot } from '../model';
import { slowTierAge } from '../format';
import { MarkdownLines, plainText } from './text';
import { nodeIds } from './treeNodes';
import { hostDescription, hostUsageText } from './treeText';
import { hostTooltip, hostUsageTooltip } from './treeTooltips';
import { MONITOR_HOST_COMMAND, SHOW_ALL_COMMAND, TOP_HOST_PROCESSES } from './treeRows';
import type { TreeBuilder, TreeOptions } from './treeRows';
import { addContainers, addProcess } from './treeContainers';
import { busiestFirst } from '../order';

function addHostProcesses(b: TreeBuilder, parentId: string, targetId: string, s: Snapshot, options: TreeOptions): void {
  const all = s.processes.filter((p) => p.containerId === null);
  // A refresh for collapsed rows reads no host process: the node shows them once expanded.
  const unread = s.partial !== undefined && s.partial.processes !== 'all';
  const top = Math.max(1, Math.floor(options.topHostProcesses ?? TOP_HOST_PROCESSES));
  const showingAll = options.showAllHostProcesses === true;
  const id = b.add(parentId, {
    node: { kind: 'hostProcesses', id: nodeIds.hostProcesses(targetId), targetId },
    label: 'Host processes',
    description: unread ? '' : `${all.length}`,
    tooltip: new MarkdownLines()
      .title('Host processes')
      .text(
        unread
          ? 'Processes outside any container, busiest first: expand to read them.'
          : `Processes outside any container, busiest first: ${showingAll ? all.length : Math.min(top, all.length)} of ${all.length} shown.`,
      )
      .toString(),
    icon: { id: 'server-process', color: null },
    collapsible: unread || all.length > 0 ? 'collapsed' : 'none',
    contextValue: null,
    command: null,
  });
  if (!b.opens(id)) return;
  const busiest = all.sort(busiestFirst);
  for (const p of showingAll ? busiest : busiest.slice(0, top))
    addProcess(b, id, targetId, p, undefined, slowTierAge(s));
  if (all.length > top) {
    b.add(id, {
      node: { kind: 'showAll', id: nodeIds.showAll(targetId), targetId, showingAll },
      label: showingAll ? `Show the top ${top} only` : `Show all ${all.length}…`,
      description: '',
      tooltip: new MarkdownLines()
        .text(showingAll ? `Show the ${top} busiest host processes only.` : `Show all ${all.length} host processes.`)
        .toString(),
      icon: { id: showingAll ? 'fold' : 'unfold', color: null },
      collapsible: 'none',
      contextValue: null,
      command: {
        command: SHOW_ALL_COMMAND,
        title: showingAll ? 'Show the top host processes' : 'Show all host processes',
      },
    });
  }
}

export function addHost(b: TreeBuilder, parentId: string, targetId: string, s: Snapshot, options: TreeOptions): void {
  const id = b.add(parentId, {
    node: { kind: 'host', id: nodeIds.host(targetId), targetId },
    label: plainText(s.host.hostname || 'host'),
    description: hostDescription(s),
    tooltip: hostTooltip(s),
    icon: { id: 'server', color: null },
    collapsible: 'expanded',
    contextValue: 'host',
    command: null,
  });
  // The figures that change every refresh live on a leaf, not on the host row: redrawing a row makes VS Code
  // drop its descendants' handles until it lists them again, and a context-menu command run in that gap gets
  // no argument (microsoft/vscode#144250). The container rows below the host must stay clickable.
  const usage = hostUsageText(s);
  b.add(id, {
    node: { kind: 'hostUsage', id: nodeIds.hostUsage(targetId), targetId },
    label: usage.label,
    description: usage.description,
    tooltip: hostUsageTooltip(s),
    icon: { id: 'pulse', color: null },
    collapsible: 'none',
    contextValue: 'host',
    command: { command: MONITOR_HOST_COMMAND, title: 'Monitor: Host' },
  });
  addContainers(b, id, targetId, s);
  addHostProcesses(b, id, targetId, s, options);
}
