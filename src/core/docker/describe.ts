// What the collector needs from the Engine API each refresh, asked cheaply. In steady state nothing is asked:
// the container event stream marks containers dirty and the next describe() inspects only those. Without the
// stream (first use, or after losing it) each describe() lists, and inspects what is new or changed.
import type { ContainerCounts, DockerStatus } from '../model';
import { MonitorError } from '../transport/types';
import type { ContainerInspect, ContainerSummary, DockerEngine, EngineEvent, EngineInfo, EngineVersion } from './engineApi';
import { containerEventEffect, eventContainerId } from './containerEvents';
import { EventFeed } from './eventFeed';
import type { FeedState } from './eventFeed';
import { statusClock, statusText } from './statusText';
import type { StatusClock } from './statusText';
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

export interface DescriberOptions {
  /** false: list every describe() (no event stream), as a one-shot caller may prefer. Default true. */
  followEvents?: boolean;
  /** First wait before reopening a lost event stream; doubles per failure up to a minute. Default 1 s. */
  eventsRetryMs?: number;
}

/** Inspects run at most this many at a time: enough to be quick, few enough not to load dockerd. */
const MAX_PARALLEL_INSPECTS = 8;
/** Replay events from a little before the daemon's clock said "now": a margin, not a guess at skew. */
const SINCE_MARGIN_S = 2;
const ZERO_TIME = /^0001-01-01T/;

interface CacheEntry {
  /** (State, Status) of the list entry it was inspected for; null when inspected on an event (no list). */
  fingerprint: string | null;
  meta: DockerContainerMeta;
  clock: StatusClock;
}

interface Follower {
  onEvent: (event: EngineEvent) => void;
  fail: (error: MonitorError) => void;
}

export class DockerDescriber {
  private engineFacts: { version: EngineVersion; info: EngineInfo } | null = null;
  private cache = new Map<string, CacheEntry>();
  /** Containers an event said changed since their last inspect (ids not in the cache are new ones). */
  private readonly dirty = new Set<string>();
  /** Destroyed while a describe() ran: an inspect answered before the removal must not bring them back. */
  private readonly destroyed = new Set<string>();
  /** Daemon clock minus ours (ms), from /info: status texts count time as the daemon does. */
  private skewMs = 0;
  private inFlight: Promise<DockerDescription> | null = null;
  private readonly feed: EventFeed | null;
  private readonly followers = new Set<Follower>();

  constructor(
    private readonly engine: DockerEngine,
    options: DescriberOptions = {},
  ) {
    this.feed =
      options.followEvents === false
        ? null
        : new EventFeed(engine, { event: (e) => this.onEngineEvent(e), lost: (err) => this.onFeedLost(err) }, options.eventsRetryMs);
  }

  /** 'live' when describe() needs no request; 'down' while it lists every time. */
  get eventStream(): FeedState {
    return this.feed?.state ?? 'down';
  }

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

