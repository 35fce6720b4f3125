// Gap rules on PSI: a container's stall figures that its own limits do not explain, so the cause is on the host
// level (memory short for everyone, CPUs busy with other work). Silent where a container's *.pressure is not read.
import type { ContainerInfo } from '../model';
import { formatBytes, formatPercent } from '../format';
import { containerSubject, finding, nameOf, running } from './gapFinding';
import type { GapRule } from './gapFinding';

/** memory.pressure `some avg60` from which a container's tasks lose a noticeable share of the minute to memory. */
const MEMORY_PRESSURE_PERCENT = 10;
/** Below this share of its limit a container is not being reclaimed for its own sake. */
const FAR_BELOW_LIMIT_PERCENT = 80;
/** cpu.pressure `some avg60` from which waiting for a CPU costs a noticeable share of the minute. */
const CPU_PRESSURE_PERCENT = 10;
/** Throttled in fewer than this share of periods over the minute: the quota is not what holds it back. */
const NOT_THROTTLED_PERCENT = 1;

function usagePercent(c: ContainerInfo): number | null {
  const { usageBytes, limitBytes, percent } = c.memory;
  if (percent !== null) return percent;
  return usageBytes !== null && limitBytes !== null && limitBytes > 0 ? (usageBytes / limitBytes) * 100 : null;
}

/** Memory stalls while the container is far from its own limit (or has none): the host is short of memory. */
export const memoryPressureBelowLimit: GapRule = (s) =>
  running(s).flatMap((c) => {
    const psi = c.pressure?.memory;
    if (!psi || psi.some.avg60 < MEMORY_PRESSURE_PERCENT) return [];
    const pct = c.memory.limitBytes === null ? null : usagePercent(c);
    if (c.memory.limitBytes !== null && (pct === null || pct >= FAR_BELOW_LIMIT_PERCENT)) return [];
    const where =
      pct === null
        ? 'it has no memory limit'
        : `it uses ${formatBytes(c.memory.usageBytes)} of its ${formatBytes(c.memory.limitBytes)} limit (${formatPercent(pct)})`;
    const host = s.host.pressure?.memory;
    return [
      finding(
        'memory-pressure-below-limit',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)}'s tasks were stalled waiting for memory ${formatPercent(psi.some.avg60)} of the last minute ` +
          `(memory.pressure some avg60), yet ${where}: its own limit is not what reclaims it. The kernel is ` +
          `reclaiming for the whole host (${formatBytes(s.host.memory.availableBytes)} available` +
          (host ? `, host memory pressure ${formatPercent(host.some.avg60)}` : '') +
          `), so its page cache and anonymous pages are evicted and faulted back in. Give the host memory, limit ` +
          `the containers that take it (docker update --memory), or reserve this one's working set ` +
          `(--memory-reservation; memory.low on cgroup v2).`,
        {
          memorySomeAvg60: psi.some.avg60,
          memoryFullAvg60: psi.full?.avg60 ?? null,
          usageBytes: c.memory.usageBytes,
          limitBytes: c.memory.limitBytes,
          usagePercent: pct,
          hostAvailableBytes: s.host.memory.availableBytes,
          hostMemorySomeAvg60: host?.some.avg60 ?? null,
        },
      ),
    ];
  });

/** Runnable tasks waiting for a CPU while the quota did not throttle them: other work holds the CPUs. */
export const cpuPressureNotThrottled: GapRule = (s) =>
  running(s).flatMap((c) => {
    const psi = c.pressure?.cpu;
    if (!psi || psi.some.avg60 < CPU_PRESSURE_PERCENT) return [];
    // With a quota, throttling must be known to be absent (two samples); without one it cannot happen. avg60 is
    // of the last minute, so is the throttling that would explain it: the last interval alone can miss it all.
    const minute = c.cpu.throttledWindow;
    const throttled = c.cpu.quotaUs === null ? 0 : (minute?.percent ?? c.cpu.throttledPercent);
    if (throttled === null || throttled >= NOT_THROTTLED_PERCENT) return [];
    const over = minute ? `the last ${Math.round(minute.seconds)} s` : 'the last interval';
    return [
      finding(
        'cpu-pressure-not-throttled',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)}'s runnable tasks waited for a CPU ${formatPercent(psi.some.avg60)} of the last minute ` +
          `(cpu.pressure some avg60) while its CPU quota ` +
          (c.cpu.quotaUs === null
            ? 'did not exist'
            : `throttled it in ${formatPercent(throttled)} of periods over ${over}`) +
          `: the CPUs ${c.cpu.cpuset === null ? '' : `of its cpuset ${c.cpu.cpuset} `}were busy with other ` +
          `work (host CPU ${s.host.cpuPercent === null ? 'unknown' : `${formatPercent(s.host.cpuPercent.busy)} busy`}), ` +
          `or its own threads outnumber them. Find the neighbours that take the CPUs and give them a quota ` +
          `(--cpus), give this one a larger share (--cpu-shares, cpu.weight on v2) or its own CPUs (--cpuset-cpus).`,
        {
          cpuSomeAvg60: psi.some.avg60,
          throttledPercent: c.cpu.throttledPercent,
          throttledWindowPercent: minute?.percent ?? null,
          throttledWindowSeconds: minute?.seconds ?? null,
          limitCpus: c.cpu.limitCpus,
          cpuset: c.cpu.cpuset,
          hostCpuBusyPercent: s.host.cpuPercent?.busy ?? null,
        },
      ),
    ];
  });
