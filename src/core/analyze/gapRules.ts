// Gap rules: each looks at one kind of mismatch between the process, container and host levels and
// reports it with the snapshot's own numbers. A rule never throws; missing figures make it stay silent.
import type { ContainerInfo, Finding, FindingLevel, Severity, Snapshot } from '../model';
import { formatBytes, formatPercent } from '../format';
import { containerProcesses } from './correlate';
import { shortId, containerLabel } from '../identity';

export type GapRule = (s: Snapshot) => Finding[];

const MEMORY_WARNING_PERCENT = 90;
const MEMORY_CRITICAL_PERCENT = 98;
const THROTTLED_WARNING_PERCENT = 10;
const RSS_GAP_RATIO = 0.2;
const RSS_GAP_BYTES = 4 * 1024 * 1024;
const RESTART_LOOP_COUNT = 3;
const PIDS_WARNING_PERCENT = 90;
const DISK_WARNING_PERCENT = 90;
const DISK_CRITICAL_PERCENT = 98;

type Subject = Finding['subject'];
type Evidence = Finding['evidence'];

function finding(
  rule: string,
  level: FindingLevel,
  severity: Severity,
  subject: Subject,
  message: string,
  evidence: Evidence,
): Finding {
  return { rule, level, severity, subject, message, evidence };
}

/** Containers found only from cgroups have no name: their short id stands in. */
function nameOf(c: ContainerInfo): string {
  return containerLabel(c);
}

function containerSubject(c: ContainerInfo): Subject {
  return { kind: 'container', id: c.id, name: nameOf(c) };
}

function hostSubject(s: Snapshot): Subject {
  return { kind: 'host', id: s.target, name: s.host.hostname || s.target };
}

const running = (s: Snapshot): ContainerInfo[] => s.containers.filter((c) => c.state === 'running');

function usesHostNetwork(c: ContainerInfo): boolean {
  return c.network.mode === 'host' || c.namespaces.net?.sharedWithHost === true;
}

/** On a bridge or user network of its own (not host, none, another container's namespace, or unknown). */
function isBridged(c: ContainerInfo): boolean {
  const m = c.network.mode;
  return !usesHostNetwork(c) && m !== 'none' && m !== 'unknown' && !m.startsWith('container:');
}

/** Number of CPUs in a cpuset list such as "0-3,6"; null when it cannot be read. */
export function cpusetSize(list: string | null): number | null {
  if (!list || !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list.trim())) return null;
  let n = 0;
  for (const part of list.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b >= a ? b - a + 1 : 0;
  }
  return n;
}

function memoryPercent(c: ContainerInfo): number | null {
  const { usageBytes, limitBytes, percent } = c.memory;
  if (percent !== null) return percent;
  return usageBytes !== null && limitBytes !== null && limitBytes > 0 ? (usageBytes / limitBytes) * 100 : null;
}

export const noMemoryLimit: GapRule = (s) =>
  running(s)
    .filter((c) => c.memory.limitBytes === null)
    .map((c) =>
      finding(
        'no-memory-limit',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)} has no memory limit: it may take all ${formatBytes(s.host.memory.totalBytes)} of host memory ` +
          `(${formatBytes(s.host.memory.availableBytes)} available now; it uses ${formatBytes(c.memory.usageBytes)})`,
        { limitBytes: null, usageBytes: c.memory.usageBytes, hostTotalBytes: s.host.memory.totalBytes, hostAvailableBytes: s.host.memory.availableBytes },
      ),
    );

export const noPidsLimit: GapRule = (s) =>
  running(s)
    .filter((c) => c.pids.limit === null)
    .map((c) =>
      finding(
        'no-pids-limit',
        'container-host',
        'info',
        containerSubject(c),
        `${nameOf(c)} has no PID limit: a fork bomb inside can exhaust the host's PIDs (${c.pids.current ?? 'unknown'} task(s) now)`,
        { pidsLimit: null, pidsCurrent: c.pids.current },
      ),
    );

