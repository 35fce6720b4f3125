// What the collector needs from the Engine API each refresh, asked cheaply. In steady state nothing is asked:
// the container event stream marks containers dirty and the next describe() inspects only those. Without the
// stream (first use, or after losing it) each describe() lists, and inspects what is new or changed.
import type { DockerStatus } from '../model';
import { MonitorError } from '../errors';
import type {
  ContainerInspect,
  ContainerSummary,
  DockerEngine,
  EngineEvent,
  EngineInfo,
  EngineVersion,
} from './engineApi';
import { containerEventEffect, eventContainerId } from './containerEvents';
import { EventFeed } from './eventFeed';
import type { FeedState } from './eventFeed';
import { containerMeta, summaryName } from './containerMeta';
import type { DockerContainerMeta } from './containerMeta';
import { statusClock, statusText } from './statusText';
import type { StatusClock } from './statusText';
import { byText } from '../order';

export { containerMeta, containerStateCounts } from './containerMeta';
export type { DockerContainerMeta } from './containerMeta';

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
        : new EventFeed(
            engine,
            { event: (e) => this.onEngineEvent(e), lost: (err) => this.onFeedLost(err) },
            options.eventsRetryMs,
          );
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
   * Passes on the container events that change what it shows (not execs) until `signal` aborts (then resolves). Rejects
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
      // Only an inspect in flight could bring it back; between describes there is none.
      if (this.inFlight) this.destroyed.add(id);
    } else {
      this.dirty.add(id);
    }
    for (const f of this.followers) {
      try {
        f.onEvent(event);
      } catch {
        // A listener's failure is its own: the stream (and the other listeners) carry on.
      }
    }
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
  private async inspectEntry(
    id: string,
    summary: ContainerSummary | undefined,
    rootDir: string | null,
  ): Promise<CacheEntry | null> {
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
      .sort((a, b) => byText(b.createdAt ?? '', a.createdAt ?? '') || byText(a.id, b.id));
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