  /**
   * Passes on every container event of this describer's stream until `signal` aborts (then resolves). Rejects
   * when the stream is lost (or is down now): the caller may try again later, the describer reopens it itself.
   */
  follow(onEvent: (event: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    if (!this.feed) return Promise.reject(new MonitorError('this describer does not follow Docker events', 'internal'));
    if (this.feed.state === 'down' && this.feed.lastError) return Promise.reject(this.feed.lastError);
    return new Promise<void>((resolve, reject) => {
      const follower: Follower = {
        onEvent,
        fail: (err) => {
          signal.removeEventListener('abort', stop);
          reject(err);
        },
      };
      const stop = () => {
        this.followers.delete(follower);
        resolve();
      };
      signal.addEventListener('abort', stop, { once: true });
      this.followers.add(follower);
    });
  }

  /** Closes the event stream; followers see it as lost. */
  close(): void {
    this.feed?.reset();
    this.failFollowers(new MonitorError('the Docker connection was closed', 'docker-unavailable'));
  }

  private async run(): Promise<DockerDescription> {
    this.destroyed.clear();
    try {
      let freshInfo = false;
      if (!this.engineFacts) {
        const [version, info] = await Promise.all([this.engine.version(), this.engine.info()]);
        this.engineFacts = { version, info };
        freshInfo = true;
      }
      const rootDir = str(this.engineFacts.info.DockerRootDir) || null;
      if (this.feed?.state === 'live') {
        // Let event data already in the socket be read first: a change just made is then in this refresh.
        await new Promise((resolve) => setImmediate(resolve));
        await this.inspectDirty(rootDir);
      } else {
        if (this.feed?.canOpen) await this.openFeed(freshInfo);
        await this.refreshFromList(await this.engine.listContainers(), rootDir);
      }
      const { version } = this.engineFacts;
      return {
        status: {
          reachable: true,
          reason: null,
          version: str(version.Version) || null,
          apiVersion: str(version.ApiVersion) || null,
          rootDir,
          socketPath: this.engine.socketPath,
        },
        containers: this.output(),
      };
    } catch (err) {
      if (!(err instanceof MonitorError)) throw err;
      // The daemon may come back upgraded or with other containers: start afresh then.
      this.engineFacts = null;
      this.cache.clear();
      this.dirty.clear();
      this.feed?.reset();
      this.failFollowers(err);
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

  /**
   * Subscribes before the list that follows, so nothing falls between them. The daemon sends its response
   * headers just before it registers the subscriber, so "headers received" alone leaves a gap: `since` (the
   * daemon's own clock from /info, minus a margin) makes it replay its buffered events from before the list.
   * A replayed event only marks a container dirty: one extra inspect, never a wrong view.
   */
  private async openFeed(freshInfo: boolean): Promise<void> {
    const info = freshInfo ? this.engineFacts!.info : await this.engine.info();
    const daemonNow = Date.parse(str((info as { SystemTime?: unknown }).SystemTime));
    this.skewMs = Number.isFinite(daemonNow) ? daemonNow - Date.now() : 0;
    await this.feed!.open(Number.isFinite(daemonNow) ? Math.floor(daemonNow / 1000) - SINCE_MARGIN_S : undefined);
  }

  private onEngineEvent(event: EngineEvent): void {
    const effect = containerEventEffect(event);
    if (effect === 'ignore') return;
    const id = eventContainerId(event)!;
    if (effect === 'destroyed') {
      this.cache.delete(id);
      this.dirty.delete(id);
      this.destroyed.add(id);
    } else {
      this.dirty.add(id);
    }
    for (const f of this.followers) f.onEvent(event);
  }

  private onFeedLost(error: MonitorError): void {
    // Events may have been missed: every container is inspected again at the next list.
    for (const entry of this.cache.values()) entry.fingerprint = null;
    this.failFollowers(error);
  }

  private failFollowers(error: MonitorError): void {
    const all = [...this.followers];
    this.followers.clear();
    for (const f of all) f.fail(error);
  }

  /** Steady state: inspect what events marked, nothing else. */
  private async inspectDirty(rootDir: string | null): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    await forEachLimited(ids, MAX_PARALLEL_INSPECTS, async (id) => {
      const entry = await this.inspectEntry(id, undefined, rootDir);
      if (entry) this.cache.set(id, entry);
      else this.cache.delete(id);
    });
  }

  /** Without events: the list says what exists; inspect what is new, changed, or marked by an event. */
  private async refreshFromList(list: ContainerSummary[], rootDir: string | null): Promise<void> {
    const marked = new Set(this.dirty);
    this.dirty.clear();
    const next = new Map<string, CacheEntry>();
    const toInspect: ContainerSummary[] = [];
    for (const summary of list) {
      if (!isObject(summary) || typeof summary.Id !== 'string') continue;
      const cached = this.cache.get(summary.Id);
      if (cached && !marked.has(summary.Id) && cached.fingerprint === fingerprint(summary)) {
        // A rename changes no state: take the name from the fresh list.
        next.set(summary.Id, { ...cached, meta: { ...cached.meta, name: summaryName(summary) ?? cached.meta.name } });
      } else {
        toInspect.push(summary);
      }
    }
    await forEachLimited(toInspect, MAX_PARALLEL_INSPECTS, async (summary) => {
      const entry = await this.inspectEntry(summary.Id, summary, rootDir);
      if (entry) next.set(summary.Id, entry);
    });
    for (const id of this.destroyed) next.delete(id);
    this.cache = next;
  }

  /** Null when the container is gone (404, or destroyed while the inspect ran). */
  private async inspectEntry(id: string, summary: ContainerSummary | undefined, rootDir: string | null): Promise<CacheEntry | null> {
    let raw: ContainerInspect;
    try {
      raw = await this.engine.inspect(id);
    } catch (err) {
      if (err instanceof MonitorError && err.code === 'not-found') return null;
      throw err;
    }
    if (this.destroyed.has(id)) return null;
    return {
      fingerprint: summary ? fingerprint(summary) : null,
      meta: containerMeta(raw, summary, rootDir),
      clock: statusClock(raw.State),
    };
  }

  /** Newest first, as the daemon lists them; status texts as of now. */
  private output(): DockerContainerMeta[] {
    const now = Date.now() + this.skewMs;
    return [...this.cache.values()]
      .map((e) => ({ ...e.meta, status: statusText(e.clock, now) || e.meta.status }))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.id.localeCompare(b.id));
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
  const pid = num(state?.Pid);
  return {
    id: raw.Id,
    name: summaryName(summary) ?? (str(raw.Name).replace(/^\//, '') || raw.Id.slice(0, 12)),
    image: str(config?.Image) || str(summary?.Image) || str((raw as { Image?: unknown }).Image),
    command: str(summary?.Command) || commandLine(raw),
    state: str(summary?.State) || str(state?.Status) || 'unknown',
    status: statusText(statusClock(state), nowMs) || str(summary?.Status) || str(state?.Status) || 'unknown',
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