export const noCpuLimit: GapRule = (s) =>
  running(s)
    .filter((c) => c.cpu.limitCpus === null)
    .map((c) => {
      const set = cpusetSize(c.cpu.cpuset);
      const scope = set !== null && set < s.host.cpuCount ? `its cpuset ${c.cpu.cpuset} (${set} CPUs)` : `all ${s.host.cpuCount} host CPUs`;
      return finding(
        'no-cpu-limit',
        'container-host',
        'info',
        containerSubject(c),
        `${nameOf(c)} has no CPU quota: it may use ${scope}` +
          (c.cpu.percent === null ? '' : ` (${formatPercent(c.cpu.percent)} of one CPU now)`),
        { limitCpus: null, cpuset: c.cpu.cpuset, hostCpuCount: s.host.cpuCount, cpuPercent: c.cpu.percent },
      );
    });

export const hostNetwork: GapRule = (s) =>
  s.containers.filter(usesHostNetwork).map((c) =>
    finding(
      'host-network',
      'container-host',
      'warning',
      containerSubject(c),
      `${nameOf(c)} shares the host's network namespace (mode ${c.network.mode}): it can bind any host port and use ` +
        `all ${s.host.interfaces.length} host interface(s), and its traffic cannot be told apart from the host's`,
      {
        networkMode: c.network.mode,
        netNamespace: c.namespaces.net?.inode ?? null,
        hostNetNamespace: s.host.namespaces.net ?? null,
        hostInterfaces: s.host.interfaces.length,
      },
    ),
  );

export const hostPidNamespace: GapRule = (s) =>
  s.containers
    .filter((c) => c.pidMode === 'host' || c.namespaces.pid?.sharedWithHost === true)
    .map((c) =>
      finding(
        'host-pid-namespace',
        'container-host',
        'critical',
        containerSubject(c),
        `${nameOf(c)} shares the host's PID namespace: it sees all ${s.processes.length} host processes and, as root, can signal or ptrace them`,
        { pidMode: c.pidMode, pidNamespace: c.namespaces.pid?.inode ?? null, hostPidNamespace: s.host.namespaces.pid ?? null, hostProcesses: s.processes.length },
      ),
    );

export const privileged: GapRule = (s) =>
  s.containers
    .filter((c) => c.privileged === true)
    .map((c) =>
      finding(
        'privileged',
        'container-host',
        'critical',
        containerSubject(c),
        `${nameOf(c)} is privileged: every capability and host device, no seccomp or AppArmor confinement; root inside is root on ${s.host.hostname}`,
        { privileged: true, state: c.state },
      ),
    );

export const memoryNearLimit: GapRule = (s) =>
  running(s).flatMap((c) => {
    const pct = memoryPercent(c);
    if (pct === null || pct < MEMORY_WARNING_PERCENT) return [];
    return [
      finding(
        'memory-near-limit',
        'container-host',
        pct >= MEMORY_CRITICAL_PERCENT ? 'critical' : 'warning',
        containerSubject(c),
        `${nameOf(c)} uses ${formatBytes(c.memory.usageBytes)} of its ${formatBytes(c.memory.limitBytes)} memory limit ` +
          `(${formatPercent(pct)}): the kernel reclaims and then OOM-kills at the limit`,
        { usageBytes: c.memory.usageBytes, limitBytes: c.memory.limitBytes, percent: pct },
      ),
    ];
  });

export const oomKilled: GapRule = (s) =>
  s.containers
    .filter((c) => (c.memory.oomKills ?? 0) > 0)
    .map((c) =>
      finding(
        'oom-killed',
        'container-host',
        'critical',
        containerSubject(c),
        `the kernel OOM-killed ${c.memory.oomKills} process(es) in ${nameOf(c)} ` +
          `(limit ${c.memory.limitBytes === null ? 'none' : formatBytes(c.memory.limitBytes)}, ${formatBytes(c.memory.usageBytes)} in use now)`,
        { oomKills: c.memory.oomKills, limitBytes: c.memory.limitBytes, usageBytes: c.memory.usageBytes },
      ),
    );

export const memoryFailCount: GapRule = (s) =>
  running(s)
    .filter((c) => c.memory.limitBytes !== null && (c.memory.failCount ?? 0) > 0 && !((c.memory.oomKills ?? 0) > 0))
    .map((c) =>
      finding(
        'memory-limit-hit',
        'container-host',
        'info',
        containerSubject(c),
        `${nameOf(c)} reached its ${formatBytes(c.memory.limitBytes)} memory limit ${c.memory.failCount} time(s): the kernel reclaimed its cache to stay under it`,
        { failCount: c.memory.failCount, limitBytes: c.memory.limitBytes, usageBytes: c.memory.usageBytes },
      ),
    );

