// Readable containers: the overview table and one container's detail.
import type { ContainerInfo, Snapshot } from '../core/model';
import { NAMESPACE_TYPES } from '../core/model';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../core/format';
import { renderFields, renderTable, section } from './table';
import { shortId } from '../core/identity';
import { printPressure } from './pressurePrinter';

function memoryCell(c: ContainerInfo): string {
  const limit = c.memory.limitBytes === null ? 'no limit' : formatBytes(c.memory.limitBytes);
  return `${formatBytes(c.memory.usageBytes)} / ${limit}`;
}

function pidsCell(c: ContainerInfo): string {
  if (c.pids.current === null) return '-';
  return c.pids.limit === null ? String(c.pids.current) : `${c.pids.current} / ${c.pids.limit}`;
}

function vethCell(c: ContainerInfo): string {
  if (c.network.hostVeth) return c.network.hostVeth;
  return c.network.mode === 'host' ? '(host network)' : '-';
}

export function printContainers(s: Snapshot): string {
  if (s.containers.length === 0) return 'No containers.';
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'ID' },
      { header: 'STATE' },
      { header: 'CPU%', align: 'right' },
      { header: 'MEM / LIMIT', align: 'right' },
      { header: 'MEM%', align: 'right' },
      { header: 'NET RX/s', align: 'right' },
      { header: 'NET TX/s', align: 'right' },
      { header: 'PIDS', align: 'right' },
      { header: 'VETH' },
    ],
    s.containers.map((c) => [
      c.name,
      shortId(c.id),
      c.state,
      formatPercent(c.cpu.percent),
      memoryCell(c),
      formatPercent(c.memory.percent),
      formatRate(c.network.rxBytesPerSec),
      formatRate(c.network.txBytesPerSec),
      pidsCell(c),
      vethCell(c),
    ]),
  );
}

function describeCpu(c: ContainerInfo): string {
  const cpu = c.cpu;
  const parts = [`${formatPercent(cpu.percent)} of one CPU`];
  if (cpu.limitCpus !== null) {
    parts.push(`limit ${cpu.limitCpus} CPUs (quota ${cpu.quotaUs ?? '-'} us per ${cpu.periodUs ?? '-'} us)`);
  } else {
    parts.push('no CPU limit');
  }
  if (cpu.shares !== null) parts.push(`shares ${cpu.shares}`);
  if (cpu.weight !== null) parts.push(`weight ${cpu.weight}`);
  if (cpu.cpuset) parts.push(`cpuset ${cpu.cpuset}`);
  if (cpu.usageNs !== null) parts.push(`total ${formatDuration(cpu.usageNs / 1e9)}`);
  return parts.join(', ');
}

function describeThrottling(c: ContainerInfo): string {
  const cpu = c.cpu;
  if (cpu.periods === null) return '-';
  const total = cpu.throttledNs === null ? '' : `, ${formatDuration(cpu.throttledNs / 1e9)} throttled in all`;
  return `${cpu.throttledPeriods ?? '-'} of ${cpu.periods} periods${total}; last interval ${formatPercent(cpu.throttledPercent)}`;
}

function describeMemory(c: ContainerInfo): string {
  const m = c.memory;
  const limit =
    m.limitBytes === null ? 'no limit' : `limit ${formatBytes(m.limitBytes)} (${formatPercent(m.percent)} used)`;
  const parts = [`${formatBytes(m.usageBytes)} in use`, limit, `raw ${formatBytes(m.rawUsageBytes)}`];
  parts.push(`cache ${formatBytes(m.cacheBytes)}`, `rss ${formatBytes(m.rssBytes)}`);
  if (m.swapBytes !== null) parts.push(`swap ${formatBytes(m.swapBytes)}`);
  return parts.join(', ');
}

function describeNetwork(c: ContainerInfo): string {
  const n = c.network;
  const parts = [`mode ${n.mode}`];
  if (n.containerInterface || n.hostVeth) {
    const peer = n.hostVeth
      ? `${n.hostVeth}${n.hostVethIfindex === null ? '' : ` (ifindex ${n.hostVethIfindex})`}`
      : '?';
    parts.push(`${n.containerInterface ?? '?'} <-> ${peer}${n.bridge ? ` on ${n.bridge}` : ''}`);
  }
  if (n.ipAddress) parts.push(`IP ${n.ipAddress}`);
  return parts.join(', ');
}

