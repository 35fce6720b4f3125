import { describe, expect, it } from 'vitest';
import { analyzeGaps, compareFindings } from '../../../src/core/analyze/gaps';
import { cpusetSize } from '../../../src/core/analyze/gapFinding';
import * as health from '../../../src/core/analyze/gapRulesHealth';
import * as inside from '../../../src/core/analyze/gapRulesInside';
import * as isolation from '../../../src/core/analyze/gapRulesIsolation';
import * as limits from '../../../src/core/analyze/gapRulesLimits';
import type { ContainerInfo, Finding, Snapshot } from '../../../src/core/model';
import { CAPTURE_ID, captureSnapshot } from '../fixtures/snapshots/capture';
import { IDS, containerNamed, machineSnapshot } from '../fixtures/snapshots/machine';

const MIB = 1024 * 1024;
/** Every rule by name, and the cpuset helper: one place for the tests to call them from. */
const rules = { ...limits, ...isolation, ...inside, ...health, cpusetSize };

/** Findings of one rule id for one subject name. */
function of(findings: Finding[], rule: string, name?: string): Finding[] {
  return findings.filter((f) => f.rule === rule && (name === undefined || f.subject.name === name));
}

function withContainer(name: string, change: (c: ContainerInfo, s: Snapshot) => void): Snapshot {
  const s = machineSnapshot();
  change(containerNamed(s, name), s);
  return s;
}

describe('analyzeGaps on the machine snapshot as collected', () => {
  const all = analyzeGaps(machineSnapshot());

  it('reports what these containers really lack, and nothing they do not', () => {
    const pairs = all.map((f) => `${f.rule} ${f.subject.name}`).sort();
    expect(pairs).toEqual(
      [
        'host-network dm-hostnet',
        'no-cpu-limit dm-hostnet',
        'no-cpu-limit dm-multi',
        'no-cpu-limit dm-unlimited',
        'no-memory-limit dm-hostnet',
        'no-memory-limit dm-unlimited',
        'no-pids-limit dm-hostnet',
        'no-pids-limit dm-multi',
        'no-pids-limit dm-unlimited',
        'pid-mapping dm-hostnet',
        'pid-mapping dm-limited',
        'pid-mapping dm-multi',
        'pid-mapping dm-unlimited',
        'proc-cpuinfo-shows-host dm-limited',
        'proc-meminfo-shows-host dm-limited',
        'proc-meminfo-shows-host dm-multi',
        'rss-vs-cgroup dm-multi',
      ].sort(),
    );
  });

  it('sorts by severity, then level, then subject name', () => {
    for (let i = 1; i < all.length; i++) expect(compareFindings(all[i - 1], all[i])).toBeLessThanOrEqual(0);
    const sev = all.map((f) => f.severity);
    expect(sev.indexOf('info')).toBeGreaterThan(sev.lastIndexOf('warning'));
    const s = withContainer('dm-limited', (c) => (c.privileged = true));
    expect(analyzeGaps(s)[0]).toMatchObject({
      rule: 'privileged',
      severity: 'critical',
      subject: { name: 'dm-limited' },
    });
  });

  it('orders equal severities by level, then name', () => {
    const warnings = all.filter((f) => f.severity === 'warning').map((f) => `${f.level} ${f.subject.name} ${f.rule}`);
    expect(warnings).toEqual([
      'process-container dm-limited proc-cpuinfo-shows-host',
      'process-container dm-limited proc-meminfo-shows-host',
      'process-container dm-multi proc-meminfo-shows-host',
      'container-host dm-hostnet host-network',
      'container-host dm-hostnet no-memory-limit',
      'container-host dm-unlimited no-memory-limit',
    ]);
  });

  it('every finding carries a subject id and raw evidence', () => {
    for (const f of all) {
      expect(f.subject.id.length).toBeGreaterThan(0);
      expect(Object.keys(f.evidence).length).toBeGreaterThan(0);
    }
  });
});