export const cpuThrottled: GapRule = (s) =>
  running(s).flatMap((c) => {
    const { throttledPercent, throttledPeriods, periods, throttledNs, limitCpus } = c.cpu;
    const evidence: Evidence = { throttledPercent, throttledPeriods, periods, throttledNs, limitCpus };
    const limit = limitCpus === null ? '' : ` by its ${limitCpus} CPU limit`;
    if (throttledPercent !== null) {
      if (throttledPercent < THROTTLED_WARNING_PERCENT) return [];
      return [
        finding(
          'cpu-throttled',
          'container-host',
          'warning',
          containerSubject(c),
          `${nameOf(c)} was throttled${limit} in ${formatPercent(throttledPercent)} of CPU periods over the last interval`,
          evidence,
        ),
      ];
    }
    // One sample: only the cumulative counters since the container started are known.
    if (throttledPeriods === null || throttledPeriods <= 0) return [];
    const seconds = throttledNs === null ? '' : `, ${(throttledNs / 1e9).toFixed(1)} s in total`;
    return [
      finding(
        'cpu-throttled',
        'container-host',
        'info',
        containerSubject(c),
        `${nameOf(c)} has been throttled${limit} in ${throttledPeriods} of ${periods ?? 'unknown'} CPU periods since it started${seconds}`,
        evidence,
      ),
    ];
  });

export const pidsNearLimit: GapRule = (s) =>
  running(s).flatMap((c) => {
    const { current, limit } = c.pids;
    if (current === null || limit === null || limit <= 0) return [];
    const pct = (current / limit) * 100;
    if (pct < PIDS_WARNING_PERCENT) return [];
    return [
      finding(
        'pids-near-limit',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)} runs ${current} of its ${limit} allowed tasks (${formatPercent(pct)}): fork() fails at the limit`,
        { pidsCurrent: current, pidsLimit: limit, percent: pct },
      ),
    ];
  });

export const rssVsCgroup: GapRule = (s) =>
  running(s).flatMap((c) => {
    const procs = containerProcesses(s, c);
    const cgroup = c.memory.usageBytes;
    if (procs.length === 0 || cgroup === null) return [];
    const rss = procs.reduce((sum, p) => sum + p.rssBytes, 0);
    const diff = rss - cgroup;
    if (Math.abs(diff) <= RSS_GAP_BYTES || Math.abs(diff) <= RSS_GAP_RATIO * cgroup) return [];
    const evidence: Evidence = { rssSumBytes: rss, cgroupUsageBytes: cgroup, differenceBytes: diff, processes: procs.length, limitBytes: c.memory.limitBytes };
    const by = cgroup > 0 ? ` (${formatPercent((Math.abs(diff) / cgroup) * 100, 0)} of the cgroup figure)` : '';
    if (diff > 0) {
      return [
        finding(
          'rss-vs-cgroup',
          'process-container',
          'info',
          containerSubject(c),
          `the RSS of ${nameOf(c)}'s ${procs.length} process(es) adds up to ${formatBytes(rss)}, ${formatBytes(diff)} more than ` +
            `the ${formatBytes(cgroup)} its cgroup is charged${by}: pages shared by several processes (the same binary and ` +
            `libraries) count once per process in RSS but once in the cgroup, or were charged to another cgroup`,
          evidence,
        ),
      ];
    }
    // Tools inside (ps, top) add up RSS; the OOM killer goes by the cgroup charge, which is higher here.
    return [
      finding(
        'rss-vs-cgroup',
        'process-container',
        c.memory.limitBytes === null ? 'info' : 'warning',
        containerSubject(c),
        `${nameOf(c)}'s cgroup is charged ${formatBytes(cgroup)}, ${formatBytes(-diff)} more than the ${formatBytes(rss)} RSS of its ` +
          `${procs.length} process(es)${by}: page cache, tmpfs files and kernel memory (sockets, page tables) are charged to ` +
          `the cgroup but belong to no process's RSS` +
          (c.memory.limitBytes === null ? '' : `, and count against its ${formatBytes(c.memory.limitBytes)} limit`),
        evidence,
      ),
    ];
  });

