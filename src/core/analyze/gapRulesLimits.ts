// Gap rules on limits and pressure: a container without a memory, PID or CPU limit may take the host's, and one
// near or at its limit is reclaimed, throttled, refused forks or OOM-killed.
import type { ContainerInfo } from '../model';
import { formatBytes, formatPercent } from '../format';
import { containerSubject, cpusetSize, finding, nameOf, running } from './gapFinding';
import type { Evidence, GapRule } from './gapFinding';

const MEMORY_WARNING_PERCENT = 90;
const MEMORY_CRITICAL_PERCENT = 98;
const THROTTLED_WARNING_PERCENT = 10;
const PIDS_WARNING_PERCENT = 90;

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
        {
          limitBytes: null,
          usageBytes: c.memory.usageBytes,
          hostTotalBytes: s.host.memory.totalBytes,
          hostAvailableBytes: s.host.memory.availableBytes,
        },
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
      const scope =
        set !== null && set < s.host.cpuCount
          ? `its cpuset ${c.cpu.cpuset} (${set} CPUs)`
          : `all ${s.host.cpuCount} host CPUs`;
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
