// What the collector needs from the Engine API each refresh, asked cheaply: one list per call, and an
// inspect only for containers that are new or whose state changed (metrics come from cgroups, not from here).
import type { ContainerCounts, DockerStatus } from '../model';
import { MonitorError } from '../transport/types';
import type { ContainerInspect, ContainerSummary, DockerEngine, EngineInfo, EngineVersion } from './engineApi';

export interface DockerLimits {
  /** HostConfig.Memory; null when unlimited (0). */
  memoryBytes: number | null;
  /** HostConfig.NanoCpus (--cpus x 1e9); null when unset (0). */
  nanoCpus: number | null;
  /** HostConfig.CpuQuota in us (--cpu-quota); null when unset (0 or -1). */
  cpuQuota: number | null;
  /** HostConfig.CpuPeriod in us; null when unset (0: the kernel default of 100000 applies). */
  cpuPeriod: number | null;
  /** HostConfig.PidsLimit; null when unlimited (0, -1 or null, depending on the daemon's version). */
  pidsLimit: number | null;
}

export interface DockerContainerMeta {
  /** Full 64-hex id. */
  id: string;
  /** Without the leading slash. */
  name: string;
  /** The image as the user named it (Config.Image), not its sha256. */
  image: string;
  /** As `docker ps` shows it: path and arguments, quoted where needed. */
  command: string;
  /** created, running, paused, restarting, removing, exited or dead. */
  state: string;
  /** Docker's human text, e.g. "Up 3 minutes (healthy)". */
  status: string;
  /** State.Health.Status (starting, healthy, unhealthy) or null without a healthcheck. */
  health: string | null;
  createdAt: string | null;
  /** Null when never started. */
  startedAt: string | null;
  restartCount: number;
  labels: Record<string, string>;
  compose: { project: string; service: string | null } | null;
  privileged: boolean;
  /** HostConfig.PidMode: '' for the container's own PID namespace, 'host', or 'container:<id>'. */
  pidMode: string;
  /** HostConfig.NetworkMode: 'default' or 'bridge', 'host', 'none', 'container:<id>', or a network name. */
  networkMode: string;
  /** Host PID of the container's first process; null when not running. */
  initPid: number | null;
  ipAddress: string | null;
  mergedDir: string | null;
  upperDir: string | null;
  workDir: string | null;
  /** `<DockerRootDir>/containers/<id>`: config, hostname, hosts, resolv.conf and the json log. */
  containerDir: string | null;
  limits: DockerLimits;
}

export interface DockerDescription {
  status: DockerStatus;
  containers: DockerContainerMeta[];
}

/** Inspects run at most this many at a time: enough to be quick, few enough not to load dockerd. */
const MAX_PARALLEL_INSPECTS = 8;
const ZERO_TIME = /^0001-01-01T/;

interface CacheEntry {
  fingerprint: string;
  meta: DockerContainerMeta;
}

export class DockerDescriber {
  private engineFacts: { version: EngineVersion; info: EngineInfo } | null = null;
  private cache = new Map<string, CacheEntry>();
  private inFlight: Promise<DockerDescription> | null = null;

  constructor(private readonly engine: DockerEngine) {}