describe('no-memory-limit / no-pids-limit / no-cpu-limit', () => {
  const s = machineSnapshot();
  it('fire on running containers without the limit, with the numbers', () => {
    const [f] = of(rules.noMemoryLimit(s), 'no-memory-limit', 'dm-unlimited');
    expect(f).toMatchObject({
      level: 'container-host',
      severity: 'warning',
      subject: { kind: 'container', id: IDS.unlimited },
    });
    expect(f.message).toBe(
      'dm-unlimited has no memory limit: it may take all 23.5 GiB of host memory (23.1 GiB available now; it uses 324 KiB)',
    );
    expect(f.evidence).toMatchObject({ limitBytes: null, usageBytes: 331776, hostTotalBytes: 24684084 * 1024 });
    expect(of(rules.noPidsLimit(s), 'no-pids-limit', 'dm-multi')[0]).toMatchObject({
      severity: 'info',
      evidence: { pidsCurrent: 5 },
    });
    expect(of(rules.noCpuLimit(s), 'no-cpu-limit', 'dm-multi')[0].message).toBe(
      'dm-multi has no CPU quota: it may use all 2 host CPUs',
    );
  });
  it('stay silent on limited and on stopped containers', () => {
    for (const name of ['dm-limited', 'dm-stopped']) {
      expect(of(rules.noMemoryLimit(s), 'no-memory-limit', name)).toEqual([]);
      expect(of(rules.noCpuLimit(s), 'no-cpu-limit', name)).toEqual([]);
    }
    expect(of(rules.noPidsLimit(s), 'no-pids-limit', 'dm-limited')).toEqual([]);
  });
  it('no-cpu-limit names a cpuset that narrows the CPUs', () => {
    const t = withContainer('dm-multi', (c) => (c.cpu.cpuset = '1'));
    expect(of(rules.noCpuLimit(t), 'no-cpu-limit', 'dm-multi')[0].message).toBe(
      'dm-multi has no CPU quota: it may use its cpuset 1 (1 CPUs)',
    );
  });
});

describe('host-network / host-pid-namespace / privileged', () => {
  it('host-network fires on mode host and on a shared net namespace only', () => {
    const s = machineSnapshot();
    expect(rules.hostNetwork(s).map((f) => f.subject.name)).toEqual(['dm-hostnet']);
    const t = withContainer('dm-limited', (c) => (c.namespaces.net = { inode: 4026531833, sharedWithHost: true }));
    expect(rules.hostNetwork(t).map((f) => f.subject.name)).toEqual(['dm-limited', 'dm-hostnet']);
    expect(rules.hostNetwork(s)[0].evidence).toMatchObject({
      networkMode: 'host',
      netNamespace: 4026531833,
      hostNetNamespace: 4026531833,
    });
  });
  it('host-pid-namespace is critical on a shared pid namespace or pidMode host, silent otherwise', () => {
    expect(rules.hostPidNamespace(machineSnapshot())).toEqual([]);
    const t = withContainer('dm-hostnet', (c) => (c.namespaces.pid = { inode: 4026531836, sharedWithHost: true }));
    const [f] = rules.hostPidNamespace(t);
    expect(f).toMatchObject({ severity: 'critical', level: 'container-host', subject: { name: 'dm-hostnet' } });
    expect(f.message).toContain(`all ${t.processes.length} host processes`);
    expect(rules.hostPidNamespace(withContainer('dm-stopped', (c) => (c.pidMode = 'host')))).toHaveLength(1);
  });
  it('privileged is critical when true, silent on false and unknown', () => {
    expect(rules.privileged(withContainer('dm-multi', (c) => (c.privileged = true)))).toMatchObject([
      { rule: 'privileged', severity: 'critical', subject: { name: 'dm-multi' } },
    ]);
    expect(rules.privileged(withContainer('dm-multi', (c) => (c.privileged = null)))).toEqual([]);
    expect(rules.privileged(machineSnapshot())).toEqual([]);
  });
});

