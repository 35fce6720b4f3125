// The Targets tree of one target, as plain data: every row with its label, description, Markdown tooltip, icon,
// context value and children. The VS Code provider only maps these rows to TreeItems.
import type { ContainerInfo, ProcessInfo, Snapshot } from '../model';
import { slowTierAge } from '../format';
import { connectionProblem } from './connectionErrors';
import { containerIcon, isContainerLive, processIcon } from './icons';
import type { Icon } from './icons';
import { connectionFailed, statusWords, targetAddress, targetDisplayName } from './targetInput';
import type { TargetState } from './targetInput';
import { MarkdownLines, plainText } from './text';
import { nodeIds } from './treeNodes';
import type { ContextValue, MessageNode, ProcessNode, TreeNode } from './treeNodes';
import { innerPid } from '../identity';
import { busiestFirst, byText } from '../order';

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
const MONITOR_HOST_COMMAND = 'dockerMonitor.monitorHost';

import {
  containerDescription,
  containerName,
  hostDescription,
  hostUsageText,
  processDescription,
  SEP,
} from './treeText';
import { containerTooltip, hostTooltip, hostUsageTooltip, processTooltip, targetTooltip } from './treeTooltips';

// ---- the tree ----

class TreeBuilder {
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

function message(
  b: TreeBuilder,
  parentId: string,
  targetId: string,
  role: MessageNode['role'],
  row: Pick<PresentedNode, 'label' | 'description' | 'tooltip' | 'icon'> & Partial<PresentedNode>,
): void {
  const node: MessageNode = { kind: 'message', id: nodeIds.message(targetId, role), targetId, role, errorCode: null };
  b.add(parentId, { collapsible: 'none', contextValue: null, command: null, ...row, node });
}

function addConnectionError(b: TreeBuilder, parentId: string, t: TargetState): void {
  const problem = connectionProblem(t.errorCode);
  const error = plainText(t.summary.error ?? 'unknown error');
  const tooltip = new MarkdownLines()
    .title(problem.title)
    .text(t.summary.error ?? 'unknown error')
    .gap()
    .text(problem.advice)
    .gap()
    .raw('Click to retry.');
  const node: MessageNode = {
    kind: 'message',
    id: nodeIds.message(t.config.id, 'connection'),
    targetId: t.config.id,
    role: 'connection',
    errorCode: t.errorCode,
  };
  b.add(parentId, {
    node,
    label: problem.title,
    description: error,
    tooltip: tooltip.toString(),
    icon: problem.icon,
    collapsible: 'none',
    contextValue: 'target.error',
    command: { command: RETRY_COMMAND, title: 'Retry' },
  });
}

function addProcess(
  b: TreeBuilder,
  parentId: string,
  targetId: string,
  p: ProcessInfo,
  container: ContainerInfo | undefined,
  age: string,
): void {
  const node: ProcessNode = {
    kind: 'process',
    id: nodeIds.process(targetId, p.pid, p.startTicks),
    targetId,
    pid: p.pid,
    startTicks: p.startTicks,
    containerId: p.containerId,
  };
  b.add(parentId, {
    node,
    label: plainText(p.name),
    description: processDescription(p),
    tooltip: processTooltip(p, container, age),
    icon: processIcon(p),
    collapsible: 'none',
    contextValue: 'process',
    command: null,
  });
}

function addContainer(
  b: TreeBuilder,
  parentId: string,
  targetId: string,
  s: Snapshot,
  c: ContainerInfo,
  own: ProcessInfo[],
): void {
  const id = b.add(parentId, {
    node: { kind: 'container', id: nodeIds.container(targetId, c.id), targetId, containerId: c.id },
    label: containerName(c),
    description: containerDescription(c),
    tooltip: containerTooltip(s, c),
    icon: containerIcon(c),
    collapsible: own.length > 0 ? 'collapsed' : 'none',
    contextValue: isContainerLive(c) ? 'container.running' : 'container.stopped',
    command: null,
  });
  if (!b.opens(id)) return;
  // PID 1 of the container first, then in the order they were started inside it: a stable, familiar order.
  const inner = (p: ProcessInfo): number => innerPid(p.nsPid) ?? p.pid;
  for (const p of [...own].sort((x, y) => inner(x) - inner(y) || x.pid - y.pid))
    addProcess(b, id, targetId, p, c, slowTierAge(s));
}

function runningText(list: ContainerInfo[]): string {
  const running = list.filter((c) => c.state === 'running').length;
  return `${running}/${list.length} running`;
}

function addContainers(b: TreeBuilder, parentId: string, targetId: string, s: Snapshot): void {
  const counts = new Map<string, number>();
  for (const c of s.containers) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  const tooltip = new MarkdownLines().title('Containers');
  for (const [state, n] of [...counts].sort((x, y) => byText(x[0], y[0]))) tooltip.text(`${state}: ${n}`);
  if (s.containers.length === 0) tooltip.text('none');
  const id = b.add(parentId, {
    node: { kind: 'containers', id: nodeIds.containers(targetId), targetId },
    label: 'Containers',
    description: runningText(s.containers),
    tooltip: tooltip.toString(),
    icon: { id: 'package', color: null },
    collapsible: 'expanded',
    contextValue: null,
    command: null,
  });

  if (!s.docker.reachable) {
    const reason = s.docker.reason ?? 'unknown reason';
    message(b, id, targetId, 'docker', {
      label: `Docker API unreachable: ${plainText(reason)}`,
      description: '',
      tooltip: new MarkdownLines()
        .title('Docker API unreachable')
        .text(reason)
        .gap()
        .text(
          s.containers.length > 0
            ? 'The containers below were found from cgroups: their names, images and states are unknown. The host and its processes are shown in full.'
            : 'No containers were found from cgroups. The host and its processes are shown in full.',
        )
        .toString(),
      icon: { id: 'warning', color: 'charts.yellow' },
    });
  } else if (s.containers.length === 0) {
    message(b, id, targetId, 'noContainers', {
      label: 'No containers',
      description: '',
      tooltip: new MarkdownLines().text('Docker answers and has no containers on this host.').toString(),
      icon: { id: 'info', color: null },
    });
  }

  const byContainer = new Map<string, ProcessInfo[]>();
  for (const p of s.processes) {
    if (p.containerId === null) continue;
    const list = byContainer.get(p.containerId) ?? [];
    list.push(p);
    byContainer.set(p.containerId, list);
  }
  const sorted = [...s.containers].sort((x, y) => byText(containerName(x), containerName(y)) || byText(x.id, y.id));
  const projects = new Map<string, ContainerInfo[]>();
  for (const c of sorted) {
    if (!c.compose) continue;
    const list = projects.get(c.compose.project) ?? [];
    list.push(c);
    projects.set(c.compose.project, list);
  }
  for (const [project, list] of [...projects].sort((x, y) => byText(x[0], y[0]))) {
    const running = list.filter((c) => c.state === 'running').length;
    const labels = list[0].labels;
    const tooltip = new MarkdownLines()
      .title(`Compose project ${project}`)
      .field('Containers', `${list.length}, ${running} running`)
      .field(
        'Services',
        [...new Set(list.map((c) => c.compose?.service).filter((x): x is string => !!x))].sort(byText).join(', '),
      )
      .field('Working directory', labels['com.docker.compose.project.working_dir'])
      .field('Config files', labels['com.docker.compose.project.config_files']);
    const projectId = b.add(id, {
      node: { kind: 'composeProject', id: nodeIds.composeProject(targetId, project), targetId, project },
      label: plainText(project),
      description: runningText(list),
      tooltip: tooltip.toString(),
      icon: {
        id: 'layers',
        color: running === list.length ? 'charts.green' : running > 0 ? 'charts.yellow' : 'disabledForeground',
      },
      collapsible: 'expanded',
      contextValue: null,
      command: null,
    });
    for (const c of list) addContainer(b, projectId, targetId, s, c, byContainer.get(c.id) ?? []);
  }
  for (const c of sorted) if (!c.compose) addContainer(b, id, targetId, s, c, byContainer.get(c.id) ?? []);
}

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

function addHost(b: TreeBuilder, parentId: string, targetId: string, s: Snapshot, options: TreeOptions): void {
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

function targetIcon(t: TargetState): Icon {
  switch (t.summary.status) {
    case 'error':
      return { id: 'error', color: 'charts.red' };
    case 'connecting':
    case 'reconnecting':
      return { id: 'loading~spin', color: null };
    case 'paused':
      return { id: 'debug-pause', color: null };
    default:
      return { id: t.config.kind === 'local' ? 'vm' : 'remote', color: null };
  }
}

/** The rows of one target, from its state. Pure: the same input gives the same rows and ids. */
export function buildTargetTree(t: TargetState, options: TreeOptions = {}): TargetTree {
  const b = new TreeBuilder(options.isOpen ?? (() => true));
  const targetId = t.config.id;
  const name = targetDisplayName(t, options.localHostname);
  const rootId = b.add(null, {
    node: { kind: 'target', id: nodeIds.target(targetId), targetId, targetKind: t.config.kind },
    label: name,
    description: [targetAddress(t), statusWords(t.summary.status)].filter((x): x is string => !!x).join(SEP),
    tooltip: targetTooltip(t, name),
    icon: targetIcon(t),
    collapsible: 'expanded',
    contextValue: t.config.kind === 'local' ? 'target.local' : 'target.ssh',
    command: null,
  });

  if (connectionFailed(t)) addConnectionError(b, rootId, t);
  // After a failure the last snapshot is out of date: it stays visible while reconnecting only, and says so there.
  const s = t.summary.status === 'error' ? null : t.snapshot;
  if (s) {
    addHost(b, rootId, targetId, s, options);
  } else if (!connectionFailed(t)) {
    const connecting = t.summary.status === 'connecting' || t.summary.status === 'reconnecting';
    message(
      b,
      rootId,
      targetId,
      connecting ? 'connecting' : 'waiting',
      connecting
        ? {
            label: t.summary.status === 'connecting' ? 'Connecting…' : 'Reconnecting…',
            description: targetAddress(t) ?? '',
            tooltip: new MarkdownLines().text(`Connecting to ${targetAddress(t) ?? 'this machine'}.`).toString(),
            icon: { id: 'loading~spin', color: null },
          }
        : {
            label: 'Waiting for the first sample…',
            description: t.summary.status === 'paused' ? 'refresh is paused' : '',
            tooltip: new MarkdownLines()
              .text(
                t.summary.status === 'paused'
                  ? 'Refresh is paused: resume it to collect this target.'
                  : 'The first sample of this target is being collected.',
              )
              .toString(),
            icon: { id: 'watch', color: null },
          },
    );
  }
  return { targetId, rootId, nodes: b.nodes };
}