  /** Never throws for an absent, refusing or silent daemon: the status says why instead. */
  describe(): Promise<DockerDescription> {
    // Overlapping callers share one round of requests rather than doubling the load on dockerd.
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async run(): Promise<DockerDescription> {
    try {
      if (!this.engineFacts) {
        const [version, info] = await Promise.all([this.engine.version(), this.engine.info()]);
        this.engineFacts = { version, info };
      }
      const { version, info } = this.engineFacts;
      const rootDir = str(info.DockerRootDir) || null;
      const list = await this.engine.listContainers();
      const containers = await this.refresh(list, rootDir);
      return {
        status: {
          reachable: true,
          reason: null,
          version: str(version.Version) || null,
          apiVersion: str(version.ApiVersion) || null,
          rootDir,
          socketPath: this.engine.socketPath,
        },
        containers,
      };
    } catch (err) {
      if (!(err instanceof MonitorError)) throw err;
      // The daemon may come back upgraded or with other containers: start afresh then.
      this.engineFacts = null;
      this.cache.clear();
      return {
        status: {
          reachable: false,
          reason: err.message,
          version: null,
          apiVersion: null,
          rootDir: null,
          socketPath: this.engine.socketPath,
        },
        containers: [],
      };
    }
  }

  private async refresh(list: ContainerSummary[], rootDir: string | null): Promise<DockerContainerMeta[]> {
    const next = new Map<string, CacheEntry>();
    const toInspect: ContainerSummary[] = [];
    for (const summary of list) {
      if (!isObject(summary) || typeof summary.Id !== 'string') continue;
      const cached = this.cache.get(summary.Id);
      if (cached && cached.fingerprint === fingerprint(summary)) {
        // A rename changes no state: take the name from the fresh list.
        next.set(summary.Id, { fingerprint: cached.fingerprint, meta: { ...cached.meta, name: summaryName(summary) ?? cached.meta.name } });
      } else {
        toInspect.push(summary);
      }
    }
    await forEachLimited(toInspect, MAX_PARALLEL_INSPECTS, async (summary) => {
      try {
        const raw = await this.engine.inspect(summary.Id);
        next.set(summary.Id, { fingerprint: fingerprint(summary), meta: containerMeta(raw, summary, rootDir) });
      } catch (err) {
        // Removed between the list and the inspect: it is simply gone.
        if (err instanceof MonitorError && err.code === 'not-found') return;
        throw err;
      }
    });
    this.cache = next;
    // Keep the daemon's list order (newest first).
    return list.flatMap((s) => {
      const entry = isObject(s) ? next.get(s.Id) : undefined;
      return entry ? [entry.meta] : [];
    });
  }
}

/**
 * What, in a list entry, tells that an inspect is due. Status is human text whose precision falls with age
 * ("Up 5 seconds", "Up 3 minutes", "Up 2 hours"), so an old container is re-inspected about once an hour,
 * and a restart (which resets it) or a health change (which it shows) is always caught.
 */
function fingerprint(summary: ContainerSummary): string {
  return `${summary.State}\u0000${summary.Status}`;
}

function summaryName(summary: ContainerSummary | undefined): string | null {
  const first = summary?.Names?.find((n) => typeof n === 'string' && n.length > 0);
  return first ? first.replace(/^\//, '') : null;
}

/** Pure: one inspect reply (plus its list entry when known) to what the collector uses. */
export function containerMeta(raw: ContainerInspect, summary: ContainerSummary | undefined, rootDir: string | null): DockerContainerMeta {
  const state = raw.State ?? null;
  const host = raw.HostConfig ?? null;
  const config = raw.Config ?? null;
  const graph = raw.GraphDriver?.Data ?? null;
  const labels = { ...labelMap(summary?.Labels), ...labelMap(config?.Labels) };
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  const pid = num(state?.Pid);
  return {
    id: raw.Id,
    name: summaryName(summary) ?? (str(raw.Name).replace(/^\//, '') || raw.Id.slice(0, 12)),
    image: str(config?.Image) || str(summary?.Image) || str((raw as { Image?: unknown }).Image),
    command: str(summary?.Command) || commandLine(raw),
    state: str(summary?.State) || str(state?.Status) || 'unknown',
    status: str(summary?.Status) || str(state?.Status) || 'unknown',
    health: str(state?.Health?.Status) || null,
    createdAt: isoTime(raw.Created) ?? (typeof summary?.Created === 'number' ? new Date(summary.Created * 1000).toISOString() : null),
    startedAt: isoTime(state?.StartedAt),
    restartCount: num(raw.RestartCount) ?? 0,
    labels,
    compose: project ? { project, service: service || null } : null,
    privileged: host?.Privileged === true,
    pidMode: str(host?.PidMode),
    networkMode: str(host?.NetworkMode) || 'default',
    initPid: pid !== null && pid > 0 ? pid : null,
    ipAddress: ipAddressOf(raw),
    mergedDir: str(graph?.MergedDir) || null,
    upperDir: str(graph?.UpperDir) || null,
    workDir: str(graph?.WorkDir) || null,
    containerDir: containerDirOf(raw, rootDir),
    limits: {
      memoryBytes: positive(host?.Memory),
      nanoCpus: positive(host?.NanoCpus),
      cpuQuota: positive(host?.CpuQuota),
      cpuPeriod: positive(host?.CpuPeriod),
      pidsLimit: positive(host?.PidsLimit),
    },
  };
}

/** Counts by state; accepts raw list entries (`State`) or metas (`state`). Unknown states count in total only. */
export function containerStateCounts(list: ReadonlyArray<{ State: string } | { state: string }>): ContainerCounts {
  const counts: ContainerCounts = { total: 0, running: 0, paused: 0, restarting: 0, exited: 0, created: 0, dead: 0 };
  for (const c of list) {
    counts.total++;
    const state = 'state' in c ? c.state : c.State;
    switch (state) {
      case 'running':
      case 'paused':
      case 'restarting':
      case 'exited':
      case 'created':
      case 'dead':
        counts[state]++;
        break;
      default:
        break;
    }
  }
  return counts;
}

function containerDirOf(raw: ContainerInspect, rootDir: string | null): string | null {
  // HostnamePath/LogPath are under the container's folder once it has started; a never-started one has neither.
  for (const p of [raw.HostnamePath, raw.LogPath]) {
    const path = str(p);
    const slash = path.lastIndexOf('/');
    if (slash > 0) return path.slice(0, slash);
  }
  return rootDir ? `${rootDir.replace(/\/+$/, '')}/containers/${raw.Id}` : null;
}

function ipAddressOf(raw: ContainerInspect): string | null {
  const networks = raw.NetworkSettings?.Networks;
  if (isObject(networks)) {
    for (const n of Object.values(networks)) {
      const ip = str(isObject(n) ? n.IPAddress : undefined);
      if (ip) return ip;
    }
  }
  return str(raw.NetworkSettings?.IPAddress) || null;
}

function commandLine(raw: ContainerInspect): string {
  const args = Array.isArray(raw.Args) ? raw.Args.map(str) : [];
  return [str(raw.Path), ...args].filter((a) => a.length > 0).join(' ');
}

/** RFC 3339 (nanoseconds allowed) to ISO; Go's zero time ("never") and garbage to null. */
function isoTime(value: unknown): string | null {
  const s = str(value);
  if (!s || ZERO_TIME.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function labelMap(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(labels)) return out;
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]);
      } catch (err) {
        failed = true; // start no more: the whole call fails anyway
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function positive(v: unknown): number | null {
  const n = num(v);
  return n !== null && n > 0 ? n : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