describe('memory-near-limit', () => {
  // 100 MiB makes 90 % and 98 % whole byte counts.
  const at = (usage: number, percent: number | null = null) =>
    rules.memoryNearLimit(
      withContainer('dm-limited', (c) => {
        c.memory.limitBytes = 100 * MIB;
        c.memory.usageBytes = usage;
        c.memory.percent = percent;
      }),
    );
  it('silent just below 90 %', () => expect(at(90 * MIB - 1)).toEqual([]));
  it('warning at 90 %', () => {
    const [f] = at(90 * MIB);
    expect(f).toMatchObject({
      severity: 'warning',
      evidence: { usageBytes: 90 * MIB, limitBytes: 100 * MIB, percent: 90 },
    });
    expect(f.message).toBe(
      'dm-limited uses 90 MiB of its 100 MiB memory limit (90.0%): the kernel reclaims and then OOM-kills at the limit',
    );
  });
  it('warning just below 98 %, critical at 98 %', () => {
    expect(at(98 * MIB - 1)[0].severity).toBe('warning');
    expect(at(98 * MIB)[0].severity).toBe('critical');
  });
  it('uses the percent the collector set when present', () => expect(at(MIB, 99)[0].severity).toBe('critical'));
  it('silent without a limit', () => expect(rules.memoryNearLimit(machineSnapshot())).toEqual([]));
});

describe('oom-killed / memory-limit-hit', () => {
  it('oom-killed is critical with the count', () => {
    const [f] = rules.oomKilled(withContainer('dm-limited', (c) => (c.memory.oomKills = 2)));
    expect(f).toMatchObject({ severity: 'critical', evidence: { oomKills: 2, limitBytes: 67108864 } });
    expect(f.message).toBe('the kernel OOM-killed 2 process(es) in dm-limited (limit 64 MiB, 312 KiB in use now)');
  });
  it('silent on 0 and on unknown', () => {
    expect(rules.oomKilled(machineSnapshot())).toEqual([]);
    expect(rules.oomKilled(withContainer('dm-limited', (c) => (c.memory.oomKills = null)))).toEqual([]);
  });
  it('memory-limit-hit reports failcnt > 0 when nothing was killed', () => {
    expect(rules.memoryFailCount(withContainer('dm-limited', (c) => (c.memory.failCount = 7)))[0]).toMatchObject({
      severity: 'info',
      evidence: { failCount: 7 },
    });
    expect(
      rules.memoryFailCount(withContainer('dm-limited', (c) => Object.assign(c.memory, { failCount: 7, oomKills: 1 }))),
    ).toEqual([]);
    expect(rules.memoryFailCount(machineSnapshot())).toEqual([]);
  });
});

describe('cpu-throttled', () => {
  const set = (throttledPercent: number | null, throttledPeriods: number) =>
    rules.cpuThrottled(
      withContainer('dm-limited', (c) =>
        Object.assign(c.cpu, { throttledPercent, throttledPeriods, periods: 3, throttledNs: 0 }),
      ),
    );
  it('warning at 10 %, silent just below', () => {
    expect(set(9.99, 2)).toEqual([]);
    const [f] = set(10, 2);
    expect(f).toMatchObject({ severity: 'warning', evidence: { throttledPercent: 10 } });
    expect(f.message).toBe(
      'dm-limited was throttled by its 0.5 CPU limit in 10.0% of CPU periods over the last interval',
    );
  });
  it('on a single sample: info from the cumulative counters when any period was throttled', () => {
    expect(set(null, 0)).toEqual([]);
    expect(set(null, 1)[0]).toMatchObject({ severity: 'info', evidence: { throttledPeriods: 1, periods: 3 } });
  });
  it('with the real capture samples: throttled in 31 of 32 periods, 2.4 s in total', () => {
    const [f] = of(rules.cpuThrottled(captureSnapshot(0)), 'cpu-throttled', 'dm-analyze-capture');
    expect(f.message).toBe(
      'dm-analyze-capture has been throttled by its 0.2 CPU limit in 31 of 32 CPU periods since it started, 2.4 s in total',
    );
  });
});

