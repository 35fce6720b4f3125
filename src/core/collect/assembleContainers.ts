// The container level: Engine API metadata joined with cgroup metrics, namespaces and the veth pair.
import type { ContainerInfo, ContainerNetwork, HostInfo, Namespaces, NetInterface } from '../model';
import { NAMESPACE_TYPES } from '../model';
import type { DockerContainerMeta } from '../docker/describe';
import { parseCgroupMetrics } from '../parse/cgroupMetrics';
import { parseNetDev } from '../parse/host';
import { pressureSet } from '../parse/pressure';
import type { AssembledProcess } from './assembleProcesses';
import { shortId } from '../identity';
import { byText } from '../order';

export interface NetnsView {
  /** /proc/<pid>/... files read through one process of the namespace (net/dev, root/sys/class/net/X/iflink). */
  files: Map<string, string>;
}

export interface ContainerInputs {
  processes: AssembledProcess[];
  metas: DockerContainerMeta[];
  cgroupFiles: Map<string, Map<string, string>>;
  netnsViews: Map<number, NetnsView>;
  host: HostInfo;
  dockerRoot: string;
}

function namespacesOf(p: AssembledProcess | undefined, host: HostInfo): Namespaces {
  const out: Namespaces = {};
  if (!p) return out;
  for (const type of NAMESPACE_TYPES) {
    const inode = p.namespaces[type];
    if (inode === undefined) continue;
    out[type] = { inode, sharedWithHost: host.namespaces[type] === inode };
  }
  return out;
}

const IFLINK_FILE = /^root\/sys\/class\/net\/([^/]+)\/iflink$/;

/**
 * A namespace's traffic without its net/dev: each of its interfaces (but lo) is one end of a veth whose other
 * end is on the host, and what one end sends the other receives (veth_get_stats64 counts a device's rx from
 * its peer's tx, XDP aside), so the host's /proc/net/dev, read every refresh anyway, holds the same figures.
 * null when an interface has no veth peer on the host (macvlan, ipvlan, a tunnel) or its pairing is unknown.
 */
export function trafficFromHostPeers(
  view: NetnsView,
  hostIfaces: NetInterface[],
): Array<Pick<NetInterface, 'name' | 'rxBytes' | 'txBytes' | 'rxPackets' | 'txPackets'>> | null {
  const out: Array<Pick<NetInterface, 'name' | 'rxBytes' | 'txBytes' | 'rxPackets' | 'txPackets'>> = [];
  for (const [file, content] of view.files) {
    const m = IFLINK_FILE.exec(file);
    if (!m || m[1] === 'lo') continue;
    const iflink = Number.parseInt(content, 10);
    const peer = hostIfaces.find((i) => i.ifindex === iflink && i.kind === 'veth');
    if (!peer) return null;
    out.push({
      name: m[1],
      rxBytes: peer.txBytes,
      txBytes: peer.rxBytes,
      rxPackets: peer.txPackets,
      txPackets: peer.rxPackets,
    });
  }
  return out.sort((a, b) => byText(a.name, b.name));
}

/**
 * Whether every namespace whose net/dev this refresh read shows what trafficFromHostPeers would have given
 * (the same interfaces, all with a veth peer on the host): then the next row refreshes need not read them.
 */
export function netDevFromHostPeers(
  views: Map<number, NetnsView>,
  hostIfaces: NetInterface[],
  hostNetns: number | undefined,
): boolean {
  for (const [inode, view] of views) {
    if (inode === hostNetns) continue; // the host's own traffic is /proc/net/dev itself
    const netDev = view.files.get('net/dev');
    if (netDev === undefined) continue;
    const own = parseNetDev(netDev)
      .filter((i) => i.name !== 'lo')
      .map((i) => i.name)
      .sort();
    const derived = trafficFromHostPeers(view, hostIfaces);
    if (!derived || derived.map((i) => i.name).join('/') !== own.join('/')) return false;
  }
  return true;
}

function networkOf(
  meta: DockerContainerMeta | undefined,
  init: AssembledProcess | undefined,
  namespaces: Namespaces,
  views: Map<number, NetnsView>,
  hostIfaces: NetInterface[],
): ContainerNetwork {
  const net: ContainerNetwork = {
    // Docker reports 'default' for the default bridge network on Linux.
    mode: meta ? (meta.networkMode === 'default' || meta.networkMode === '' ? 'bridge' : meta.networkMode) : 'unknown',
    hostVeth: null,
    hostVethIfindex: null,
    bridge: null,
    containerInterface: null,
    containerIflink: null,
    ipAddress: meta?.ipAddress ?? null,
    rxBytes: null,
    txBytes: null,
    rxPackets: null,
    txPackets: null,
    rxBytesPerSec: null,
    txBytesPerSec: null,
  };
  const ns = namespaces.net;
  // A container on the host's network has no counters of its own: the host's would be double-counted.
  if (!init || !ns || ns.sharedWithHost) return net;
  const view = views.get(ns.inode);
  if (!view) return net;
  const netDev = view.files.get('net/dev');
  const ifaces =
    netDev !== undefined
      ? parseNetDev(netDev).filter((i) => i.name !== 'lo')
      : (trafficFromHostPeers(view, hostIfaces) ?? []);
  if (ifaces.length === 0) return net;
  net.rxBytes = ifaces.reduce((s, i) => s + i.rxBytes, 0);
  net.txBytes = ifaces.reduce((s, i) => s + i.txBytes, 0);
  net.rxPackets = ifaces.reduce((s, i) => s + i.rxPackets, 0);
  net.txPackets = ifaces.reduce((s, i) => s + i.txPackets, 0);
  const primary = ifaces.find((i) => i.name === 'eth0') ?? ifaces[0];
  net.containerInterface = primary.name;
  const iflink = Number.parseInt(view.files.get(`root/sys/class/net/${primary.name}/iflink`) ?? '', 10);
  if (Number.isFinite(iflink)) {
    net.containerIflink = iflink;
    const peer = hostIfaces.find((i) => i.ifindex === iflink && i.kind === 'veth');
    if (peer) {
      net.hostVeth = peer.name;
      net.hostVethIfindex = peer.ifindex;
      net.bridge = peer.master;
    }
  }
  return net;
}

