// One target's refresh: one batch of file reads and one Engine API pass in parallel, assembled into a Snapshot.
import type { ContainerCounts, NamespaceType, Snapshot, SocketInfo } from '../model';
import type { BatchResult, Transport } from '../transport/types';
import { DEFAULT_DOCKER_SOCKET, DockerEngine } from '../docker/engineApi';
import type { EngineEvent } from '../docker/engineApi';
import { DockerDescriber, containerStateCounts } from '../docker/describe';
import type { DockerContainerMeta } from '../docker/describe';
import { parsePasswd, parseProcStatCpu } from '../parse/host';
import { namespaceInodeFromLink } from '../parse/links';
import { parseProcNetSockets } from '../parse/sockets';
import { applyRates } from '../analyze/rates';
import { buildPlan, buildTieredPlan, DEFAULT_DOCKER_ROOT, HOST_FILES } from './plan';
import { ReadCache } from './readCache';
import { FULL_DEMAND, isFullDemand } from './demand';
import { dropUnshown, keepShown } from './shown';
import type { Demand } from './demand';
import { cgroupFilesByPath, indexBatchInTurns } from './batchIndex';
import type { BatchIndex, KnownProcesses } from './batchIndex';
import { assembleProcesses, attachSockets, toProcessInfo } from './assembleProcesses';
import type { AssembledProcess } from './assembleProcesses';
import { assembleHost } from './assembleHost';
import { assembleContainers, netDevFromHostPeers } from './assembleContainers';
import type { NetnsView } from './assembleContainers';

const SOCKET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6'] as const;

export interface CollectorOptions {
  log?: (line: string) => void;
  socketPath?: string;
  /** Every how many refreshes the slow tier (socket tables, fd counts, host details) is read; default 10. */
  slowEvery?: number;
  /** false: read everything every refresh (the design before tiers; kept for the benchmark's comparison). */
  tiered?: boolean;
  /** false: list containers every refresh instead of following the Docker event stream (default true). */
  dockerEvents?: boolean;
}

const DEFAULT_SLOW_EVERY = 10;

/** The host's namespaces: those of PID 1, or of the lowest PID outside any container when 1 is unreadable. */
function hostNamespaces(processes: AssembledProcess[]): Partial<Record<NamespaceType, number>> {
  const ref = processes.find((p) => p.pid === 1 && Object.keys(p.namespaces).length > 0) ??
    processes.find((p) => p.containerId === null && Object.keys(p.namespaces).length > 0);
  return ref ? { ...ref.namespaces } : {};
}

/** Network namespace inode -> what its representative process showed (files and socket tables). */
function netnsViews(index: BatchIndex): { views: Map<number, NetnsView>; sockets: Map<number, Map<number, SocketInfo>> } {
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
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Within a stage that loops over processes or containers: a turn once SLICE_MS have passed since the last. */
const SLICE_MS = 4;
function slicer(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await turn();
    since = performance.now();
  };
}