describe('pids-near-limit', () => {
  const at = (current: number) => rules.pidsNearLimit(withContainer('dm-limited', (c) => (c.pids.current = current)));
  it('silent at 44/50, warning at 45/50', () => {
    expect(at(44)).toEqual([]);
    expect(at(45)[0]).toMatchObject({ severity: 'warning', evidence: { pidsCurrent: 45, pidsLimit: 50, percent: 90 } });
  });
});

describe('rss-vs-cgroup', () => {
  it('fires on dm-multi as collected: 5 busybox processes count shared pages 5 times', () => {
    const [f] = rules.rssVsCgroup(machineSnapshot());
    const rss = (1516 + 392 + 1380 + 1380 + 1228) * 1024;
    expect(f).toMatchObject({
      rule: 'rss-vs-cgroup',
      level: 'process-container',
      severity: 'info',
      subject: { name: 'dm-multi' },
      evidence: { rssSumBytes: rss, cgroupUsageBytes: 835584, differenceBytes: rss - 835584, processes: 5 },
    });
    expect(f.message).toContain('adds up to 5.8 MiB, 5 MiB more than the 816 KiB its cgroup is charged');
  });

  /** dm-limited's single process with a chosen RSS against a chosen cgroup charge. */
  const gap = (rss: number, cgroup: number, limit: number | null = 67108864) =>
    rules
      .rssVsCgroup(
        withContainer('dm-limited', (c, s) => {
          s.processes.find((p) => p.pid === 5755)!.rssBytes = rss;
          c.memory.usageBytes = cgroup;
          c.memory.limitBytes = limit;
        }),
      )
      .filter((f) => f.subject.name === 'dm-limited');

  it('needs more than 4 MiB: silent at exactly 4 MiB even when the ratio is large', () => {
    expect(gap(5 * MIB, 1 * MIB)).toEqual([]);
    expect(gap(5 * MIB + 1, 1 * MIB)).toHaveLength(1);
  });
  it('needs more than 20 %: silent at exactly 20 % even when the bytes are large', () => {
    expect(gap(120 * MIB, 100 * MIB)).toEqual([]);
    expect(gap(120 * MIB + 1, 100 * MIB)).toHaveLength(1);
  });
  it('cgroup above RSS: warning when limited (the OOM killer counts the charge), info when not', () => {
    const [f] = gap(10 * MIB, 40 * MIB);
    expect(f.severity).toBe('warning');
    expect(f.message).toContain(
      "dm-limited's cgroup is charged 40 MiB, 30 MiB more than the 10 MiB RSS of its 1 process(es) (75%",
    );
    expect(f.message).toContain('count against its 64 MiB limit');
    expect(f.evidence.differenceBytes).toBe(-30 * MIB);
    expect(gap(10 * MIB, 40 * MIB, null)[0].severity).toBe('info');
  });
  it('silent with no process or no cgroup figure', () => {
    expect(rules.rssVsCgroup(withContainer('dm-multi', (c) => (c.memory.usageBytes = null)))).toEqual([]);
  });
});