export const procMeminfoShowsHost: GapRule = (s) =>
  running(s)
    .filter((c) => c.memory.limitBytes !== null && c.memory.limitBytes < s.host.memory.totalBytes)
    .map((c) =>
      finding(
        'proc-meminfo-shows-host',
        'process-container',
        'warning',
        containerSubject(c),
        `tools inside ${nameOf(c)} (free, top, runtimes sizing their heap) read /proc/meminfo and see the host's ` +
          `${formatBytes(s.host.memory.totalBytes)}, but the container's limit is ${formatBytes(c.memory.limitBytes)}`,
        { limitBytes: c.memory.limitBytes, hostTotalBytes: s.host.memory.totalBytes },
      ),
    );

export const procCpuinfoShowsHost: GapRule = (s) =>
  running(s).flatMap((c) => {
    const set = cpusetSize(c.cpu.cpuset);
    const quota = c.cpu.limitCpus;
    const effective = Math.min(quota ?? Infinity, set ?? Infinity);
    if (!(effective < s.host.cpuCount)) return [];
    const limits = [
      quota !== null && quota < s.host.cpuCount ? `a quota of ${quota} CPU` : null,
      set !== null && set < s.host.cpuCount ? `cpuset ${c.cpu.cpuset} (${set} CPUs)` : null,
    ].filter((x) => x !== null);
    return [
      finding(
        'proc-cpuinfo-shows-host',
        'process-container',
        'warning',
        containerSubject(c),
        `tools inside ${nameOf(c)} read /proc/cpuinfo and see all ${s.host.cpuCount} host CPUs, but the container has ` +
          `${limits.join(' and ')}: thread pools sized by CPU count oversubscribe it`,
        { limitCpus: quota, cpuset: c.cpu.cpuset, cpusetCpus: set, hostCpuCount: s.host.cpuCount },
      ),
    ];
  });

export const pidMapping: GapRule = (s) =>
  running(s).flatMap((c) => {
    const mapped = c.processes.filter((p) => p.containerPid !== null && p.containerPid !== p.hostPid);
    if (mapped.length === 0) return [];
    const ex = mapped.reduce((a, b) => ((b.containerPid ?? 0) < (a.containerPid ?? 0) ? b : a));
    return [
      finding(
        'pid-mapping',
        'process-container',
        'info',
        containerSubject(c),
        `${mapped.length} of ${c.processes.length} process(es) in ${nameOf(c)} have a different PID inside than on the host ` +
          `(host PID ${ex.hostPid} is PID ${ex.containerPid} inside): PIDs seen by ps and logs inside name other processes, or none, on the host`,
        { mappedProcesses: mapped.length, processes: c.processes.length, exampleHostPid: ex.hostPid, exampleContainerPid: ex.containerPid },
      ),
    ];
  });

export const vethUnpaired: GapRule = (s) =>
  running(s)
    .filter((c) => isBridged(c) && c.network.hostVeth === null)
    .map((c) => {
      const n = c.network;
      const why =
        n.containerIflink === null
          ? `the iflink of its interface could not be read`
          : `no host interface has ifindex ${n.containerIflink} (the iflink of its ${n.containerInterface ?? 'interface'})`;
      return finding(
        'veth-unpaired',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)} is on network ${n.mode} but its host-side veth was not found: ${why}`,
        { networkMode: n.mode, containerInterface: n.containerInterface, containerIflink: n.containerIflink, ipAddress: n.ipAddress },
      );
    });

export const restartLoop: GapRule = (s) =>
  s.containers
    .filter((c) => (c.restartCount ?? 0) >= RESTART_LOOP_COUNT)
    .map((c) =>
      finding(
        'restart-loop',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)} has been restarted ${c.restartCount} times (state ${c.state}, last start ${c.startedAt ?? 'unknown'})`,
        { restartCount: c.restartCount, state: c.state, startedAt: c.startedAt },
      ),
    );

