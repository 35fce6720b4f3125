// One container event stream for a describer: opened on demand, reopened after a loss only when the backoff
// allows (a describe() asks; no timer of its own), and closed with the describer.
import { MonitorError } from '../errors';
import type { DockerEngine, EngineEvent } from './engineApi';
import { dockerSocketError } from './engineApi';

export type FeedState = 'down' | 'opening' | 'live';

export interface FeedHandlers {
  event: (event: EngineEvent) => void;
  /** The stream ended on its own: events may have been missed since. */
  lost: (error: MonitorError) => void;
}

/** After this long open, a stream counted as healthy: the backoff starts again from its first step. */
const HEALTHY_MS = 60_000;
const MAX_RETRY_MS = 60_000;

export class EventFeed {
  private ac: AbortController | null = null;
  private current: FeedState = 'down';
  private failures = 0;
  private retryAt = 0;
  private openedAt = 0;
  /** Why the stream is down, when it went down on its own. */
  lastError: MonitorError | null = null;

  constructor(
    private readonly engine: DockerEngine,
    private readonly handlers: FeedHandlers,
    private readonly retryBaseMs = 1000,
  ) {}

  get state(): FeedState {
    return this.current;
  }

  /** Down, and not waiting out a backoff. */
  get canOpen(): boolean {
    return this.current === 'down' && Date.now() >= this.retryAt;
  }

  /** Resolves true once the daemon answered the subscription, false if it failed first (never rejects). */
  open(since: number | undefined): Promise<boolean> {
    this.ac?.abort();
    const ac = new AbortController();
    this.ac = ac;
    this.current = 'opening';
    return new Promise<boolean>((resolve) => {
      const onOpen = () => {
        if (this.ac !== ac) return;
        this.current = 'live';
        this.openedAt = Date.now();
        this.lastError = null;
        resolve(true);
      };
      const onEvent = (event: EngineEvent) => {
        if (this.ac === ac) this.handlers.event(event);
      };
      this.engine
        .events(onEvent, ac.signal, { since, onOpen })
        .then(
          () => this.ended(ac, null),
          (err: unknown) => this.ended(ac, dockerSocketError(err, this.engine.socketPath)),
        )
        .finally(() => resolve(false));
    });
  }

  /** Stops the stream; the next open() may follow at once. */
  close(): void {
    const ac = this.ac;
    this.ac = null;
    this.current = 'down';
    ac?.abort();
  }

  /** The daemon went away: forget the backoff, so that the stream opens as soon as it is back. */
  reset(): void {
    this.close();
    this.failures = 0;
    this.retryAt = 0;
  }

  private ended(ac: AbortController, error: MonitorError | null): void {
    if (this.ac !== ac) return;
    this.ac = null;
    const wasLive = this.current === 'live';
    this.current = 'down';
    if (ac.signal.aborted) return;
    if (wasLive && Date.now() - this.openedAt >= HEALTHY_MS) this.failures = 0;
    this.retryAt = Date.now() + Math.min(MAX_RETRY_MS, this.retryBaseMs * 2 ** Math.min(this.failures++, 16));
    this.lastError = error ?? new MonitorError('the Docker event stream ended', 'docker-unavailable');
    this.handlers.lost(this.lastError);
  }
}
