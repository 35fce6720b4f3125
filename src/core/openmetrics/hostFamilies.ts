// The host's series under node_exporter's names, so that a Node Exporter dashboard reads them. Differences are
// stated in docs/openmetrics.md: CPU seconds are the whole machine's (`cpu="all"`), not one series per CPU.
import type { HostInfo, Pressure } from '../model';
import type { FamilySet, Labels } from './exposition';

const MEMORY: Array<[name: string, help: string, value: (m: HostInfo['memory']) => number]> = [
  ['MemTotal', 'Memory information field MemTotal_bytes.', (m) => m.totalBytes],
  ['MemAvailable', 'Memory information field MemAvailable_bytes.', (m) => m.availableBytes],
  ['MemFree', 'Memory information field MemFree_bytes.', (m) => m.freeBytes],
  ['Buffers', 'Memory information field Buffers_bytes.', (m) => m.buffersBytes],
  ['Cached', 'Memory information field Cached_bytes.', (m) => m.cachedBytes],
  ['SwapTotal', 'Memory information field SwapTotal_bytes.', (m) => m.swapTotalBytes],
  ['SwapFree', 'Memory information field SwapFree_bytes.', (m) => m.swapFreeBytes],
];

const PRESSURE: Array<[resource: 'cpu' | 'memory' | 'io', line: 'some' | 'full', name: string, help: string]> = [
  ['cpu', 'some', 'node_pressure_cpu_waiting_seconds', 'Total time in seconds that processes have waited for CPU time'],
  ['cpu', 'full', 'node_pressure_cpu_stalled_seconds', 'Total time in seconds no process could make progress'],
  [
    'memory',
    'some',
    'node_pressure_memory_waiting_seconds',
    'Total time in seconds that processes have waited for memory',
  ],
  [
    'memory',
    'full',
    'node_pressure_memory_stalled_seconds',
    'Total time in seconds no process could make progress due to memory congestion',
  ],
  [
    'io',
    'some',
    'node_pressure_io_waiting_seconds',
    'Total time in seconds that processes have waited due to IO congestion',
  ],
  [
    'io',
    'full',
    'node_pressure_io_stalled_seconds',
    'Total time in seconds no process could make progress due to IO congestion',
  ],
];

export function addHost(set: FamilySet, target: Labels, host: HostInfo): void {
  const cpu = set.family('node_cpu_seconds', 'counter', 'Seconds the CPUs spent in each mode (all CPUs together).');
  const hz = host.clockTicks > 0 ? host.clockTicks : 100;
  for (const [mode, ticks] of Object.entries(host.cpuTimes))
    cpu([...target, ['cpu', 'all'], ['mode', mode]], ticks / hz);
  set.family('node_cpus', 'gauge', 'Number of CPUs the host has online.')(target, host.cpuCount);
  for (const [field, help, value] of MEMORY)
    set.family(`node_memory_${field}_bytes`, 'gauge', help)(target, value(host.memory));
  const loads = ['node_load1', 'node_load5', 'node_load15'] as const;
  loads.forEach((name, i) => set.family(name, 'gauge', `${name.slice(9)}m load average.`)(target, host.loadAverage[i]));
  set.family('node_boot_time_seconds', 'gauge', 'Node boot time, in unixtime.')(target, host.bootTime);

  const avail = set.family(
    'node_filesystem_avail_bytes',
    'gauge',
    'Filesystem space available to non-root users in bytes.',
  );
  const size = set.family('node_filesystem_size_bytes', 'gauge', 'Filesystem size in bytes.');
  for (const d of host.disks) {
    const labels: Labels = [...target, ['mountpoint', d.path], ['role', d.role]];
    avail(labels, d.availableBytes);
    size(labels, d.totalBytes);
  }

  const rx = set.family('node_network_receive_bytes', 'counter', 'Network device statistic receive_bytes.');
  const tx = set.family('node_network_transmit_bytes', 'counter', 'Network device statistic transmit_bytes.');
  const rxp = set.family('node_network_receive_packets', 'counter', 'Network device statistic receive_packets.');
  const txp = set.family('node_network_transmit_packets', 'counter', 'Network device statistic transmit_packets.');
  for (const i of host.interfaces) {
    const labels: Labels = [...target, ['device', i.name]];
    rx(labels, i.rxBytes);
    tx(labels, i.txBytes);
    rxp(labels, i.rxPackets);
    txp(labels, i.txPackets);
  }

  const p = host.pressure;
  if (!p) return;
  for (const [resource, line, name, help] of PRESSURE) {
    const r: Pressure | null = p[resource];
    const l = r ? r[line] : null;
    if (l) set.family(name, 'counter', help)(target, l.totalUs / 1e6);
  }
}
