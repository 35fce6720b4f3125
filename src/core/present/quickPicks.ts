// QuickPick entries for commands run from the palette. Plain data: the service shows them with
// `matchOnDescription` and `matchOnDetail` so that typing a name, an id, a PID or an image finds the entry.
// VS Code renders `$(icon)` in all three strings, so text from a target goes through escapeIcons.
import type { ContainerInfo, Snapshot } from '../model';
import { formatBytes, formatPercent } from '../format';
import { containerIcon, isContainerLive } from './icons';
import { connectionFailed, statusWords, targetAddress, targetDisplayName } from './targetInput';
import type { TargetState } from './targetInput';
import { escapeIcons } from './text';
import { memoryText } from './treeText';
import { containerLabel, innerPid, shortId } from '../identity';
import { busiestFirst } from '../order';

export interface PickItem<T> {
  label: string;
  description: string;
  detail: string;
  value: T;
}

export interface ProcessPick {
  pid: number;
  startTicks: number;
  containerId: string | null;
}

const SEP = ' · ';

/** Targets in the order given; `value` is the target id. */
export function targetPickItems(states: readonly TargetState[], localHostname?: string): PickItem<string>[] {
  return states.map((t) => {
    const s = t.snapshot;
    const icon = connectionFailed(t) ? '$(error)' : t.config.kind === 'local' ? '$(vm)' : '$(remote)';
    const description = [targetAddress(t), statusWords(t.summary.status)]
      .filter((x): x is string => !!x)
      .map(escapeIcons)
      .join(SEP);
    let detail: string;
    if (connectionFailed(t)) {
      detail = escapeIcons(t.summary.error ?? 'cannot connect');
    } else if (s) {
      const running = s.containers.filter((c) => c.state === 'running').length;
      detail = [
        escapeIcons(`${s.host.hostname}, ${s.host.osRelease || 'unknown OS'}`),
        `${running}/${s.containers.length} containers running`,
        `CPU ${formatPercent(s.host.cpuPercent?.busy)}`,
        `memory ${formatBytes(s.host.memory.usedBytes)} / ${formatBytes(s.host.memory.totalBytes)}`,
      ].join(SEP);
    } else {
      detail = 'no sample yet';
    }
    return {
      label: `${icon} ${escapeIcons(targetDisplayName(t, localHostname))}`,
      description,
      detail,
      value: t.config.id,
    };
  });
}

function containerPickLabel(c: ContainerInfo): string {
  return `$(${containerIcon(c).id}) ${escapeIcons(containerLabel(c))}`;
}

/** Containers of a snapshot, live ones first, then by name; `value` is the full container id. */
export function containerPickItems(snapshot: Snapshot): PickItem<string>[] {
  const sorted = [...snapshot.containers].sort(
    (a, b) =>
      Number(isContainerLive(b)) - Number(isContainerLive(a)) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      (a.id < b.id ? -1 : 1),
  );
  return sorted.map((c) => {
    const figures = isContainerLive(c) ? [`CPU ${formatPercent(c.cpu.percent)}`, `memory ${memoryText(c)}`] : [];
    const compose = c.compose
      ? [escapeIcons(`compose ${c.compose.project}${c.compose.service ? `/${c.compose.service}` : ''}`)]
      : [];
    return {
      label: containerPickLabel(c),
      description: [shortId(c.id), escapeIcons(c.image || 'image unknown')].join(SEP),
      // The full id comes last so that a pasted full id matches too.
      detail: [
        escapeIcons(c.status || c.state),
        ...(c.health ? [escapeIcons(c.health)] : []),
        ...figures,
        ...compose,
        escapeIcons(c.id),
      ].join(SEP),
      value: c.id,
    };
  });
}

/** Processes of a snapshot, busiest first; the description names the container (and its image) or the host. */
export function processPickItems(snapshot: Snapshot): PickItem<ProcessPick>[] {
  const containers = new Map(snapshot.containers.map((c) => [c.id, c]));
  return [...snapshot.processes].sort(busiestFirst).map((p) => {
    const inner = innerPid(p.nsPid);
    const c = p.containerId === null ? undefined : containers.get(p.containerId);
    const where =
      p.containerId === null
        ? 'host'
        : c
          ? `${containerLabel(c)}${c.image ? ` (${c.image})` : ''}`
          : shortId(p.containerId);
    return {
      label: `$(server-process) ${escapeIcons(p.name)}`,
      description: [inner === null ? `PID ${p.pid}` : `PID ${p.pid} → ${inner}`, escapeIcons(where)].join(SEP),
      detail: [
        `CPU ${formatPercent(p.cpuPercent)}`,
        `RSS ${formatBytes(p.rssBytes)}`,
        ...(p.user ? [escapeIcons(p.user)] : []),
        escapeIcons(p.command || `[${p.name}]`),
      ].join(SEP),
      value: { pid: p.pid, startTicks: p.startTicks, containerId: p.containerId },
    };
  });
}