describe('proc-meminfo-shows-host / proc-cpuinfo-shows-host', () => {
  it('meminfo: both numbers, silent when the limit is not below the host total', () => {
    const s = machineSnapshot();
    const [f] = of(rules.procMeminfoShowsHost(s), 'proc-meminfo-shows-host', 'dm-limited');
    expect(f.message).toContain("see the host's 23.5 GiB, but the container's limit is 64 MiB");
    expect(f.evidence).toEqual({ limitBytes: 67108864, hostTotalBytes: 24684084 * 1024 });
    const total = s.host.memory.totalBytes;
    expect(
      rules
        .procMeminfoShowsHost(withContainer('dm-limited', (c) => (c.memory.limitBytes = total)))
        .map((x) => x.subject.name),
    ).toEqual(['dm-multi']);
    expect(
      rules
        .procMeminfoShowsHost(withContainer('dm-limited', (c) => (c.memory.limitBytes = total - 1)))
        .map((x) => x.subject.name),
    ).toEqual(['dm-limited', 'dm-multi']);
  });
  it('cpuinfo: quota or cpuset below the host CPU count', () => {
    const [f] = rules.procCpuinfoShowsHost(machineSnapshot());
    expect(f.subject.name).toBe('dm-limited');
    expect(f.message).toBe(
      'tools inside dm-limited read /proc/cpuinfo and see all 2 host CPUs, but the container has a quota of 0.5 CPU: thread pools sized by CPU count oversubscribe it',
    );
    const quota = (n: number) => rules.procCpuinfoShowsHost(withContainer('dm-limited', (c) => (c.cpu.limitCpus = n)));
    expect(quota(2)).toEqual([]);
    expect(quota(1.99)).toHaveLength(1);
    const pinned = rules.procCpuinfoShowsHost(withContainer('dm-unlimited', (c) => (c.cpu.cpuset = '1')));
    expect(of(pinned, 'proc-cpuinfo-shows-host', 'dm-unlimited')[0].evidence).toMatchObject({
      cpuset: '1',
      cpusetCpus: 1,
      hostCpuCount: 2,
    });
  });
});

describe('pid-mapping', () => {
  it('counts processes whose PID inside differs, with an example', () => {
    const [f] = of(rules.pidMapping(machineSnapshot()), 'pid-mapping', 'dm-multi');
    expect(f.evidence).toEqual({ mappedProcesses: 5, processes: 5, exampleHostPid: 6014, exampleContainerPid: 1 });
    expect(f.message).toContain(
      '5 of 5 process(es) in dm-multi have a different PID inside than on the host (host PID 6014 is PID 1 inside)',
    );
  });
  it('silent for a container in the host PID namespace', () => {
    const s = withContainer(
      'dm-hostnet',
      (c) => (c.processes = [{ hostPid: 5940, containerPid: 5940, name: 'sleep' }]),
    );
    expect(of(rules.pidMapping(s), 'pid-mapping', 'dm-hostnet')).toEqual([]);
  });
});

describe('veth-unpaired', () => {
  it('fires on a running bridged container without a host veth', () => {
    const [f] = rules.vethUnpaired(withContainer('dm-limited', (c) => (c.network.hostVeth = null)));
    expect(f).toMatchObject({
      severity: 'warning',
      level: 'container-host',
      evidence: { containerIflink: 7, networkMode: 'default' },
    });
    expect(f.message).toBe(
      'dm-limited is on network default but its host-side veth was not found: no host interface has ifindex 7 (the iflink of its eth0)',
    );
  });
  it('silent when paired, on host or none networks, and when not running', () => {
    expect(rules.vethUnpaired(machineSnapshot())).toEqual([]);
    expect(
      rules.vethUnpaired(
        withContainer('dm-limited', (c) => Object.assign(c.network, { hostVeth: null, mode: 'none' })),
      ),
    ).toEqual([]);
    expect(
      rules.vethUnpaired(
        withContainer('dm-limited', (c) =>
          Object.assign(c.network, { hostVeth: null, mode: 'container:' + IDS.multi }),
        ),
      ),
    ).toEqual([]);
  });
});

describe('restart-loop / unhealthy', () => {
  it('restart-loop from 3 restarts', () => {
    expect(rules.restartLoop(withContainer('dm-limited', (c) => (c.restartCount = 2)))).toEqual([]);
    expect(rules.restartLoop(withContainer('dm-limited', (c) => (c.restartCount = 3)))[0]).toMatchObject({
      severity: 'warning',
      evidence: { restartCount: 3 },
    });
  });
  it('unhealthy only on health "unhealthy"', () => {
    expect(rules.unhealthy(withContainer('dm-limited', (c) => (c.health = 'healthy')))).toEqual([]);
    expect(
      rules.unhealthy(
        withContainer('dm-limited', (c) =>
          Object.assign(c, { health: 'unhealthy', status: 'Up 5 minutes (unhealthy)' }),
        ),
      )[0].message,
    ).toBe('dm-limited fails its health check (status: Up 5 minutes (unhealthy))');
  });
});