export const unhealthy: GapRule = (s) =>
  s.containers
    .filter((c) => c.health === 'unhealthy')
    .map((c) =>
      finding(
        'unhealthy',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)} fails its health check (status: ${c.status})`,
        { health: c.health, status: c.status },
      ),
    );

export const unmappedProcess: GapRule = (s) => {
  if (!s.docker.reachable) return [];
  const known = new Set(s.containers.filter((c) => c.source === 'docker-api').map((c) => c.id));
  const orphans = new Map<string, typeof s.processes>();
  for (const p of s.processes) {
    if (p.containerId === null || known.has(p.containerId)) continue;
    orphans.set(p.containerId, [...(orphans.get(p.containerId) ?? []), p]);
  }
  return [...orphans].map(([id, procs]) => {
    const runtime = s.containers.find((c) => c.id === id)?.runtime ?? 'unknown';
    const list = procs.slice(0, 5).map((p) => `${p.pid} ${p.name}`).join(', ');
    return finding(
      'unmapped-process',
      'cross-level',
      'warning',
      { kind: 'container', id, name: shortId(id) },
      `${procs.length} process(es) (${list}${procs.length > 5 ? ', ...' : ''}) run in the cgroup of container ${shortId(id)}, ` +
        `which the Docker API does not list (runtime ${runtime}: another engine, or a container being removed)`,
      { containerId: id, processes: procs.length, pids: procs.map((p) => p.pid).join(','), cgroupPath: procs[0].cgroupPath, runtime },
    );
  });
};

export const dockerApiUnreachable: GapRule = (s) =>
  s.docker.reachable
    ? []
    : [
        finding(
          'docker-api-unreachable',
          'cross-level',
          'warning',
          hostSubject(s),
          `the Docker API at ${s.docker.socketPath} is unreachable (${s.docker.reason ?? 'no reason given'}): ` +
            `${s.containers.length} container(s) are known only from cgroups, without names, images or state`,
          { reachable: false, reason: s.docker.reason, socketPath: s.docker.socketPath, containersFromCgroups: s.containers.length },
        ),
      ];

export const cgroupV2NoPerCpu: GapRule = (s) =>
  s.host.cgroupVersion === 2
    ? [
        finding(
          'cgroup-v2-no-percpu',
          'container-host',
          'info',
          hostSubject(s),
          `${s.host.hostname} uses cgroup v2: container CPU usage is a total (cpu.stat usage_usec), per-CPU usage ` +
            `is not available for its ${s.containers.length} container(s) on ${s.host.cpuCount} CPUs`,
          { cgroupVersion: 2, containers: s.containers.length, hostCpuCount: s.host.cpuCount },
        ),
      ]
    : [];

export const diskNearFull: GapRule = (s) => {
  // The root and Docker data paths often sit on one filesystem: report it once.
  const seen = new Map<string, string[]>();
  const disks = s.host.disks.filter((d) => {
    const key = `${d.totalBytes}/${d.usedBytes}/${d.availableBytes}`;
    const paths = seen.get(key);
    seen.set(key, [...(paths ?? []), d.path]);
    return paths === undefined;
  });
  return disks
    .filter((d) => d.usedPercent >= DISK_WARNING_PERCENT)
    .map((d) => {
      const paths = seen.get(`${d.totalBytes}/${d.usedBytes}/${d.availableBytes}`) ?? [d.path];
      return finding(
        'disk-near-full',
        'container-host',
        d.usedPercent >= DISK_CRITICAL_PERCENT ? 'critical' : 'warning',
        hostSubject(s),
        `the filesystem of ${paths.join(' and ')} is ${formatPercent(d.usedPercent)} full (${formatBytes(d.availableBytes)} ` +
          `left of ${formatBytes(d.totalBytes)}): container writable layers, logs and images share it`,
        { path: paths.join(','), usedBytes: d.usedBytes, totalBytes: d.totalBytes, availableBytes: d.availableBytes, usedPercent: d.usedPercent },
      );
    });
};

/** Every rule, in no particular order: analyzeGaps sorts the result. */
export const GAP_RULES: readonly GapRule[] = [
  noMemoryLimit,
  noPidsLimit,
  noCpuLimit,
  hostNetwork,
  hostPidNamespace,
  privileged,
  memoryNearLimit,
  oomKilled,
  memoryFailCount,
  cpuThrottled,
  pidsNearLimit,
  rssVsCgroup,
  procMeminfoShowsHost,
  procCpuinfoShowsHost,
  pidMapping,
  vethUnpaired,
  restartLoop,
  unhealthy,
  unmappedProcess,
  dockerApiUnreachable,
  cgroupV2NoPerCpu,
  diskNearFull,
];
