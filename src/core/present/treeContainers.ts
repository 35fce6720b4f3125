// The Containers part of the Targets tree: compose projects, containers and the processes of an open container.
import type { ContainerInfo, ProcessInfo, Snapshot } from '../model';
import { slowTierAge } from '../format';
import { containerIcon, isContainerLive, processIcon } from './icons';
import { MarkdownLines, plainText } from './text';
import { nodeIds } from './treeNodes';
import type { ProcessNode } from './treeNodes';
import { containerDescription, containerName, processDescription } from './treeText';
import { containerTooltip, processTooltip } from './treeTooltips';
import { message } from './treeRows';
import type { TreeBuilder } from './treeRows';
import { innerPid } from '../identity';
import { byText } from '../order';

export function addProcess(
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

export function addContainers(b: TreeBuilder, parentId: string, targetId: string, s: Snapshot): void {
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
