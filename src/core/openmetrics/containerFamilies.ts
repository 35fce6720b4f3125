// Each running container's series under cAdvisor's names and labels (`id` the cgroup path, `name`, `image`), so
// that a cAdvisor dashboard reads them. A figure the refresh did not read (null) is left out, never written as 0.
import type { ContainerInfo } from '../model';
import type { FamilySet, Labels } from './exposition';

type Get = (c: ContainerInfo) => number | null;

const ns = (v: number | null): number | null => (v === null ? null : v / 1e9);

/** Counters, cAdvisor's name without `_total`. */
const COUNTERS: Array<[name: string, help: string, get: Get]> = [
  ['container_cpu_usage_seconds', 'Cumulative cpu time consumed in seconds.', (c) => ns(c.cpu.usageNs)],
  ['container_cpu_cfs_periods', 'Number of elapsed enforcement period intervals.', (c) => c.cpu.periods],
  ['container_cpu_cfs_throttled_periods', 'Number of throttled period intervals.', (c) => c.cpu.throttledPeriods],
  [
    'container_cpu_cfs_throttled_seconds',
    'Total time duration the container has been throttled.',
    (c) => ns(c.cpu.throttledNs),
  ],
  ['container_fs_reads_bytes', 'Cumulative count of bytes read.', (c) => c.blockIo.readBytes],
  ['container_fs_writes_bytes', 'Cumulative count of bytes written.', (c) => c.blockIo.writeBytes],
  ['container_oom_events', 'Count of out of memory events observed for the container.', (c) => c.memory.oomKills],
];

const GAUGES: Array<[name: string, help: string, get: Get]> = [
  [
    'container_memory_working_set_bytes',
    'Current working set in bytes (usage minus inactive file cache).',
    (c) => c.memory.usageBytes,
  ],
  [
    'container_memory_usage_bytes',
    'Current memory usage in bytes, including all memory regardless of when it was accessed.',
    (c) => c.memory.rawUsageBytes,
  ],
  ['container_memory_rss', 'Size of RSS in bytes.', (c) => c.memory.rssBytes],
  ['container_memory_cache', 'Number of bytes of page cache memory.', (c) => c.memory.cacheBytes],
  ['container_memory_swap', 'Container swap usage in bytes.', (c) => c.memory.swapBytes],
  ['container_memory_failcnt', 'Number of memory usage hits limits.', (c) => c.memory.failCount],
  // cAdvisor writes 0 for "no limit"; so do we, so that its dashboards' `> 0` filters keep working.
  ['container_spec_memory_limit_bytes', 'Memory limit for the container.', (c) => c.memory.limitBytes ?? 0],
  ['container_spec_cpu_quota', 'CPU quota of the container.', (c) => c.cpu.quotaUs ?? 0],
  ['container_spec_cpu_period', 'CPU period of the container.', (c) => c.cpu.periodUs],
  // cgroup v1's cpu.shares only: v2's cpu.weight is on another scale (1 to 10000), and is left out.
  ['container_spec_cpu_shares', 'CPU share of the container.', (c) => c.cpu.shares],
  ['container_processes', 'Number of processes running inside the container.', (c) => c.pids.current],
  ['container_spec_pids_limit', 'Pids limit of the container (0: none).', (c) => c.pids.limit ?? 0],
  [
    'container_start_time_seconds',
    'Start time of the container since unix epoch in seconds.',
    (c) => (c.startedAt ? Date.parse(c.startedAt) / 1000 || null : null),
  ],
];

const PRESSURE: Array<[resource: 'cpu' | 'memory' | 'io', line: 'some' | 'full', name: string]> = [
  ['cpu', 'some', 'container_pressure_cpu_waiting_seconds'],
  ['cpu', 'full', 'container_pressure_cpu_stalled_seconds'],
  ['memory', 'some', 'container_pressure_memory_waiting_seconds'],
  ['memory', 'full', 'container_pressure_memory_stalled_seconds'],
  ['io', 'some', 'container_pressure_io_waiting_seconds'],
  ['io', 'full', 'container_pressure_io_stalled_seconds'],
];

/** cAdvisor's `id`: the container's cgroup path (as /docker/<id> where the collector did not read it). */
function cadvisorLabels(target: Labels, c: ContainerInfo): Labels {
  return [...target, ['id', c.cgroupPath ?? `/docker/${c.id}`], ['image', c.image], ['name', c.name]];
}

/** The series of the running containers (cAdvisor reports no others); `seenAt` is the refresh's time in seconds. */
export function addContainers(set: FamilySet, target: Labels, containers: ContainerInfo[], seenAt: number): void {
  const counters = COUNTERS.map(([name, help, get]) => [set.family(name, 'counter', help), get] as const);
  const gauges = GAUGES.map(([name, help, get]) => [set.family(name, 'gauge', help), get] as const);
  const rx = set.family('container_network_receive_bytes', 'counter', 'Cumulative count of bytes received.');
  const tx = set.family('container_network_transmit_bytes', 'counter', 'Cumulative count of bytes transmitted.');
  const rxp = set.family('container_network_receive_packets', 'counter', 'Cumulative count of packets received.');
  const txp = set.family('container_network_transmit_packets', 'counter', 'Cumulative count of packets transmitted.');
  const lastSeen = set.family('container_last_seen', 'gauge', 'Last time a container was seen by the exporter.');
  const pressure = PRESSURE.map(
    ([resource, line, name]) =>
      [set.family(name, 'counter', `Total time in seconds (PSI ${resource} ${line}).`), resource, line] as const,
  );
  for (const c of containers) {
    if (c.state !== 'running') continue;
    const labels = cadvisorLabels(target, c);
    for (const [add, get] of counters) add(labels, get(c));
    for (const [add, get] of gauges) add(labels, get(c));
    lastSeen(labels, seenAt);
    // Host networking has no interface of its own: its traffic is the host's.
    if (c.network.containerInterface) {
      const net: Labels = [...labels, ['interface', c.network.containerInterface]];
      rx(net, c.network.rxBytes);
      tx(net, c.network.txBytes);
      rxp(net, c.network.rxPackets);
      txp(net, c.network.txPackets);
    }
    for (const [add, resource, line] of pressure) {
      const l = c.pressure?.[resource]?.[line];
      if (l) add(labels, l.totalUs / 1e6);
    }
  }
}
