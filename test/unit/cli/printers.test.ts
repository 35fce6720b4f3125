// Printers on a Snapshot built here. Identities (ids, PIDs, namespace inodes, paths, limits) are those of the
// test containers on this machine (test/unit/fixtures/docker/inspect-dm-*.json, proc/container-ns-links).
import { describe, expect, it } from 'vitest';
import type { ContainerInfo, Correlation, Finding, ProcessInfo, Snapshot } from '../../../src/core/model';
import { printHost } from '../../../src/cli/hostPrinter';
import { printContainerDetail, printContainers } from '../../../src/cli/containerPrinter';
import { printProcessDetail, printProcesses } from '../../../src/cli/processPrinter';
import { printCorrelation } from '../../../src/cli/correlationPrinter';
import { printGaps } from '../../../src/cli/gapPrinter';
import { allJson, toJson } from '../../../src/core/json';

const LIMITED_ID = 'c9cdafc90c8d4f301f117d422d1712fe54d59c61fc7f2163b9e412ceb56f1853';
const HOSTNET_ID = '51367a996af18915d927d3f3a7a7041326a392d0808b3ba63a0bb1c3bf521a89';
const HOST_NS = {
  pid: 4026531836,
  net: 4026531840,
  mnt: 4026531841,
  uts: 4026531838,
  ipc: 4026531839,
  user: 4026531837,
  cgroup: 4026531835,
};
const EVIL = 'evil\u001b]52;c;aGk=\u0007\u001b[2J';
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function container(over: Partial<ContainerInfo> & Pick<ContainerInfo, 'id' | 'name'>): ContainerInfo {
  return {
    pressure: null,
    image: 'dm-busybox:test',
    command: 'sh -c sleep 100000',
    state: 'running',
    status: 'Up 5 minutes',
    health: null,
    createdAt: '2025-11-25T13:20:01.000Z',
    startedAt: '2025-11-25T13:20:02.000Z',
    restartCount: 0,
    labels: { 'com.docker.compose.project': 'dmtest' },
    compose: { project: 'dmtest', service: null },
    runtime: 'docker',
    source: 'docker-api',
    privileged: false,
    pidMode: '',
    initPid: null,
    memory: {
      usageBytes: null,
      rawUsageBytes: null,
      limitBytes: null,
      percent: null,
      cacheBytes: null,
      rssBytes: null,
      swapBytes: null,
      oomKills: null,
      failCount: null,
    },
    cpu: {
      percent: null,
      usageNs: null,
      limitCpus: null,
      quotaUs: null,
      periodUs: null,
      shares: null,
      weight: null,
      cpuset: null,
      periods: null,
      throttledPeriods: null,
      throttledNs: null,
      throttledPercent: null,
      throttledWindow: null,
      perCpuNs: null,
    },
    pids: { current: null, limit: null },
    blockIo: { readBytes: null, writeBytes: null, readBytesPerSec: null, writeBytesPerSec: null },
    network: {
      mode: 'bridge',
      hostVeth: null,
      hostVethIfindex: null,
      bridge: null,
      containerInterface: null,
      containerIflink: null,
      ipAddress: null,
      rxBytes: null,
      txBytes: null,
      rxPackets: null,
      txPackets: null,
      rxBytesPerSec: null,
      txBytesPerSec: null,
    },
    namespaces: {},
    cgroupPath: null,
    paths: { containerDir: null, mergedDir: null, upperDir: null, workDir: null },
    processes: [],
    ...over,
  };
}

function proc(over: Partial<ProcessInfo> & Pick<ProcessInfo, 'pid' | 'name'>): ProcessInfo {
  return {
    nsPid: [over.pid],
    ppid: 1,
    command: over.name,
    exe: null,
    uid: 0,
    user: 'root',
    state: 'S',
    rssBytes: 0,
    vszBytes: 0,
    cpuTicks: 0,
    cpuTimeSeconds: 0,
    cpuPercent: 0,
    threads: 1,
    openFds: 3,
    processor: 0,
    startTime: null,
    startTicks: 1000,
    containerId: null,
    cgroupPath: '/',
    namespaces: HOST_NS,
    sockets: [],
    ...over,
  };
}

