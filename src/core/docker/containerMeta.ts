// One inspect reply (plus its list entry when known) to what the collector uses: pure, and never throws on
// odd replies (missing sections read as unknown or null).
import type { ContainerCounts } from '../model';
import type { ContainerInspect, ContainerSummary } from './engineApi';
import { statusClock, statusText } from './statusText';
import { shortId } from '../identity';

const ZERO_TIME = /^0001-01-01T/;

interface DockerLimits {
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

/** The list entry's first name, without its slash. */
export function summaryName(summary: ContainerSummary | undefined): string | null {
  const names: unknown = summary?.Names;
  const first = Array.isArray(names)
    ? names.find((n): n is string => typeof n === 'string' && n.length > 0)
    : undefined;
  return first ? first.replace(/^\//, '') : null;
}

/** Pure: one inspect reply (plus its list entry when known) to what the collector uses. */
export function containerMeta(
  raw: ContainerInspect,
  summary: ContainerSummary | undefined,
  rootDir: string | null,
  nowMs = Date.now(),
): DockerContainerMeta {
  const state = raw.State ?? null;
  const host = raw.HostConfig ?? null;
  const config = raw.Config ?? null;
  const graph = raw.GraphDriver?.Data ?? null;
  const labels = { ...labelMap(summary?.Labels), ...labelMap(config?.Labels) };
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  const pid = count(state?.Pid);
  return {
    id: raw.Id,
    name: summaryName(summary) ?? (str(raw.Name).replace(/^\//, '') || shortId(raw.Id)),
    image: str(config?.Image) || str(summary?.Image) || str((raw as { Image?: unknown }).Image),
    command: str(summary?.Command) || commandLine(raw),
    state: str(summary?.State) || str(state?.Status) || 'unknown',
    status: statusText(statusClock(state), nowMs) || str(summary?.Status) || str(state?.Status) || 'unknown',
    health: str(state?.Health?.Status) || null,
    createdAt: isoTime(raw.Created) ?? unixTime(summary?.Created),
    startedAt: isoTime(state?.StartedAt),
    restartCount: count(raw.RestartCount) ?? 0,
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

/** As the daemon's list builds Command: arguments with a space in single quotes, nothing else escaped. */
function commandLine(raw: ContainerInspect): string {
  const args = Array.isArray(raw.Args) ? raw.Args.map(str) : [];
  const quoted = args.map((a) => (a.includes(' ') ? `'${a}'` : a));
  return args.length > 0 ? `${str(raw.Path)} ${quoted.join(' ')}` : str(raw.Path);
}

/** RFC 3339 (nanoseconds allowed) to ISO; Go's zero time ("never") and garbage to null. */
function isoTime(value: unknown): string | null {
  const s = str(value);
  if (!s || ZERO_TIME.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function labelMap(labels: unknown): Record<string, string> {
  // No prototype: a label named __proto__ is stored as data, not dropped (the spread into meta keeps it own).
  const out = Object.create(null) as Record<string, string>;
  if (!isObject(labels)) return out;
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A whole count (PID, restarts); null for a fraction, a negative or a number past 2^53. */
function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** The list's Created (Unix seconds) as ISO; null when not a time a Date can hold. */
function unixTime(v: unknown): string | null {
  const n = num(v);
  const ms = n === null ? NaN : n * 1000;
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}

function positive(v: unknown): number | null {
  const n = num(v);
  return n !== null && n > 0 ? n : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
