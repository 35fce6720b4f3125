// The Targets tree's row text: labels and descriptions of container, process and host rows. Pure.
import type { ContainerInfo, ProcessInfo, Snapshot } from '../model';
import { formatBytes, formatPercent } from '../format';
import { plainText } from './text';
import { containerLabel, innerPid } from '../identity';

export const SEP = ' · ';

export function containerName(c: Pick<ContainerInfo, 'name' | 'id'>): string {
  return plainText(containerLabel(c));
}

/** "12.3 MiB / 64 MiB", or "/ no limit". */
export function memoryText(c: ContainerInfo): string {
  return `${formatBytes(c.memory.usageBytes)} / ${c.memory.limitBytes === null ? 'no limit' : formatBytes(c.memory.limitBytes)}`;
}

export function containerDescription(c: ContainerInfo): string {
  if (c.state === 'running') {
    const parts = [formatPercent(c.cpu.percent), memoryText(c)];
    if (c.health) parts.unshift(plainText(c.health));
    return parts.join(SEP);
  }
  if (c.state === 'paused') return ['paused', memoryText(c)].join(SEP);
  return plainText(c.status || c.state);
}

/** `PID 1234 → 1 · 0.5% · 3.2 MiB` (the arrow gives the PID inside the container). */
export function processDescription(p: ProcessInfo): string {
  const inner = innerPid(p.nsPid);
  const pid = inner === null ? `PID ${p.pid}` : `PID ${p.pid} → ${inner}`;
  return [pid, formatPercent(p.cpuPercent), formatBytes(p.rssBytes)].join(SEP);
}

/** What the host is: fixed while it runs, so the host row (parent of every container row) is not redrawn. */
export function hostDescription(s: Snapshot): string {
  return [`${s.host.cpuCount} CPUs`, formatBytes(s.host.memory.totalBytes)].join(SEP);
}

/** What the host is doing now: the usage row's label and description. */
export function hostUsageText(s: Snapshot): { label: string; description: string } {
  const m = s.host.memory;
  return {
    label: `CPU ${formatPercent(s.host.cpuPercent?.busy)}`,
    description: [
      `${formatBytes(m.usedBytes)} / ${formatBytes(m.totalBytes)}`,
      `load ${s.host.loadAverage[0].toFixed(2)}`,
    ].join(SEP),
  };
}