describe('unmapped-process / docker-api-unreachable / cgroup-v2-no-percpu', () => {
  it('unmapped-process: processes in a cgroup the Docker API does not list, grouped by container id', () => {
    const s = captureSnapshot(0);
    s.containers = s.containers.filter((c) => c.id !== CAPTURE_ID);
    const [f] = rules.unmappedProcess(s);
    expect(f).toMatchObject({
      level: 'cross-level',
      severity: 'warning',
      subject: { kind: 'container', id: CAPTURE_ID, name: '4490c5391079' },
    });
    expect(f.evidence).toMatchObject({ processes: 1, pids: '10256', cgroupPath: `/docker/${CAPTURE_ID}` });
    expect(f.message).toContain('1 process(es) (10256 yes) run in the cgroup of container 4490c5391079');
  });
  it('unmapped-process counts a container found only from cgroups while the API answers', () => {
    const s = withContainer('dm-limited', (c) => (c.source = 'cgroup'));
    expect(rules.unmappedProcess(s).map((f) => f.subject.id)).toEqual([IDS.limited]);
  });
  it('unmapped-process is silent when all are listed, and when the API is unreachable', () => {
    expect(rules.unmappedProcess(machineSnapshot())).toEqual([]);
    const s = captureSnapshot(0);
    s.containers = s.containers.filter((c) => c.id !== CAPTURE_ID);
    s.docker.reachable = false;
    expect(rules.unmappedProcess(s)).toEqual([]);
  });
  it('docker-api-unreachable gives the reason', () => {
    const s = machineSnapshot();
    expect(rules.dockerApiUnreachable(s)).toEqual([]);
    s.docker = { ...s.docker, reachable: false, reason: 'connect EACCES /var/run/docker.sock' };
    const [f] = rules.dockerApiUnreachable(s);
    expect(f).toMatchObject({
      level: 'cross-level',
      severity: 'warning',
      subject: { kind: 'host', id: 'local', name: 'vm' },
    });
    expect(f.message).toBe(
      'the Docker API at /var/run/docker.sock is unreachable (connect EACCES /var/run/docker.sock): 5 container(s) are known only from cgroups, without names, images or state',
    );
  });
  it('cgroup-v2-no-percpu only on cgroup v2', () => {
    const s = machineSnapshot();
    expect(rules.cgroupV2NoPerCpu(s)).toEqual([]);
    s.host.cgroupVersion = 2;
    expect(rules.cgroupV2NoPerCpu(s)[0]).toMatchObject({
      severity: 'info',
      level: 'container-host',
      evidence: { cgroupVersion: 2, containers: 5 },
    });
  });
});

describe('disk-near-full', () => {
  const at = (usedPercent: number) => {
    const s = machineSnapshot();
    for (const d of s.host.disks) d.usedPercent = usedPercent;
    return rules.diskNearFull(s);
  };
  it('silent below 90 %, warning at 90 %, critical at 98 %; one finding for one filesystem', () => {
    expect(at(89.99)).toEqual([]);
    const warn = at(90);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({ severity: 'warning', evidence: { path: '/,/var/lib/docker', usedPercent: 90 } });
    expect(warn[0].message).toContain(
      'the filesystem of / and /var/lib/docker is 90.0% full (78.8 GiB left of 252 GiB)',
    );
    expect(at(98)[0].severity).toBe('critical');
  });
});

describe('cpusetSize', () => {
  it('counts CPUs in a list, null on junk', () => {
    expect(rules.cpusetSize('0-1')).toBe(2);
    expect(rules.cpusetSize('0-3,6,8-9')).toBe(7);
    expect(rules.cpusetSize('')).toBeNull();
    expect(rules.cpusetSize('a-b')).toBeNull();
    expect(rules.cpusetSize(null)).toBeNull();
  });
});
