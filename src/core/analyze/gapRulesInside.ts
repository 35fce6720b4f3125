// Gap rules on what a process inside a container sees against what its cgroup is charged and limited to: RSS
// against the cgroup's figure, /proc/meminfo and /proc/cpuinfo showing the host, PIDs that differ inside.
import { formatBytes, formatPercent } from '../format';
import { containerProcesses } from './correlate';
import { containerSubject, cpusetSize, finding, nameOf, running } from './gapFinding';
import type { Evidence, GapRule } from './gapFinding';

const RSS_GAP_RATIO = 0.2;
const RSS_GAP_BYTES = 4 * 1024 * 1024;

export const rssVsCgroup: GapRule = (s) =>
  running(s).flatMap((c) => {
    const procs = containerProcesses(s, c);
    const cgroup = c.memory.usageBytes;
    if (procs.length === 0 || cgroup === null) return [];
    const rss = procs.reduce((sum, p) => sum + p.rssBytes, 0);
    const diff = rss - cgroup;
    if (Math.abs(diff) <= RSS_GAP_BYTES || Math.abs(diff) <= RSS_GAP_RATIO * cgroup) return [];
    const evidence: Evidence = {
      rssSumBytes: rss,
      cgroupUsageBytes: cgroup,
      differenceBytes: diff,
      processes: procs.length,
      limitBytes: c.memory.limitBytes,
    };
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
        {
          mappedProcesses: mapped.length,
          processes: c.processes.length,
          exampleHostPid: ex.hostPid,
          exampleContainerPid: ex.containerPid,
        },
      ),
    ];
  });