function stateOf(meta: DockerContainerMeta | undefined): { state: string; status: string } {
  if (meta) return { state: meta.state, status: meta.status };
  return { state: 'running', status: 'running (seen in cgroups only)' };
}

/** `pause` is awaited after each container: it yields to the event loop when the current slice is used up. */
export async function assembleContainers(
  input: ContainerInputs,
  pause: () => Promise<void> = async () => undefined,
): Promise<ContainerInfo[]> {
  const byContainer = new Map<string, AssembledProcess[]>();
  for (const p of input.processes) {
    if (!p.containerId) continue;
    const list = byContainer.get(p.containerId);
    if (list) list.push(p);
    else byContainer.set(p.containerId, [p]);
  }
  const metas = new Map(input.metas.map((m) => [m.id, m]));
  const ids = new Set([...metas.keys(), ...byContainer.keys()]);
  const out: ContainerInfo[] = [];

  for (const id of ids) {
    await pause();
    const meta = metas.get(id);
    const procs = (byContainer.get(id) ?? []).sort((a, b) => (a.nsPid.at(-1) ?? a.pid) - (b.nsPid.at(-1) ?? b.pid));
    const init = procs.find((p) => p.pid === meta?.initPid) ?? procs[0];
    const cgroupPath = init?.cgroupPath ?? null;
    const cgroupFiles = cgroupPath ? input.cgroupFiles.get(cgroupPath) : undefined;
    const metrics = cgroupPath ? parseCgroupMetrics(cgroupFiles ?? new Map()) : null;
    const namespaces = namespacesOf(init, input.host);
    const limitCpus =
      metrics?.cpu.quotaUs != null && metrics.cpu.periodUs ? metrics.cpu.quotaUs / metrics.cpu.periodUs : null;
    const usage = metrics?.memory.usageBytes ?? null;
    const limit = metrics?.memory.limitBytes ?? null;

    out.push({
      id,
      name: meta?.name ?? shortId(id),
      image: meta?.image ?? 'unknown',
      command: meta?.command ?? (init ? init.command : null),
      ...stateOf(meta),
      health: meta?.health ?? null,
      createdAt: meta?.createdAt ?? null,
      startedAt: meta?.startedAt ?? null,
      restartCount: meta?.restartCount ?? null,
      labels: meta?.labels ?? {},
      compose: meta?.compose ?? null,
      runtime: init?.runtime ?? 'docker',
      source: meta ? 'docker-api' : 'cgroup',
      privileged: meta?.privileged ?? null,
      pidMode: meta?.pidMode ?? null,
      initPid: init?.pid ?? null,
      memory: {
        usageBytes: usage,
        rawUsageBytes: metrics?.memory.rawUsageBytes ?? null,
        limitBytes: limit,
        percent: usage !== null && limit ? (usage / limit) * 100 : null,
        cacheBytes: metrics?.memory.cacheBytes ?? null,
        rssBytes: metrics?.memory.rssBytes ?? null,
        swapBytes: metrics?.memory.swapBytes ?? null,
        oomKills: metrics?.memory.oomKills ?? null,
        failCount: metrics?.memory.failCount ?? null,
      },
      cpu: {
        percent: null,
        usageNs: metrics?.cpu.usageNs ?? null,
        limitCpus,
        quotaUs: metrics?.cpu.quotaUs ?? null,
        periodUs: metrics?.cpu.periodUs ?? null,
        shares: metrics?.cpu.shares ?? null,
        weight: metrics?.cpu.weight ?? null,
        cpuset: metrics?.cpu.cpuset ?? null,
        periods: metrics?.cpu.periods ?? null,
        throttledPeriods: metrics?.cpu.throttledPeriods ?? null,
        throttledNs: metrics?.cpu.throttledNs ?? null,
        throttledPercent: null,
        throttledWindow: null,
        perCpuNs: metrics?.cpu.perCpuNs ?? null,
      },
      pids: { current: metrics?.pids.current ?? null, limit: metrics?.pids.limit ?? null },
      pressure: cgroupFiles
        ? pressureSet(
            cgroupFiles.get('cpu.pressure'),
            cgroupFiles.get('memory.pressure'),
            cgroupFiles.get('io.pressure'),
          )
        : null,
      blockIo: {
        readBytes: metrics?.blockIo.readBytes ?? null,
        writeBytes: metrics?.blockIo.writeBytes ?? null,
        readBytesPerSec: null,
        writeBytesPerSec: null,
      },
      network: networkOf(meta, init, namespaces, input.netnsViews, input.host.interfaces),
      namespaces,
      cgroupPath,
      paths: {
        containerDir: meta?.containerDir ?? null,
        mergedDir: meta?.mergedDir ?? null,
        upperDir: meta?.upperDir ?? null,
        workDir: meta?.workDir ?? null,
      },
      // The innermost NSpid is the PID tools inside see (the host PID itself under --pid host).
      processes: procs.map((p) => ({
        hostPid: p.pid,
        containerPid: p.nsPid[p.nsPid.length - 1] ?? null,
        name: p.name,
      })),
    });
  }
  // Running first, then by name: the order a user scans a container list in.
  return out.sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || byText(a.name, b.name));
}
