// The pure half of a refresh: one batch of file reads and one Engine API answer in, one Snapshot (without rates)
// out. No transport, no cache, no Docker connection: the Collector (collector.ts) fetches, this assembles.
import type { ContainerCounts, NamespaceType, Snapshot, SocketInfo } from '../model';
import type { BatchResult } from '../transport/types';
import { containerStateCounts } from '../docker/describe';
import type { DockerContainerMeta, DockerDescription } from '../docker/describe';
import { parsePasswd, parseProcStatCpu } from '../parse/host';
import { namespaceInodeFromLink } from '../parse/links';
import { parseProcNetSockets } from '../parse/sockets';
import { HOST_FILES } from './plan';
import { cgroupFilesByPath, indexBatchInTurns } from './batchIndex';
import type { BatchIndex, KnownProcesses } from './batchIndex';
import { assembleProcesses, attachSockets, toProcessInfo } from './assembleProcesses';
import type { AssembledProcess } from './assembleProcesses';
import { assembleHost } from './assembleHost';
import { assembleContainers, netDevFromHostPeers } from './assembleContainers';
import type { NetnsView } from './assembleContainers';

const SOCKET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6'] as const;

/** The host's namespaces: those of PID 1, or of the lowest PID outside any container when 1 is unreadable. */
function hostNamespaces(processes: AssembledProcess[]): Partial<Record<NamespaceType, number>> {
  const ref =
    processes.find((p) => p.pid === 1 && Object.keys(p.namespaces).length > 0) ??
    processes.find((p) => p.containerId === null && Object.keys(p.namespaces).length > 0);
  return ref ? { ...ref.namespaces } : {};
}

/** Network namespace inode -> what its representative process showed (files and socket tables). */
function netnsViews(index: BatchIndex): {
  views: Map<number, NetnsView>;
  sockets: Map<number, Map<number, SocketInfo>>;
} {
  const views = new Map<number, NetnsView>();
  const sockets = new Map<number, Map<number, SocketInfo>>();
  for (const [pid, files] of index.netnsFiles) {
    const p = index.processes.get(pid);
    const link = p?.ns.get('net') ?? p?.known?.ns.get('net');
    const ns = link ? namespaceInodeFromLink(link) : null;
    if (!ns) continue;
    views.set(ns.inode, { files });
    const table = new Map<number, SocketInfo>();
    for (const proto of SOCKET_TABLES) {
      for (const s of parseProcNetSockets(files.get(`net/${proto}`) ?? '', proto)) table.set(s.inode, s);
    }
    sockets.set(ns.inode, table);
  }
  return { views, sockets };
}

function countsFrom(metas: DockerContainerMeta[] | null, cgroupOnly: number): ContainerCounts {
  if (metas) return containerStateCounts(metas);
  return { total: cgroupOnly, running: cgroupOnly, paused: 0, restarting: 0, exited: 0, created: 0, dead: 0 };
}

/** A turn of the event loop between stages: at 200 containers no stage of a refresh holds it for long. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Within a stage that loops over processes or containers: a turn once SLICE_MS have passed since the last. */
const SLICE_MS = 4;
export function slicer(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await turn();
    since = performance.now();
  };
}

/** One batch and one Engine API answer in, one Snapshot (without rates) out; yields between its stages. */
export async function assembleSnapshot(
  target: string,
  batch: BatchResult,
  docker: DockerDescription,
  dockerRoot: string,
  durationMs: number,
  slowReadAt: string | null = null,
  known?: KnownProcesses,
  report: { netDevFromHostPeers?: boolean } = {},
): Promise<Snapshot> {
  const index = await indexBatchInTurns(batch, known, slicer());
  const cpu = parseProcStatCpu(batch.files.get(HOST_FILES.stat) ?? '');
  const users = parsePasswd(batch.files.get(HOST_FILES.passwd) ?? '');
  await turn();
  const processes = await assembleProcesses(index, cpu?.bootTime ?? null, users, slicer());
  await turn();
  const { views, sockets } = netnsViews(index);
  attachSockets(processes, sockets);
  await turn();

  const containerIds = new Set(processes.map((p) => p.containerId).filter((id): id is string => id !== null));
  const reachable = docker.status.reachable;
  const namespaces = hostNamespaces(processes);
  const { host, sampleUptime } = assembleHost(
    batch,
    index,
    dockerRoot,
    countsFrom(reachable ? docker.containers : null, containerIds.size),
    namespaces,
    cpu,
  );
  await turn();
  const cgroupPaths = processes.map((p) => p.cgroupPath).filter((c): c is string => c !== null);
  const containers = await assembleContainers(
    {
      processes,
      metas: docker.containers,
      cgroupFiles: cgroupFilesByPath(index, cgroupPaths, host.cgroupVersion),
      netnsViews: views,
      host,
      dockerRoot,
    },
    slicer(),
  );
  report.netDevFromHostPeers = netDevFromHostPeers(views, host.interfaces, namespaces.net);

  const warnings: string[] = [];
  if (!reachable) {
    warnings.push(
      `Docker API unreachable (${docker.status.reason ?? 'unknown reason'}): containers found from cgroups have no names, images or states.`,
    );
  }
  if (!batch.files.has(HOST_FILES.stat)) warnings.push('/proc/stat could not be read: host CPU figures are missing.');
  const unreadableFds = processes.filter((p) => p.openFds === null).length;
  if (unreadableFds > 0)
    warnings.push(
      `${unreadableFds} processes' open files could not be read (permission denied, or they exited during the read).`,
    );

  return {
    target,
    collectedAt: new Date().toISOString(),
    sampleUptime,
    durationMs,
    slowReadAt: slowReadAt ?? new Date().toISOString(),
    host,
    docker: docker.status,
    containers,
    processes: processes.map(toProcessInfo),
    warnings,
  };
}
