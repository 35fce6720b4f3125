// Gap rules on the state of the containers, the Docker engine and the host: restart loops, failing health checks,
// processes in a cgroup Docker does not list, an unreachable API, cgroup v2's missing per-CPU figures, full disks.
import { formatBytes, formatPercent } from '../format';
import { shortId } from '../identity';
import { containerSubject, finding, hostSubject, nameOf } from './gapFinding';
import type { GapRule } from './gapFinding';

const RESTART_LOOP_COUNT = 3;
const DISK_WARNING_PERCENT = 90;
const DISK_CRITICAL_PERCENT = 98;

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
    const list = procs
      .slice(0, 5)
      .map((p) => `${p.pid} ${p.name}`)
      .join(', ');
    return finding(
      'unmapped-process',
      'cross-level',
      'warning',
      { kind: 'container', id, name: shortId(id) },
      `${procs.length} process(es) (${list}${procs.length > 5 ? ', ...' : ''}) run in the cgroup of container ${shortId(id)}, ` +
        `which the Docker API does not list (runtime ${runtime}: another engine, or a container being removed)`,
      {
        containerId: id,
        processes: procs.length,
        pids: procs.map((p) => p.pid).join(','),
        cgroupPath: procs[0].cgroupPath,
        runtime,
      },
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
          {
            reachable: false,
            reason: s.docker.reason,
            socketPath: s.docker.socketPath,
            containersFromCgroups: s.containers.length,
          },
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
        {
          path: paths.join(','),
          usedBytes: d.usedBytes,
          totalBytes: d.totalBytes,
          availableBytes: d.availableBytes,
          usedPercent: d.usedPercent,
        },
      );
    });
};