const limited = container({
  id: LIMITED_ID,
  name: 'dm-limited',
  initPid: 5755,
  memory: {
    usageBytes: 409600,
    rawUsageBytes: 520192,
    limitBytes: 67108864,
    percent: 0.6103515625,
    cacheBytes: 110592,
    rssBytes: 98304,
    swapBytes: null,
    oomKills: 0,
    failCount: 0,
  },
  cpu: {
    percent: 12.5,
    usageNs: 41_000_000,
    limitCpus: 0.5,
    quotaUs: 50000,
    periodUs: 100000,
    shares: 1024,
    weight: null,
    cpuset: '0-1',
    periods: 120,
    throttledPeriods: 6,
    throttledNs: 300_000_000,
    throttledPercent: 5,
    throttledWindow: null,
    perCpuNs: [20_000_000, 21_000_000],
  },
  pids: { current: 2, limit: 50 },
  network: {
    mode: 'default',
    hostVeth: 'veth1a2b3c4',
    hostVethIfindex: 7,
    bridge: 'docker0',
    containerInterface: 'eth0',
    containerIflink: 7,
    ipAddress: '172.17.0.2',
    rxBytes: 3072,
    txBytes: 0,
    rxPackets: 30,
    txPackets: 0,
    rxBytesPerSec: 1536,
    txBytesPerSec: 0,
  },
  namespaces: {
    pid: { inode: 4026532258, sharedWithHost: false },
    net: { inode: 4026532259, sharedWithHost: false },
    user: { inode: 4026531837, sharedWithHost: true },
  },
  cgroupPath: `/docker/${LIMITED_ID}`,
  paths: {
    containerDir: `/var/lib/docker/containers/${LIMITED_ID}`,
    mergedDir: '/var/lib/docker/overlay2/19e721b64e4cd6c7b3d76f9290df2869484ce7a760f457db2d3d67cb50db133a/merged',
    upperDir: null,
    workDir: null,
  },
  processes: [
    { hostPid: 5755, containerPid: 1, name: 'sh' },
    { hostPid: 5790, containerPid: 7, name: 'sleep' },
  ],
});

const hostnet = container({
  id: HOSTNET_ID,
  name: EVIL,
  labels: { [`com.example.${EVIL}`]: EVIL },
  network: {
    ...limited.network,
    mode: 'host',
    hostVeth: null,
    hostVethIfindex: null,
    bridge: null,
    containerInterface: null,
    containerIflink: null,
    ipAddress: null,
  },
});

const processes: ProcessInfo[] = [
  proc({ pid: 1, name: 'init', command: '/sbin/init' }),
  proc({
    pid: 5755,
    name: 'sh',
    command: 'sh -c sleep 100000',
    nsPid: [5755, 1],
    containerId: LIMITED_ID,
    cgroupPath: `/docker/${LIMITED_ID}`,
    cpuPercent: 12.5,
    rssBytes: 1536 * 1024,
    namespaces: { ...HOST_NS, pid: 4026532258, net: 4026532259 },
    sockets: [
      {
        protocol: 'tcp',
        state: 'LISTEN',
        localAddress: '0.0.0.0',
        localPort: 8080,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        inode: 51234,
        listening: true,
      },
      {
        protocol: 'tcp6',
        state: 'ESTABLISHED',
        localAddress: '::1',
        localPort: 8080,
        remoteAddress: '::1',
        remotePort: 40000,
        inode: 51240,
        listening: false,
      },
    ],
  }),
  proc({ pid: 5790, name: 'sleep', command: 'sleep 100000', nsPid: [5790, 7], containerId: LIMITED_ID }),
  proc({ pid: 2, name: 'kthreadd', command: '' }),
  proc({ pid: 6100, name: 'x', command: `printf ${EVIL}`, containerId: HOSTNET_ID, nsPid: [6100, 1] }),
];