/** One batch and one Engine API answer in, one Snapshot (without rates) out; yields between its stages. */
async function assembleSnapshot(
  target: string,
  batch: BatchResult,
  docker: Awaited<ReturnType<DockerDescriber['describe']>>,
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
  const containers = await assembleContainers({
    processes,
    metas: docker.containers,
    cgroupFiles: cgroupFilesByPath(index, cgroupPaths, host.cgroupVersion),
    netnsViews: views,
    host,
    dockerRoot,
  }, slicer());
  report.netDevFromHostPeers = netDevFromHostPeers(views, host.interfaces, namespaces.net);

  const warnings: string[] = [];
  if (!reachable) {
    warnings.push(`Docker API unreachable (${docker.status.reason ?? 'unknown reason'}): containers found from cgroups have no names, images or states.`);
  }
  if (!batch.files.has(HOST_FILES.stat)) warnings.push('/proc/stat could not be read: host CPU figures are missing.');
  const unreadableFds = processes.filter((p) => p.openFds === null).length;
  if (unreadableFds > 0) warnings.push(`${unreadableFds} processes' open files could not be read (permission denied, or they exited during the read).`);

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

export class Collector {
  private readonly engine: DockerEngine;
  private readonly describer: DockerDescriber;
  private previous: Snapshot | null = null;
  private dockerRoot = DEFAULT_DOCKER_ROOT;
  private readonly cache: ReadCache | null;
  /** Each running container's main PID, from the last Engine API answer. */
  private mainPids: number[] = [];

  constructor(
    readonly transport: Transport,
    private readonly options: CollectorOptions = {},
  ) {
    // The target's one Docker connection: the describer lists, inspects and follows events on this engine, and
    // followDockerEvents hands the same stream to the session (one API version negotiation per target).
    const socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.engine = new DockerEngine(() => transport.openUnixSocket(socketPath), socketPath);
    this.describer = new DockerDescriber(this.engine, { followEvents: options.dockerEvents !== false });
    this.cache = options.tiered === false ? null : new ReadCache(Math.max(1, options.slowEvery ?? DEFAULT_SLOW_EVERY));
  }

  /**
   * One snapshot; rates are filled against the previous call's snapshot (null on the first). `full` reads the
   * slow tier now (socket tables, fd counts): for a view that shows them and must not show them old. `demand`
   * is what the views show (everything by default); a refresh for less reads less.
   */
  async sample(options: { full?: boolean; demand?: Demand } = {}): Promise<Snapshot> {
    const started = Date.now();
    const demand = options.demand ?? FULL_DEMAND;
    const tier = this.cache?.request(options.full === true, demand, this.mainPids) ?? null;
    const plan = tier ? buildTieredPlan(this.dockerRoot, tier) : buildPlan(this.dockerRoot);
    const [batch, docker] = await Promise.all([this.transport.readBatch(plan), this.describer.describe()]);
    let known: KnownProcesses | undefined;
    if (tier && this.cache) {
      known = await this.cache.completeInTurns(batch, tier, slicer());
      // A pruning refresh read every process; assemble only those shown (the cache now knows whose they are).
      if (demand.processes !== 'all' && tier.stat === 'all') dropUnshown(batch, new Set(this.cache.pidsShown(demand.processes, this.mainPids)));
    }
    // The data root is known after the first API answer; the next batch measures its disk.
    if (docker.status.rootDir) this.dockerRoot = docker.status.rootDir;
    this.mainPids = docker.containers.flatMap((m) => (m.initPid !== null && m.initPid > 0 ? [m.initPid] : []));
    const durationMs = Date.now() - started;
    const slowAt = this.cache?.slowReadAt;
    const report: { netDevFromHostPeers?: boolean } = {};
    const assembled = await assembleSnapshot(this.transport.label, batch, docker, this.dockerRoot, durationMs, slowAt ? new Date(slowAt).toISOString() : null, known, report);
    if (tier && this.cache && tier.netnsNetDev !== false) this.cache.netDevFromHostPeers = report.netDevFromHostPeers === true;
    if (tier && (!isFullDemand(demand) || !tier.containerDetail)) {
      assembled.partial = { processes: demand.processes === 'all' ? 'all' : [...demand.processes], containerDetail: tier.containerDetail };
    }
    if (tier) keepShown(assembled, demand);
    await turn();
    const snapshot = applyRates(this.previous, assembled);
    this.previous = snapshot;
    this.options.log?.(
      `${this.transport.label}: ${snapshot.containers.length} containers, ${snapshot.processes.length} processes in ${durationMs} ms (batch ${batch.durationMs} ms${tier ? (tier.slow ? ', slow tier' : isFullDemand(demand) ? '' : ', what is shown') : ', full read'})`,
    );
    return snapshot;
  }

  /**
   * Two samples at least `intervalMs` apart (start to start), so that CPU % and byte rates are real: what a
   * one-shot CLI call needs. A first sample that reads everything cold may take longer than the interval by
   * itself; the second then follows at once (rates use the time that really passed between the two reads).
   */
  async sampleWithRates(intervalMs: number, options: { full?: boolean } = {}): Promise<Snapshot> {
    if (!this.previous) {
      const started = performance.now();
      await this.sample();
      const left = intervalMs - (performance.now() - started);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
    return this.sample(options);
  }

  /** The container events of the describer's own stream: one Docker connection per target (see DockerDescriber.follow). */
  followDockerEvents(onEvent: (event: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    return this.describer.follow(onEvent, signal);
  }

  /** Engine API requests sent so far (the event subscription counts once): what refreshes cost the daemon. */
  get dockerRequests(): number {
    return this.engine.requestCount;
  }

  async close(): Promise<void> {
    this.describer.close();
    await this.transport.close();
  }
}