function describeTraffic(c: ContainerInfo): string {
  const n = c.network;
  if (n.rxBytes === null && n.txBytes === null) return '-';
  return `rx ${formatRate(n.rxBytesPerSec)} (${formatBytes(n.rxBytes)} total), tx ${formatRate(n.txBytesPerSec)} (${formatBytes(n.txBytes)} total)`;
}

function optional(value: string | number | boolean | null): string {
  return value === null || value === '' ? '-' : String(value);
}

export function printContainerDetail(s: Snapshot, c: ContainerInfo): string {
  const b = c.blockIo;
  const fields = renderFields([
    ['Container', c.name],
    ['ID', c.id],
    ['Image', c.image],
    ['Command', optional(c.command)],
    ['State', `${c.state}${c.status ? ` (${c.status})` : ''}${c.health ? `, health ${c.health}` : ''}`],
    ['Created', optional(c.createdAt)],
    ['Started', optional(c.startedAt)],
    ['Restarts', optional(c.restartCount)],
    ['Compose', c.compose ? `${c.compose.project}${c.compose.service ? ` / ${c.compose.service}` : ''}` : '-'],
    ['Runtime', `${c.runtime} (described by ${c.source === 'docker-api' ? 'the Docker API' : 'cgroups only'})`],
    ['Privileged', optional(c.privileged)],
    ['PID mode', optional(c.pidMode)],
    ['Init PID', optional(c.initPid)],
    ['CPU', describeCpu(c)],
    ['Throttling', describeThrottling(c)],
    ['Memory', describeMemory(c)],
    ['OOM kills', `${optional(c.memory.oomKills)} (limit hit ${optional(c.memory.failCount)} times)`],
    ['Pids', pidsCell(c)],
    [
      'Block I/O',
      `read ${formatRate(b.readBytesPerSec)} (${formatBytes(b.readBytes)} total), write ${formatRate(b.writeBytesPerSec)} (${formatBytes(b.writeBytes)} total)`,
    ],
    ['Network', describeNetwork(c)],
    ['Traffic', describeTraffic(c)],
  ]);

  const labels = Object.entries(c.labels);
  const labelBlock =
    labels.length > 0
      ? renderFields(
          labels.map(([k, v]) => [k, v]),
          '  ',
        )
      : '  (none)';

  const nsRows = NAMESPACE_TYPES.flatMap((type) => {
    const ref = c.namespaces[type];
    return ref ? [[type, String(ref.inode), ref.sharedWithHost ? 'shared with host' : 'private']] : [];
  });
  const namespaces =
    nsRows.length > 0
      ? renderTable([{ header: 'TYPE' }, { header: 'INODE', align: 'right' }, { header: 'ISOLATION' }], nsRows)
      : '(not read: the container has no running process)';

  const paths = renderFields([
    ['Cgroup', optional(c.cgroupPath)],
    ['Container dir', optional(c.paths.containerDir)],
    ['Merged dir', optional(c.paths.mergedDir)],
    ['Upper dir', optional(c.paths.upperDir)],
    ['Work dir', optional(c.paths.workDir)],
  ]);

  const byPid = new Map(s.processes.map((p) => [p.pid, p]));
  const processes =
    c.processes.length > 0
      ? renderTable(
          [
            { header: 'HOST PID', align: 'right' },
            { header: 'CONTAINER PID', align: 'right' },
            { header: 'NAME' },
            { header: 'CPU%', align: 'right' },
            { header: 'RSS', align: 'right' },
            { header: 'COMMAND', maxWidth: 80 },
          ],
          c.processes.map((ref) => {
            const p = byPid.get(ref.hostPid);
            return [
              String(ref.hostPid),
              optional(ref.containerPid),
              ref.name,
              formatPercent(p?.cpuPercent),
              formatBytes(p?.rssBytes),
              p?.command ?? '-',
            ];
          }),
        )
      : '(none)';

  return [
    fields,
    // Absent when its *.pressure files are not there (no PSI, a stopped container) or were not read.
    ...(c.pressure
      ? [section('Pressure (PSI of its cgroup; STALL over the last interval)', printPressure(c.pressure))]
      : []),
    section('Labels', labelBlock),
    section('Namespaces', namespaces),
    section('Paths', paths),
    section(`Processes (host PID <-> PID inside the container)`, processes),
  ].join('\n\n');
}