const snapshot: Snapshot = {
  target: 'local',
  collectedAt: '2025-11-25T13:30:00.000Z',
  sampleUptime: 123456.78,
  durationMs: 21.4,
  slowReadAt: '2025-11-25T13:30:00.000Z',
  host: {
    hostname: 'dm-host',
    kernel: '6.1.0-27-cloud-amd64',
    osRelease: 'Debian GNU/Linux 12 (bookworm)',
    uptimeSeconds: 3 * 86400 + 4 * 3600 + 12 * 60,
    bootTime: 1763800000,
    loadAverage: [0.12, 0.2, 0.3],
    cpuCount: 2,
    cpuTimes: { user: 1000, nice: 0, system: 500, idle: 90000, iowait: 20, irq: 0, softirq: 5, steal: 0 },
    cpuPercent: { user: 8, system: 3.25, iowait: 0.5, steal: 0, idle: 88.25, busy: 11.25 },
    memory: {
      totalBytes: 4 * 1024 ** 3,
      availableBytes: 3 * 1024 ** 3,
      usedBytes: 1024 ** 3,
      freeBytes: 2 * 1024 ** 3,
      buffersBytes: 100 * 1024 ** 2,
      cachedBytes: 800 * 1024 ** 2,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
      swapUsedBytes: 0,
    },
    disks: [
      {
        role: 'root',
        path: '/',
        totalBytes: 50 * 1024 ** 3,
        usedBytes: 20 * 1024 ** 3,
        availableBytes: 28 * 1024 ** 3,
        usedPercent: 41.7,
      },
      {
        role: 'docker',
        path: '/var/lib/docker',
        totalBytes: 50 * 1024 ** 3,
        usedBytes: 20 * 1024 ** 3,
        availableBytes: 28 * 1024 ** 3,
        usedPercent: 41.7,
      },
    ],
    interfaces: [
      {
        name: 'lo',
        ifindex: 1,
        iflink: 1,
        kind: 'loopback',
        master: null,
        operState: 'unknown',
        mac: null,
        mtu: 65536,
        rxBytes: 100,
        txBytes: 100,
        rxPackets: 1,
        txPackets: 1,
        rxBytesPerSec: 0,
        txBytesPerSec: 0,
      },
      {
        name: 'docker0',
        ifindex: 3,
        iflink: 3,
        kind: 'bridge',
        master: null,
        operState: 'up',
        mac: '02:42:ac:11:00:01',
        mtu: 1500,
        rxBytes: 0,
        txBytes: 0,
        rxPackets: 0,
        txPackets: 0,
        rxBytesPerSec: null,
        txBytesPerSec: null,
      },
      {
        name: 'veth1a2b3c4',
        ifindex: 7,
        iflink: 6,
        kind: 'veth',
        master: 'docker0',
        operState: 'up',
        mac: null,
        mtu: 1500,
        rxBytes: 0,
        txBytes: 3072,
        rxPackets: 0,
        txPackets: 30,
        rxBytesPerSec: 0,
        txBytesPerSec: 1536,
      },
    ],
    containerCounts: { total: 3, running: 2, paused: 0, restarting: 0, exited: 0, created: 1, dead: 0 },
    namespaces: HOST_NS,
    cgroupVersion: 1,
    clockTicks: 100,
    pressure: null,
  },
  docker: {
    reachable: true,
    reason: null,
    version: '20.10.24+dfsg1',
    apiVersion: '1.41',
    rootDir: '/var/lib/docker',
    socketPath: '/var/run/docker.sock',
  },
  containers: [limited, hostnet],
  processes,
  warnings: [],
};

/** The column a header starts at, to check that a row's cell lines up under it. */
function column(lines: string[], header: string): number {
  return lines[0].indexOf(header);
}

