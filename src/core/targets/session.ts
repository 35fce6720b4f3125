// One target's life: connect lazily, collect on demand (never two collections at once), follow Docker events
// while something is on screen, reconnect with backoff after a drop, and close an unused connection.
// Pure Node: the VS Code service wraps one of these per target.
import { MonitorError, toMonitorError } from '../errors';
import type { ErrorCode } from '../errors';
import { Collector } from '../collect/collector';
import { backoffDelayMs } from './backoff';
import { isContainerChangeEvent } from './dockerEvents';
import { shortId } from '../identity';
import { DeadlineError, withDeadline } from './sessionDeadline';
import type { EngineEvent } from '../docker/engineApi';
import type { Transport } from '../transport/types';
import type { EventWatcher, SessionOptions, SessionState, SessionStatus, SnapshotSource } from './sessionTypes';

/** Worth retrying on their own: the host or the network may come back. Anything else needs the user. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['unreachable', 'timeout']);
const DEFAULT_IDLE_CLOSE_MS = 5 * 60_000;
const DEFAULT_EVENT_DEBOUNCE_MS = 150;
const DEFAULT_EVENTS_RETRY_MS = 10_000;
const DEFAULT_REFRESH_TIMEOUT_MS = 30_000;
const COLD_DEADLINES = 3;

/**
 * The events of the collector's own Docker stream: the one it keeps its container list with, so a target has a
 * single Docker connection and a refresh started by an event finds its container already marked for inspection.
 */
const dockerEventWatcher: EventWatcher = (source, onEvent, signal) =>
  source.followDockerEvents
    ? source.followDockerEvents(onEvent, signal)
    : Promise.reject(new MonitorError('this target does not follow Docker events', 'internal'));

export class TargetSession {
  private current: SessionState = {
    status: 'idle',
    error: null,
    errorCode: null,
    snapshot: null,
    retryAt: null,
    watchingEvents: false,
  };
  private transport: Transport | null = null;
  private source: SnapshotSource | null = null;
  private unsubscribeClose: (() => void) | null = null;
  /** Bumped whenever the connection changes, so that a late answer from an old one is dropped. */
  private generation = 0;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private attempt = 0;
  /** A failure that retrying on a timer would only repeat (auth, host key): wait for reconnect(). */
  private blocked = false;
  private active = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private debounceTimer: ReturnType<typeof setTimeout> | null = null;
  private events: AbortController | null = null;
  private freshPending = false;
  /** The current connection has answered a collection (its caches are filled). */
  private warm = false;
  private eventsRetryAt = 0;
  private readonly watcher: EventWatcher | null;

  constructor(private readonly options: SessionOptions) {
    this.watcher = options.watchEvents === undefined ? dockerEventWatcher : options.watchEvents;
  }

