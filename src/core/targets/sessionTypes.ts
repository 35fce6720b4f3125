// What a TargetSession is given and what it shows: its options, its state, and the snapshot source a connection
// yields. Apart from session.ts (the life cycle) so the service and the tests name them without the class.
import type { Demand, SampleOptions } from '../collect/demand';
import type { Snapshot } from '../model';
import type { ErrorCode } from '../errors';
import type { Transport } from '../transport/types';
import type { EngineEvent } from '../docker/engineApi';

export type SessionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'error';

export interface SessionState {
  status: SessionStatus;
  /** One line for the user: why the last attempt failed (kept while reconnecting). */
  error: string | null;
  errorCode: ErrorCode | null;
  /** The newest snapshot; kept through errors so that the views still have something to show. */
  snapshot: Snapshot | null;
  /** When the next reconnect attempt is due (ms since epoch), while waiting for one. */
  retryAt: number | null;
  /** Whether the Docker event stream is open. */
  watchingEvents: boolean;
}

/** What a connection yields: a Collector in production. */
export interface SnapshotSource {
  /** `demand`: what the views show now; a refresh reads no more than that. `full`: the slow tier now. */
  sample(options?: SampleOptions): Promise<Snapshot>;
  close(): Promise<void>;
  /** The Docker events the source itself follows (a Collector's describer): resolves on abort, rejects on loss. */
  followDockerEvents?(onEvent: (event: EngineEvent) => void, signal: AbortSignal): Promise<void>;
}

export type EventWatcher = (
  source: SnapshotSource,
  onEvent: (event: EngineEvent) => void,
  signal: AbortSignal,
) => Promise<void>;

export interface SessionOptions {
  /** What the views show of this target now (everything when absent). */
  demand?: () => Demand;
  /** Name for log lines. */
  label: string;
  /** Opens the transport; may ask the user (host key, passphrase, password). */
  open: () => Promise<Transport>;
  /** Called after every change of `state`. */
  onChange: () => void;
  /** Progress lines: connection events and collections ('warn' for failures). Never secrets. */
  log: (line: string, level?: 'info' | 'warn') => void;
  createSource?: (transport: Transport, log: (line: string) => void) => SnapshotSource;
  /** The Docker event stream; null turns event-driven refresh off. */
  watchEvents?: EventWatcher | null;
  /** Every container event of the stream, as it comes (the alerts' immediate rules). */
  onDockerEvent?: (event: EngineEvent) => void;
  /** Close the connection after this long without anything on screen. */
  idleCloseMs?: number;
  /** Events come in bursts (kill, die, stop): one refresh after the burst. */
  eventDebounceMs?: number;
  /** Wait before opening the event stream again after it failed. */
  eventsRetryMs?: number;
  /**
   * How long one collection may take (read each time, as the interval may change); the service derives it from
   * the refresh interval (refreshDeadlineMs). Past it the refresh ends with a 'timeout' error, the connection is
   * dropped (a hung reader or a blackholed link would hold it) and reconnected with backoff. A connection's first
   * collection gets three times as long. Default 30 s.
   */
  refreshTimeoutMs?: (() => number) | undefined;
}