describe('printHost', () => {
  const out = printHost(snapshot);

  it('summarizes identity, load, CPU split, memory and counts', () => {
    expect(out).toMatch(/^Hostname\s+dm-host$/m);
    expect(out).toMatch(/^Kernel\s+6\.1\.0-27-cloud-amd64$/m);
    expect(out).toMatch(/^OS\s+Debian GNU\/Linux 12 \(bookworm\)$/m);
    expect(out).toMatch(/^Uptime\s+3d 4h \(booted 2025-11-22T08:26:40\.000Z\)$/m);
    expect(out).toMatch(/^Load\s+0\.12 0\.20 0\.30 \(1, 5, 15 min\) on 2 CPUs$/m);
    expect(out).toContain('11.3% busy (user 8.0%, system 3.3%, iowait 0.5%, steal 0.0%, idle 88.3%)');
    expect(out).toContain('1 GiB used of 4 GiB (25.0%), 3 GiB available, 2 GiB free, buffers 100 MiB, cache 800 MiB');
    expect(out).toMatch(/^Swap\s+none$/m);
    expect(out).toMatch(/^Containers\s+3 \(2 running, 1 created\)$/m);
    expect(out).toMatch(/^Docker\s+20\.10\.24\+dfsg1, API 1\.41, data root \/var\/lib\/docker$/m);
  });

  it('says CPU needs two samples when there is only one', () => {
    const single = printHost({ ...snapshot, host: { ...snapshot.host, cpuPercent: null } });
    expect(single).toMatch(/^CPU\s+- \(needs two samples\)$/m);
  });

  it('lists disks and interfaces with kind, master, peer and rates', () => {
    const lines = out.split('\n');
    expect(lines.find((l) => l.startsWith('docker ') && l.includes('/var/lib/docker'))).toMatch(
      /50 GiB\s+20 GiB\s+28 GiB\s+41\.7%$/,
    );
    const veth = lines.find((l) => l.startsWith('veth1a2b3c4'));
    expect(veth).toMatch(/^veth1a2b3c4\s+veth\s+docker0\s+up\s+7\s+6\s+1500\s+0 B\/s\s+1\.5 KiB\/s\s+0 B\s+3 KiB$/);
    expect(lines.find((l) => l.startsWith('docker0'))).toMatch(/^docker0\s+bridge\s+-\s+up\s+3\s+-\s+1500\s+-\s+-/);
  });

  it('reports an unreachable Docker with its reason', () => {
    const o = printHost({ ...snapshot, docker: { ...snapshot.docker, reachable: false, reason: 'permission denied' } });
    expect(o).toMatch(/^Docker\s+not reachable at \/var\/run\/docker\.sock: permission denied$/m);
  });
});

describe('printContainers', () => {
  const lines = printContainers(snapshot).split('\n');

  it('has one aligned row per container', () => {
    expect(lines).toHaveLength(3);
    const row = lines[1];
    expect(row.startsWith('dm-limited ')).toBe(true);
    expect(row.slice(column(lines, 'ID')).startsWith(LIMITED_ID.slice(0, 12))).toBe(true);
    expect(row.slice(column(lines, 'STATE')).startsWith('running')).toBe(true);
    expect(row).toMatch(/12\.5%\s+400 KiB \/ 64 MiB\s+0\.6%\s+1\.5 KiB\/s\s+0 B\/s\s+2 \/ 50\s+veth1a2b3c4$/);
  });

  it('says when a container has no memory limit or uses the host network', () => {
    expect(lines[2]).toContain('- / no limit');
    expect(lines[2]).toMatch(/\(host network\)$/);
  });

  it('escapes a hostile container name', () => {
    for (const l of lines) expect(l).not.toMatch(CONTROL);
    expect(lines[2]).toContain('evil\\e]52;c;aGk=\\x07\\e[2J');
  });

  it('says when there are none', () => {
    expect(printContainers({ ...snapshot, containers: [] })).toBe('No containers.');
  });
});

describe('printProcesses', () => {
  const lines = printProcesses(snapshot).split('\n');

  it('lists processes busiest first with the in-container PID and the container name', () => {
    // 5755 is the only one using CPU; the idle rest follow by RSS, then PID.
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(['PID', '5755', '1', '2', '5790', '6100']);
    const sh = lines.find((l) => l.trim().startsWith('5755'))!;
    expect(sh).toMatch(/^\s*5755\s+1\s+dm-limited\s+root\s+S\s+12\.5%\s+1\.5 MiB\s+1\s+3\s+sh -c sleep 100000$/);
    expect(lines.find((l) => l.trim().startsWith('1 '))).toMatch(/^\s*1\s+-\s+-\s+root/);
  });

  it('shows kernel threads in brackets and escapes hostile commands', () => {
    expect(lines.find((l) => l.trim().startsWith('2 '))).toMatch(/\[kthreadd\]$/);
    for (const l of lines) expect(l).not.toMatch(CONTROL);
  });
});