  get state(): Readonly<SessionState> {
    return this.current;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** A periodic refresh: skipped while a collection runs, while waiting to reconnect, or after a hard failure. */
  tick(): void {
    if (this.closed || this.running || this.blocked || this.retryTimer) return;
    void this.start();
  }

  /**
   * Collects now and resolves when done. If a collection is running, one more follows it (its result could
   * predate what the caller wants to see). A transient failure's wait is cut short; a hard one is left alone.
   */
  /**
   * Collects now. `fresh`: someone started looking at sockets and open files (a panel opened, a container
   * expanded): the next collection reads them now instead of leaving them as of the slow cadence.
   */
  refresh(options: { fresh?: boolean } = {}): Promise<void> {
    if (options.fresh) this.freshPending = true;
    if (this.closed || this.blocked) return Promise.resolve();
    this.clearRetry();
    return this.request();
  }

  /** Drops the connection (and any hard failure) and connects again at once. */
  async reconnect(): Promise<void> {
    if (this.closed) return;
    this.blocked = false;
    this.attempt = 0;
    this.clearRetry();
    await this.closeConnection();
    return this.request();
  }

  /** Something shows this target's data (true) or nothing does any more (false). */
  setActive(active: boolean): void {
    if (this.closed || active === this.active) return;
    this.active = active;
    if (active) {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = null;
      this.updateEvents();
      return;
    }
    this.stopEvents();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    const idleMs = this.options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.active || !this.transport) return;
      this.options.log(
        `${this.options.label}: closing the connection (nothing has shown it for ${Math.round(idleMs / 1000)} s)`,
      );
      void this.closeConnection().then(() => this.set({ status: 'idle' }));
    }, idleMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearRetry();
    for (const t of [this.idleTimer, this.debounceTimer]) if (t) clearTimeout(t);
    this.idleTimer = this.debounceTimer = null;
    await this.closeConnection();
  }

  // ---- collection ----

  private request(): Promise<void> {
    if (!this.running) return this.start();
    if (!this.queued) {
      this.queued = this.running.then(() => {
        this.queued = null;
        return this.running ?? this.start();
      });
    }
    return this.queued;
  }

  private start(): Promise<void> {
    const run = this.cycle()
      .catch((e: unknown) => {
        // A bug, not a target problem: say so instead of leaving an unhandled rejection behind a timer.
        const err = toMonitorError(e);
        this.options.log(`${this.options.label}: internal error: ${err.message}`, 'warn');
        this.set({ status: 'error', error: err.message, errorCode: 'internal' });
      })
      .finally(() => {
        if (this.running === run) this.running = null;
      });
    this.running = run;
    return run;
  }

  private async cycle(): Promise<void> {
    if (this.closed) return;
    if (!this.source && !(await this.connect())) return;
    const source = this.source;
    if (!source) return;
    const gen = this.generation;
    try {
      const full = this.freshPending;
      this.freshPending = false;
      // A connection's first collection is cold (reader start, Docker list and inspects, every process's facts):
      // it gets three deadlines, or a slow host would time out, reconnect cold and time out again forever.
      const timeoutMs =
        (this.options.refreshTimeoutMs?.() ?? DEFAULT_REFRESH_TIMEOUT_MS) * (this.warm ? 1 : COLD_DEADLINES);
      const snapshot = await withDeadline(
        source.sample({ demand: this.options.demand?.(), full }),
        timeoutMs,
        this.options.label,
      );
      if (this.closed || gen !== this.generation) return;
      this.warm = true;
      this.attempt = 0;
      this.set({ status: 'connected', error: null, errorCode: null, snapshot, retryAt: null });
      this.updateEvents();
    } catch (e) {
      if (this.closed || gen !== this.generation) return;
      const err = toMonitorError(e);
      if (err instanceof DeadlineError) {
        // The sample is abandoned: closing the connection ends it (and whatever hangs on the other side), so no
        // second refresh queues behind it; the reconnect waits the backoff.
        this.options.log(`${this.options.label}: refresh timed out: ${err.message}`, 'warn');
        await this.closeConnection();
        this.scheduleRetry(err);
      } else if (err.code === 'unreachable') {
        this.options.log(`${this.options.label}: connection lost: ${err.message}`, 'warn');
        await this.closeConnection();
        this.scheduleRetry(err);
      } else {
        // The connection is still there: report, and let the next tick try again.
        this.options.log(`${this.options.label}: collection failed: ${err.message}`, 'warn');
        this.set({ status: 'error', error: err.message, errorCode: err.code });
      }
    }
  }

  /** Opens the transport; false when it failed (state says why). */
  private async connect(): Promise<boolean> {
    const gen = ++this.generation;
    const fresh = this.current.snapshot === null || this.current.status === 'idle';
    this.set({ status: fresh ? 'connecting' : 'reconnecting', retryAt: null });
    this.options.log(`${this.options.label}: connecting`);
    const started = Date.now();
    let transport: Transport;
    try {
      transport = await this.options.open();
    } catch (e) {
      if (this.closed || gen !== this.generation) return false;
      const err = toMonitorError(e);
      this.options.log(`${this.options.label}: cannot connect: ${err.message}`, 'warn');
      if (TRANSIENT.has(err.code)) {
        this.scheduleRetry(err);
      } else {
        this.blocked = true;
        this.set({ status: 'error', error: err.message, errorCode: err.code, retryAt: null });
      }
      return false;
    }
    if (this.closed || gen !== this.generation) {
      await transport.close().catch(() => undefined);
      return false;
    }
    this.transport = transport;
    const log = this.options.log;
    this.source = (this.options.createSource ?? ((t, l) => new Collector(t, { log: l })))(transport, log);
    this.unsubscribeClose = transport.onClose((error) => {
      if (error && this.transport === transport) this.dropped(error);
    });
    log(`${this.options.label}: connected to ${transport.label} in ${Date.now() - started} ms`);
    return true;
  }

  /** The transport reported that its connection went down. */
  private dropped(error: MonitorError): void {
    if (this.closed) return;
    this.options.log(`${this.options.label}: connection lost: ${error.message}`, 'warn');
    void this.closeConnection();
    this.scheduleRetry(error);
  }

  private scheduleRetry(error: MonitorError): void {
    this.clearRetry();
    const delay = backoffDelayMs(this.attempt++);
    const retryAt = Date.now() + delay;
    const status: SessionStatus = this.current.snapshot === null ? 'error' : 'reconnecting';
    this.set({ status, error: error.message, errorCode: error.code, retryAt });
    this.options.log(`${this.options.label}: trying again in ${delay / 1000} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.set({ retryAt: null });
      if (this.active && !this.closed) void this.request();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.current.retryAt !== null) this.set({ retryAt: null });
  }

  private async closeConnection(): Promise<void> {
    this.generation++;
    this.warm = false;
    this.stopEvents();
    this.unsubscribeClose?.();
    this.unsubscribeClose = null;
    const source = this.source;
    this.source = null;
    this.transport = null;
    if (source) {
      await source
        .close()
        .catch((e: unknown) => this.options.log(`${this.options.label}: close: ${toMonitorError(e).message}`, 'warn'));
    }
  }

  // ---- Docker events ----

  private updateEvents(): void {
    const want =
      this.watcher !== null &&
      this.active &&
      !this.closed &&
      this.source !== null &&
      this.current.snapshot?.docker.reachable === true &&
      Date.now() >= this.eventsRetryAt;
    if (want && !this.events) this.startEvents(this.source!);
    else if (!want && this.events && this.current.snapshot?.docker.reachable !== true) this.stopEvents();
  }

  private startEvents(source: SnapshotSource): void {
    const ac = new AbortController();
    this.events = ac;
    this.set({ watchingEvents: true });
    this.options.log(`${this.options.label}: watching Docker events`);
    this.watcher!(source, (event) => this.onEvent(event), ac.signal).then(
      () => this.eventsEnded(ac, null),
      (e: unknown) => this.eventsEnded(ac, toMonitorError(e)),
    );
  }

  private eventsEnded(ac: AbortController, error: MonitorError | null): void {
    if (this.events !== ac) return;
    this.events = null;
    this.set({ watchingEvents: false });
    if (error && !ac.signal.aborted) {
      this.eventsRetryAt = Date.now() + (this.options.eventsRetryMs ?? DEFAULT_EVENTS_RETRY_MS);
      this.options.log(`${this.options.label}: Docker event stream stopped: ${error.message}`, 'warn');
    }
  }

  private stopEvents(): void {
    const ac = this.events;
    if (!ac) return;
    this.events = null;
    ac.abort();
    this.set({ watchingEvents: false });
  }

  private onEvent(event: EngineEvent): void {
    if (this.closed) return;
    this.options.onDockerEvent?.(event);
    if (!isContainerChangeEvent(event) || !this.active) return;
    const name = event.Actor?.Attributes?.name ?? (event.Actor?.ID ? shortId(event.Actor.ID) : '');
    this.options.log(
      `${this.options.label}: Docker event: container ${name} ${event.Action ?? event.status ?? ''}`.trimEnd(),
    );
    if (this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      if (this.active && !this.closed) void this.request();
    }, this.options.eventDebounceMs ?? DEFAULT_EVENT_DEBOUNCE_MS);
  }

  private set(patch: Partial<SessionState>): void {
    const next = { ...this.current, ...patch };
    const keys = Object.keys(patch) as (keyof SessionState)[];
    if (keys.every((k) => next[k] === this.current[k])) return;
    this.current = next;
    this.options.onChange();
  }
}
