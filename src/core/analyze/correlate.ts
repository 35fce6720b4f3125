// The process <-> container <-> host table for one container, in this snapshot's real values.
// Anything the snapshot does not hold is said to be unknown, with the reason when there is one.
import type {
  ContainerInfo,
  ContainerProcessRef,
  Correlation,
  CorrelationRow,
  DiskUsage,
  NamespaceType,
  ProcessInfo,
  Snapshot,
  SocketInfo,
} from '../model';
import { NAMESPACE_TYPES } from '../model';
import { formatBytes, formatPercent } from '../format';
import { MonitorError } from '../errors';
import { validateContainerRef } from '../validate';
import { shortId, containerLabel } from '../identity';

/**
 * A container by full id, name (leading slash optional) or unique id prefix. Null when nothing matches;
 * MonitorError('bad-argument') when the prefix matches several.
 */
export function findContainer(s: Snapshot, ref: string): ContainerInfo | null {
  const r = validateContainerRef(ref.trim());
  const byId = s.containers.find((c) => c.id === r);
  if (byId) return byId;
  const byName = s.containers.find((c) => c.name.replace(/^\//, '') === r);
  if (byName) return byName;
  if (!/^[0-9a-f]+$/.test(r)) return null;
  const matches = s.containers.filter((c) => c.id.startsWith(r));
  if (matches.length > 1) {
    const names = matches.map((c) => containerLabel(c)).join(', ');
    throw new MonitorError(`ambiguous container id prefix "${r}": matches ${names}`, 'bad-argument');
  }
  return matches[0] ?? null;
}

/** The container's processes that the snapshot describes in full. */
export function containerProcesses(s: Snapshot, c: ContainerInfo): ProcessInfo[] {
  return s.processes.filter((p) => p.containerId === c.id);
}

/** The init process when the snapshot has it, else the one with the lowest in-container PID. */
export function mainProcess(s: Snapshot, c: ContainerInfo): ProcessInfo | null {
  const own = containerProcesses(s, c);
  const init = c.initPid === null ? undefined : s.processes.find((p) => p.pid === c.initPid);
  if (init) return init;
  const inner = (p: ProcessInfo): number => p.nsPid[p.nsPid.length - 1] ?? p.pid;
  return own.reduce<ProcessInfo | null>((best, p) => (best === null || inner(p) < inner(best) ? p : best), null);
}

function unknownReason(s: Snapshot, c: ContainerInfo): string {
  if (c.source === 'docker-api') return 'unknown';
  return s.docker.reachable ? 'unknown (not described by the Docker API)' : 'unknown (Docker API unreachable)';
}

function socketLabel(k: SocketInfo): string {
  const addr = k.localAddress.includes(':') ? `[${k.localAddress}]` : k.localAddress;
  return `${k.protocol} ${addr}:${k.localPort}`;
}

function listening(p: ProcessInfo): string {
  const ports = p.sockets.filter((k) => k.listening);
  const open = p.sockets.length - ports.length;
  const head = ports.length ? `listening on ${ports.map(socketLabel).join(', ')}` : 'no listening sockets';
  return open > 0 ? `${head}; ${open} other socket(s)` : head;
}

function specRow(s: Snapshot, c: ContainerInfo, main: ProcessInfo | null): CorrelationRow {
  const unknown = unknownReason(s, c);
  const image = c.image ? `image ${c.image}` : `image ${unknown}`;
  const compose = c.compose ? `, compose ${c.compose.project}${c.compose.service ? `/${c.compose.service}` : ''}` : '';
  return {
    aspect: 'Spec',
    process: main ? main.command || main.name : 'unknown (no process of this container in the snapshot)',
    container: `${image}${compose}${c.command ? `, command ${c.command}` : ''}`,
    host: `${s.host.osRelease || 'unknown OS'}, kernel ${s.host.kernel || 'unknown'}`,
  };
}

function diskRow(s: Snapshot, c: ContainerInfo, main: ProcessInfo | null): CorrelationRow {
  const unknown = unknownReason(s, c);
  let process = 'unknown (no process of this container in the snapshot)';
  if (main) {
    if (!main.exe) process = 'executable unknown (/proc/PID/exe not readable)';
    // exe is the path in the process's own mount namespace; on the host it lives under the merged rootfs.
    else if (c.paths.mergedDir && main.namespaces.mnt !== undefined && main.namespaces.mnt !== s.host.namespaces.mnt)
      process = `${main.exe} (on the host: ${c.paths.mergedDir}${main.exe})`;
    else process = main.exe;
  }
  const container = [`rootfs ${c.paths.mergedDir ?? unknown}`, `container dir ${c.paths.containerDir ?? unknown}`].join(
    '; ',
  );
  // The root and the Docker data root often share one filesystem: say so once.
  const groups = new Map<string, { labels: string[]; d: DiskUsage }>();
  for (const d of s.host.disks) {
    const key = `${d.totalBytes}/${d.usedBytes}/${d.availableBytes}`;
    const label = `${d.role === 'root' ? 'root' : 'Docker data root'} ${d.path}`;
    const g = groups.get(key);
    if (g) g.labels.push(label);
    else groups.set(key, { labels: [label], d });
  }
  const disks = [...groups.values()].map(
    ({ labels, d }) =>
      `${labels.join(' and ')}${labels.length > 1 ? ' (one filesystem)' : ''}: ` +
      `${formatBytes(d.usedBytes)} of ${formatBytes(d.totalBytes)} used (${formatPercent(d.usedPercent, 0)})`,
  );
  if (!s.host.disks.some((d) => d.role === 'docker')) disks.push(`Docker data root ${s.docker.rootDir ?? 'unknown'}`);
  return { aspect: 'On disk', process, container, host: disks.length ? disks.join('; ') : 'disk usage unknown' };
}

/** The main process's PIDs: from its full entry, else from the container's process list. */
function mainPids(c: ContainerInfo, main: ProcessInfo | null): { hostPid: number; containerPid: number | null } | null {
  if (main) return { hostPid: main.pid, containerPid: main.nsPid.length ? main.nsPid[main.nsPid.length - 1] : null };
  let ref: ContainerProcessRef | null = null;
  for (const p of c.processes) {
    if (p.containerPid !== null && (ref === null || p.containerPid < (ref.containerPid ?? Infinity))) ref = p;
  }
  return ref ? { hostPid: ref.hostPid, containerPid: ref.containerPid } : null;
}

function memoryRow(s: Snapshot, c: ContainerInfo, main: ProcessInfo | null): CorrelationRow {
  let process = 'unknown (no process of this container in the snapshot)';
  const pids = mainPids(c, main);
  if (pids) {
    const inside =
      pids.containerPid === null
        ? 'PID inside unknown'
        : pids.containerPid === pids.hostPid
          ? 'same PID inside: host PID namespace'
          : `PID ${pids.containerPid} inside`;
    process = `PID ${pids.hostPid} (${inside}), RSS ${main ? formatBytes(main.rssBytes) : 'unknown'}`;
  }
  const m = c.memory;
  const used = m.usageBytes === null ? 'usage unknown' : `${formatBytes(m.usageBytes)} used`;
  const limit =
    m.limitBytes === null
      ? 'no memory limit'
      : `limit ${formatBytes(m.limitBytes)}${m.percent === null ? '' : ` (${formatPercent(m.percent)})`}`;
  const h = s.host.memory;
  return {
    aspect: 'In memory',
    process,
    container: `${shortId(c.id)}: ${used}, ${limit}`,
    host: `${s.host.hostname}: ${formatBytes(h.usedBytes)} used of ${formatBytes(h.totalBytes)}`,
  };
}

function networkCell(c: ContainerInfo): string {
  const n = c.network;
  if (n.mode === 'host' || c.namespaces.net?.sharedWithHost) return "host network: shares the host's interfaces";
  if (n.mode === 'none') return 'no network (network mode none)';
  if (n.mode.startsWith('container:')) return `shares the network namespace of container ${n.mode.slice(10, 22)}`;
  const ip = n.ipAddress ? `, IP ${n.ipAddress}` : '';
  if (!n.containerInterface) {
    return c.state === 'running'
      ? `network mode ${n.mode}: container interface unknown (its /sys/class/net was not readable)${ip}`
      : `network mode ${n.mode}: not running, no interface`;
  }
  const inside = `${n.containerInterface} (iflink ${n.containerIflink ?? 'unknown'})`;
  if (!n.hostVeth) return `${inside} ↔ no host interface with ifindex ${n.containerIflink ?? 'unknown'} found${ip}`;
  const bridge = n.bridge ? ` on ${n.bridge}` : ' (not on a bridge)';
  return `${inside} ↔ ${n.hostVeth} (ifindex ${n.hostVethIfindex ?? 'unknown'})${bridge}${ip}`;
}

function networkRow(s: Snapshot, c: ContainerInfo, main: ProcessInfo | null): CorrelationRow {
  const physical = s.host.interfaces.filter((i) => i.kind === 'physical');
  const host = physical.length
    ? physical
        .map(
          (i) =>
            `${i.name} (${i.operState ?? 'state unknown'}, rx ${formatBytes(i.rxBytes)}, tx ${formatBytes(i.txBytes)})`,
        )
        .join(', ')
    : 'no physical interface found';
  return {
    aspect: 'In network',
    process: main ? listening(main) : 'unknown (no process of this container in the snapshot)',
    container: networkCell(c),
    host,
  };
}

function runtimeRow(s: Snapshot, c: ContainerInfo, main: ProcessInfo | null): CorrelationRow {
  let process = 'unknown (no process of this container in the snapshot)';
  if (main) {
    const cpu = main.processor === null ? 'last CPU unknown' : `last ran on CPU ${main.processor}`;
    process = `${cpu}, ${main.threads} thread(s)`;
  }
  const cpu = c.cpu;
  const limit =
    cpu.limitCpus === null
      ? 'no CPU limit'
      : `CPU limit ${cpu.limitCpus} CPU${cpu.quotaUs !== null && cpu.periodUs !== null ? ` (quota ${cpu.quotaUs} µs per ${cpu.periodUs} µs)` : ''}`;
  const cpuset = cpu.cpuset ? `cpuset ${cpu.cpuset}` : 'cpuset unknown';
  const [l1, l5, l15] = s.host.loadAverage;
  return {
    aspect: 'Runtime context',
    process,
    container: `cgroup ${c.cgroupPath ?? 'unknown'}; ${limit}; ${cpuset}`,
    host: `${s.host.cpuCount} CPU(s), load average ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)}`,
  };
}

function isolationRow(s: Snapshot, c: ContainerInfo, main: ProcessInfo | null): CorrelationRow {
  const known = NAMESPACE_TYPES.filter((t) => c.namespaces[t] !== undefined);
  let container = 'namespaces unknown (not readable)';
  if (known.length) {
    const priv = known.filter((t) => !c.namespaces[t]?.sharedWithHost);
    const shared = known.filter((t) => c.namespaces[t]?.sharedWithHost);
    container = `private: ${priv.join(', ') || 'none'}; shared with the host: ${shared.join(', ') || 'none'}`;
  }
  let process = 'unknown (no process of this container in the snapshot)';
  if (main) {
    const differs: NamespaceType[] = known.filter((t) => {
      const own = main.namespaces[t];
      return own !== undefined && own !== c.namespaces[t]?.inode;
    });
    process = differs.length
      ? `own memory space; own ${differs.join(', ')} namespace(s), different from the container's`
      : "own memory space; shares the container's namespaces";
  }
  const running = s.host.containerCounts.running;
  return {
    aspect: 'Isolation',
    process,
    container,
    host: `full host kernel ${s.host.kernel || '(version unknown)'}: shared by all ${running} running container(s)`,
  };
}

/** Fills the aspect x level table for `container` from `s`. */
export function correlate(s: Snapshot, container: ContainerInfo): Correlation {
  const main = mainProcess(s, container);
  const pids = mainPids(container, main);
  return {
    container: { id: container.id, name: container.name },
    hostPid: pids?.hostPid ?? null,
    containerPid: pids?.containerPid ?? null,
    hostVeth: container.network.hostVeth,
    containerInterface: container.network.containerInterface,
    bridge: container.network.bridge,
    cgroupPath: container.cgroupPath,
    mergedDir: container.paths.mergedDir,
    upperDir: container.paths.upperDir,
    workDir: container.paths.workDir,
    containerDir: container.paths.containerDir,
    namespaces: container.namespaces,
    processes: container.processes,
    rows: [
      specRow(s, container, main),
      diskRow(s, container, main),
      memoryRow(s, container, main),
      networkRow(s, container, main),
      runtimeRow(s, container, main),
      isolationRow(s, container, main),
    ],
  };
}