describe('printProcessDetail', () => {
  const out = printProcessDetail(snapshot, processes[1]);

  it('shows the PID in both namespaces, the container and the resources', () => {
    expect(out).toMatch(/^NSpid\s+5755 -> 1 \(PID 1 inside its namespace\)$/m);
    expect(out).toMatch(new RegExp(`^Container\\s+dm-limited \\(${LIMITED_ID.slice(0, 12)}\\)$`, 'm'));
    expect(out).toMatch(/^CPU\s+12\.5% of one CPU/m);
    expect(out).toMatch(/^Memory\s+RSS 1\.5 MiB, virtual 0 B$/m);
  });

  it('marks each namespace private or shared with the host', () => {
    expect(out).toMatch(/^pid\s+4026532258\s+private$/m);
    expect(out).toMatch(/^user\s+4026531837\s+shared with host$/m);
  });

  it('lists sockets, IPv6 in brackets', () => {
    expect(out).toContain('Sockets (2)');
    expect(out).toMatch(/^tcp\s+LISTEN\s+0\.0\.0\.0:8080\s+0\.0\.0\.0:\*\s+51234$/m);
    expect(out).toMatch(/^tcp6\s+ESTABLISHED\s+\[::1\]:8080\s+\[::1\]:40000\s+51240$/m);
  });

  it('says a host process runs on the host', () => {
    expect(printProcessDetail(snapshot, processes[0])).toMatch(/^Container\s+- \(runs on the host\)$/m);
  });
});

describe('printContainerDetail', () => {
  const out = printContainerDetail(snapshot, limited);

  it('shows limits, throttling and the veth pair', () => {
    expect(out).toMatch(
      /^CPU\s+12\.5% of one CPU, limit 0\.5 CPUs \(quota 50000 us per 100000 us\), shares 1024, cpuset 0-1/m,
    );
    expect(out).toMatch(/^Throttling\s+6 of 120 periods, 0\.3s throttled in all; last interval 5\.0%$/m);
    expect(out).toMatch(/^Memory\s+400 KiB in use, limit 64 MiB \(0\.6% used\)/m);
    expect(out).toMatch(/^Pids\s+2 \/ 50$/m);
    expect(out).toMatch(/^Network\s+mode default, eth0 <-> veth1a2b3c4 \(ifindex 7\) on docker0, IP 172\.17\.0\.2$/m);
  });

  it('shows namespaces, paths and processes with host and container PIDs', () => {
    expect(out).toMatch(/^net\s+4026532259\s+private$/m);
    expect(out).toMatch(/^user\s+4026531837\s+shared with host$/m);
    expect(out).toMatch(/^Merged dir\s+\/var\/lib\/docker\/overlay2\/19e721b6.*\/merged$/m);
    expect(out).toMatch(/^\s*5755\s+1\s+sh\s+12\.5%\s+1\.5 MiB\s+sh -c sleep 100000$/m);
    expect(out).toMatch(/^\s*5790\s+7\s+sleep\s+0\.0%\s+0 B\s+sleep 100000$/m);
  });

  it('escapes hostile names and labels', () => {
    const evil = printContainerDetail(snapshot, hostnet);
    expect(evil.split('\n').every((l) => !CONTROL.test(l))).toBe(true);
    expect(evil).toContain('com.example.evil\\e]52');
  });
});

