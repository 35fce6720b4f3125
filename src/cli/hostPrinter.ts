// Readable host summary: identity, load, CPU split, memory, pressure, disks, interfaces, container counts.
import type { ContainerCounts, Snapshot } from '../core/model';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../core/format';
import { renderFields, renderTable, section } from './table';
import { printPressure } from './pressurePrinter';

const COUNT_STATES: (keyof Omit<ContainerCounts, 'total'>)[] = [
  'running',
  'paused',
  'restarting',
  'exited',
  'created',
  'dead',
];

function describeContainerCounts(c: ContainerCounts): string {
  const parts = COUNT_STATES.filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return parts.length > 0 ? `${c.total} (${parts.join(', ')})` : String(c.total);
}

function describeDocker(s: Snapshot): string {
  const d = s.docker;
  if (!d.reachable) return `not reachable at ${d.socketPath}${d.reason ? `: ${d.reason}` : ''}`;
  const parts = [d.version ?? 'unknown version'];
  if (d.apiVersion) parts.push(`API ${d.apiVersion}`);
  if (d.rootDir) parts.push(`data root ${d.rootDir}`);
  return parts.join(', ');
}

export function printHost(s: Snapshot): string {
  const h = s.host;
  const m = h.memory;
  const cpu = h.cpuPercent
    ? `${formatPercent(h.cpuPercent.busy)} busy (user ${formatPercent(h.cpuPercent.user)}, system ${formatPercent(h.cpuPercent.system)}, ` +
      `iowait ${formatPercent(h.cpuPercent.iowait)}, steal ${formatPercent(h.cpuPercent.steal)}, idle ${formatPercent(h.cpuPercent.idle)})`
    : '- (needs two samples)';
  const memPercent = m.totalBytes > 0 ? (m.usedBytes / m.totalBytes) * 100 : null;
  const swap =
    m.swapTotalBytes > 0
      ? `${formatBytes(m.swapUsedBytes)} used of ${formatBytes(m.swapTotalBytes)} (${formatPercent((m.swapUsedBytes / m.swapTotalBytes) * 100)})`
      : 'none';
  const fields = renderFields([
    ['Target', s.target],
    ['Hostname', h.hostname],
    ['Kernel', h.kernel],
    ['OS', h.osRelease],
    ['Uptime', `${formatDuration(h.uptimeSeconds)} (booted ${new Date(h.bootTime * 1000).toISOString()})`],
    ['Load', `${h.loadAverage.map((n) => n.toFixed(2)).join(' ')} (1, 5, 15 min) on ${h.cpuCount} CPUs`],
    ['CPU', cpu],
    [
      'Memory',
      `${formatBytes(m.usedBytes)} used of ${formatBytes(m.totalBytes)} (${formatPercent(memPercent)}), ` +
        `${formatBytes(m.availableBytes)} available, ${formatBytes(m.freeBytes)} free, ` +
        `buffers ${formatBytes(m.buffersBytes)}, cache ${formatBytes(m.cachedBytes)}`,
    ],
    ['Swap', swap],
    ['Cgroups', `v${h.cgroupVersion}`],
    ['Docker', describeDocker(s)],
    ['Containers', describeContainerCounts(h.containerCounts)],
    ['Collected', `${s.collectedAt} in ${Math.round(s.durationMs)} ms`],
  ]);

  const disks = renderTable(
    [
      { header: 'ROLE' },
      { header: 'PATH' },
      { header: 'SIZE', align: 'right' },
      { header: 'USED', align: 'right' },
      { header: 'AVAIL', align: 'right' },
      { header: 'USE%', align: 'right' },
    ],
    h.disks.map((d) => [
      d.role,
      d.path,
      formatBytes(d.totalBytes),
      formatBytes(d.usedBytes),
      formatBytes(d.availableBytes),
      formatPercent(d.usedPercent),
    ]),
  );

  const interfaces = renderTable(
    [
      { header: 'NAME' },
      { header: 'KIND' },
      { header: 'MASTER' },
      { header: 'STATE' },
      { header: 'IDX', align: 'right' },
      { header: 'PEER', align: 'right' },
      { header: 'MTU', align: 'right' },
      { header: 'RX/s', align: 'right' },
      { header: 'TX/s', align: 'right' },
      { header: 'RX', align: 'right' },
      { header: 'TX', align: 'right' },
    ],
    h.interfaces.map((i) => [
      i.name,
      i.kind,
      i.master ?? '-',
      i.operState ?? '-',
      i.ifindex === null ? '-' : String(i.ifindex),
      // The peer index only means something for a veth; elsewhere iflink equals ifindex.
      i.kind === 'veth' && i.iflink !== null ? String(i.iflink) : '-',
      i.mtu === null ? '-' : String(i.mtu),
      formatRate(i.rxBytesPerSec),
      formatRate(i.txBytesPerSec),
      formatBytes(i.rxBytes),
      formatBytes(i.txBytes),
    ]),
  );

  const pressure = h.pressure
    ? printPressure(h.pressure)
    : 'not available: no /proc/pressure on this kernel (CONFIG_PSI off, or booted with psi=0)';
  return [
    fields,
    section('Pressure (PSI: share of time tasks stalled; STALL over the last interval)', pressure),
    section('Disks', disks),
    section('Interfaces', interfaces),
  ].join('\n\n');
}