describe('printCorrelation', () => {
  const correlation: Correlation = {
    container: { id: LIMITED_ID, name: 'dm-limited' },
    hostPid: 5755,
    containerPid: 1,
    hostVeth: 'veth1a2b3c4',
    containerInterface: 'eth0',
    bridge: 'docker0',
    cgroupPath: `/docker/${LIMITED_ID}`,
    mergedDir: limited.paths.mergedDir,
    upperDir: limited.paths.upperDir,
    workDir: limited.paths.workDir,
    containerDir: limited.paths.containerDir,
    namespaces: limited.namespaces,
    processes: limited.processes,
    rows: [
      {
        aspect: 'Spec',
        process: 'sh -c sleep 100000',
        container: 'dm-busybox:test, --memory 64 MiB',
        host: 'Debian GNU/Linux 12',
      },
      {
        aspect: 'In memory',
        process: 'RSS 1.5 MiB',
        container: '400 KiB used, limit 64 MiB',
        host: '1 GiB used of 4 GiB',
      },
    ],
  };
  const out = printCorrelation(correlation);

  it('prints the aspect table and the identifiers that link the levels', () => {
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^ASPECT\s+PROCESS\s+CONTAINER\s+HOST$/);
    const mem = lines.find((l) => l.startsWith('In memory'))!;
    expect(mem.indexOf('400 KiB used')).toBe(column(lines, 'CONTAINER'));
    expect(mem.indexOf('1 GiB used')).toBe(column(lines, 'HOST'));
    expect(out).toMatch(/^Main process\s+host PID 5755 = PID 1 in the container$/m);
    expect(out).toMatch(/^Interface pair\s+eth0 \(in the container\) <-> veth1a2b3c4 \(on the host\) on docker0$/m);
    expect(out).toMatch(/^\s*5790\s+7\s+sleep$/m);
  });

  it('wraps long cells to the terminal width instead of one endless line', () => {
    const long = printCorrelation(
      {
        ...correlation,
        rows: [
          {
            aspect: 'On disk',
            process: '/bin/busybox',
            container: `rootfs ${limited.paths.mergedDir}`,
            host: 'root /',
          },
        ],
      },
      80,
    );
    const lines = long.split('\n\nDetails')[0].split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^On disk\s+\/bin\/busybox\s+rootfs\s+root \/$/);
    // The path continues in the CONTAINER column on the following lines.
    const col = column(lines, 'CONTAINER');
    expect(
      lines
        .slice(2)
        .map((l) => l.slice(col).trim())
        .join(''),
    ).toBe(limited.paths.mergedDir);
  });
});

describe('printGaps', () => {
  const f = (over: Partial<Finding>): Finding => ({
    rule: 'rule',
    level: 'container-host',
    severity: 'info',
    subject: { kind: 'container', id: LIMITED_ID, name: 'dm-limited' },
    message: 'm',
    evidence: {},
    ...over,
  });
  const findings = [
    f({
      rule: 'no-memory-limit',
      severity: 'warning',
      message: 'no memory limit',
      subject: { kind: 'container', id: HOSTNET_ID, name: EVIL },
    }),
    f({ rule: 'host-network', level: 'container-host', severity: 'critical', message: 'shares the host network' }),
    f({
      rule: 'meminfo-shows-host',
      level: 'process-container',
      severity: 'info',
      message: '/proc/meminfo shows the host',
    }),
  ];
  const out = printGaps(findings);

  it('counts by severity and groups by level, most severe first', () => {
    const lines = out.split('\n');
    expect(lines[0]).toBe('3 findings: 1 critical, 1 warning, 1 info');
    const pc = lines.indexOf('Process <-> container (1)');
    const ch = lines.indexOf('Container <-> host (2)');
    expect(pc).toBeGreaterThan(0);
    expect(ch).toBeGreaterThan(pc);
    expect(lines[ch + 2]).toMatch(/^\s+CRITICAL\s+container dm-limited\s+host-network\s+shares the host network$/);
    expect(lines[ch + 3]).toMatch(/^\s+WARNING\s+container evil\\e\]52.*no-memory-limit\s+no memory limit$/);
    expect(out).not.toContain('Across all levels');
  });

  it('says when there is nothing to report', () => {
    expect(printGaps([])).toBe('No gaps found.');
  });
});

describe('JSON output', () => {
  it('monitor all --json holds the contract keys in order', () => {
    const parsed = JSON.parse(toJson(allJson({ ...snapshot, warnings: ['w'] })));
    expect(Object.keys(parsed)).toEqual([
      'target',
      'collectedAt',
      'durationMs',
      'slowReadAt',
      'host',
      'docker',
      'containers',
      'processes',
      'warnings',
    ]);
    expect(parsed.containers.map((c: ContainerInfo) => c.id)).toEqual([LIMITED_ID, HOSTNET_ID]);
  });

  it('escapes C1 controls and bidi overrides but stays valid JSON with the same value', () => {
    const value = { name: `a\u009b31m\u202Eb${EVIL}` };
    const text = toJson(value);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(value);
  });
});
