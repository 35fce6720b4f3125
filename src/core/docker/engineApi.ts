// A small Docker Engine API client: HTTP/1.1 over whatever byte stream the Transport opens to the socket
// (a local unix socket, or a channel forwarded over SSH). No dependency beyond node:http.
import { ClientRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { MonitorError } from '../transport/types';
import { validateContainerRef } from '../validate';

// ---- Raw API shapes (only the fields this project reads) ----

/** GET /version */
export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  Os?: string;
  Arch?: string;
  KernelVersion?: string;
}

/** GET /info */
export interface EngineInfo {
  DockerRootDir: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  ServerVersion?: string;
  Driver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
}

/** One entry of GET /containers/json */
export interface ContainerSummary {
  Id: string;
  Names: string[] | null;
  Image: string;
  Command: string;
  /** Unix time in seconds. */
  Created: number;
  State: string;
  /** Human text such as "Up 3 minutes (healthy)" or "Exited (0) 2 hours ago". */
  Status: string;
  Labels: Record<string, string> | null;
}

/** GET /containers/{id}/json */
export interface ContainerInspect {
  Id: string;
  Name: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  Path: string;
  Args: string[] | null;
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    Pid: number;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string } | null;
  } | null;
  RestartCount: number;
  HostnamePath: string;
  LogPath: string;
  GraphDriver: { Name: string; Data: Record<string, string> | null } | null;
  HostConfig: {
    NetworkMode: string;
    PidMode: string;
    Privileged: boolean;
    Memory: number;
    NanoCpus: number;
    CpuQuota: number;
    CpuPeriod: number;
    PidsLimit: number | null;
  } | null;
  Config: { Image: string; Labels: Record<string, string> | null } | null;
  NetworkSettings: {
    IPAddress?: string;
    Networks: Record<string, { IPAddress: string }> | null;
  } | null;
}

/** GET /containers/{id}/top: `ps` output with host PIDs. */
export interface ContainerTop {
  Titles: string[];
  Processes: string[][];
}

/** One object of the GET /events stream. */
export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> | null };
  time: number;
  timeNano: number;
  /** Legacy duplicates of Action / Actor.ID / the image, still sent by daemons before API 1.44. */
  status?: string;
  id?: string;
  from?: string;
}

export interface DockerEngineOptions {
  /** Per request, from opening the stream to the end of the body (events: to the response headers). */
  timeoutMs?: number;
}

/** The API version this client is written against; newer daemons keep serving it with the same shapes. */
const PINNED_API = '1.41';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const CONTAINER_EVENTS = '/events?filters=' + encodeURIComponent(JSON.stringify({ type: ['container'] }));

export interface EventStreamOptions {
  /** Replay the daemon's buffered events from this time (Unix seconds, the daemon's clock) before the live ones. */
  since?: number;
  /** Called once the daemon answered the subscription with its headers. */
  onOpen?: () => void;
}

export class DockerEngine {
  private readonly timeoutMs: number;
  /** HTTP requests sent so far (each on its own stream), the event subscription included: what a refresh costs. */
  requestCount = 0;
  /** Negotiated once: `/v1.41` or whatever the daemon accepts, with the /version reply it came from. */
  private negotiated: Promise<{ prefix: string; version: EngineVersion }> | null = null;

  constructor(
    private readonly openSocket: () => Promise<Duplex>,
    readonly socketPath = '/var/run/docker.sock',
    options: DockerEngineOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The daemon's version, asked once (unversioned) and reused for the path prefix. */
  async version(): Promise<EngineVersion> {
    return (await this.negotiate()).version;
  }

  async info(): Promise<EngineInfo> {
    const info = await this.getJson<EngineInfo>('/info');
    if (!isObject(info)) throw unexpected('/info');
    return info;
  }

  async listContainers(): Promise<ContainerSummary[]> {
    const list = await this.getJson<ContainerSummary[]>('/containers/json?all=1');
    if (!Array.isArray(list)) throw unexpected('/containers/json');
    return list;
  }

  async inspect(ref: string): Promise<ContainerInspect> {
    const id = validateContainerRef(ref);
    const c = await this.getJson<ContainerInspect>(`/containers/${encodeURIComponent(id)}/json`, id);
    if (!isObject(c) || typeof c.Id !== 'string') throw unexpected('/containers/{id}/json');
    return c;
  }

  async top(ref: string): Promise<ContainerTop> {
    const id = validateContainerRef(ref);
    const t = await this.getJson<ContainerTop>(`/containers/${encodeURIComponent(id)}/top`, id);
    if (!isObject(t) || !Array.isArray(t.Titles) || !Array.isArray(t.Processes)) throw unexpected('/containers/{id}/top');
    return t;
  }

  /**
   * Streams container events to `onEvent` until `signal` aborts (then resolves). Rejects if the stream cannot
   * be opened, if `onEvent` throws, or if the daemon ends the stream (e.g. it restarted): callers re-subscribe.
   */
  async events(onEvent: (event: EngineEvent) => void, signal: AbortSignal, options: EventStreamOptions = {}): Promise<void> {
    if (signal.aborted) return;
    const { prefix } = await this.negotiate();
    const since = options.since !== undefined && Number.isFinite(options.since) ? `&since=${Math.max(0, Math.floor(options.since))}` : '';
    const path = prefix + CONTAINER_EVENTS + since;
    // The timeout covers getting the response headers; the stream itself may stay quiet for hours.
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(), this.timeoutMs);
    const onAbort = () => connect.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let ex: Awaited<ReturnType<DockerEngine['exchange']>>;
    try {
      ex = await this.exchange(path, connect.signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    if (!ex) {
      if (signal.aborted) return;
      throw this.timeoutError(path);
    }
    const { res, done } = ex;
    try {
      if (!isSuccess(res)) throw statusError(res, await readBody(res), path);
      options.onOpen?.();
      await new Promise<void>((resolve, reject) => {
        const splitter = new JsonObjectSplitter();
        let settled = false;
        const finish = (err?: unknown) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onStop);
          if (err) reject(err);
          else resolve();
        };
        const onStop = () => finish();
        if (signal.aborted) return finish();
        signal.addEventListener('abort', onStop, { once: true });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (settled) return;
          try {
            for (const text of splitter.push(chunk)) onEvent(parseJson<EngineEvent>(text, path));
          } catch (err) {
            finish(err);
          }
        });
        const ended = () =>
          finish(signal.aborted ? undefined : new MonitorError('the Docker event stream ended (did dockerd restart?)', 'docker-unavailable'));
        res.on('end', ended);
        res.on('close', ended);
        res.on('error', (err) => finish(signal.aborted ? undefined : toMonitorError(err, this.socketPath)));
      });
    } finally {
      done();
    }
  }

  // ---- plumbing ----

  private negotiate(): Promise<{ prefix: string; version: EngineVersion }> {
    if (!this.negotiated) {
      const attempt = this.getJsonAt<EngineVersion>('/version').then((version) => {
        if (!isObject(version)) throw unexpected('/version');
        return { prefix: chooseApiPrefix(version), version };
      });
      // A failure is not cached: the daemon may come up later.
      attempt.catch(() => {
        if (this.negotiated === attempt) this.negotiated = null;
      });
      this.negotiated = attempt;
    }
    return this.negotiated;
  }

  private async getJson<T>(path: string, containerRef?: string): Promise<T> {
    const { prefix } = await this.negotiate();
    return this.getJsonAt<T>(prefix + path, containerRef);
  }

  /** GET `path` as is; 404 means a missing container when `containerRef` is given. */
  private async getJsonAt<T>(path: string, containerRef?: string): Promise<T> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    try {
      const ex = await this.exchange(path, timeout.signal);
      if (!ex) throw this.timeoutError(path);
      try {
        const body = await readBody(ex.res, timeout.signal);
        if (timeout.signal.aborted) throw this.timeoutError(path);
        if (ex.res.statusCode === 404 && containerRef !== undefined) {
          throw new MonitorError(`no such container: ${containerRef}`, 'not-found');
        }
        if (!isSuccess(ex.res)) throw statusError(ex.res, body, path);
        return parseJson<T>(body, path);
      } finally {
        ex.done();
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Opens a stream, sends `GET path` and resolves with the response once its headers arrived, or with null
   * when `signal` aborted first. `done()` releases the stream.
   */
  private async exchange(
    path: string,
    signal: AbortSignal,
  ): Promise<{ res: IncomingMessage; stream: Duplex; done: () => void } | null> {
    this.requestCount++;
    let stream: Duplex;
    try {
      const opening = this.openSocket();
      const s = await raceAbort(opening, signal);
      if (s === null) {
        // Opened too late: release it when it arrives.
        opening.then((late) => late.destroy(), () => undefined);
        return null;
      }
      stream = s;
    } catch (err) {
      this.onConnectionError(err);
      throw toMonitorError(err, this.socketPath);
    }
    // ClientRequest, not http.request: VS Code's proxy support patches http.request and swaps in its own agent,
    // which ignores createConnection and sends the request to localhost:80 instead of the Docker socket.
    const req = new ClientRequest({
      createConnection: () => stream as Socket,
      path,
      method: 'GET',
      headers: { Host: 'docker', Accept: 'application/json' },
    });
    const done = () => {
      req.destroy();
      stream.destroy();
    };
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        done();
        resolve(null);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('response', (res) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ res, stream, done });
      });
      req.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        done();
        if (signal.aborted) return resolve(null);
        this.onConnectionError(err);
        reject(toMonitorError(err, this.socketPath));
      });
      req.end();
    });
  }

  private onConnectionError(err: unknown): void {
    // The daemon may come back as another version: negotiate again then.
    const mapped = toMonitorError(err, this.socketPath);
    if (mapped.code === 'docker-unavailable' || mapped.code === 'docker-denied') this.negotiated = null;
  }

  private timeoutError(path: string): MonitorError {
    return new MonitorError(
      `Docker API did not answer within ${formatSeconds(this.timeoutMs)} (GET ${path.split('?')[0]} on ${this.socketPath})`,
      'timeout',
    );
  }
}

/**
 * `/v1.41` when the daemon serves it; otherwise the nearest version it does serve (an older daemon's own
 * ApiVersion, or a newer daemon's MinAPIVersion once 1.41 is retired). Empty (unversioned) if it says nothing usable.
 */
export function chooseApiPrefix(version: Pick<EngineVersion, 'ApiVersion' | 'MinAPIVersion'>): string {
  const max = parseApiVersion(version.ApiVersion);
  if (!max) return '';
  const min = parseApiVersion(version.MinAPIVersion);
  const pinned = parseApiVersion(PINNED_API)!;
  let chosen = pinned;
  if (compareApi(max, pinned) < 0) chosen = max;
  else if (min && compareApi(min, pinned) > 0) chosen = min;
  return `/v${chosen[0]}.${chosen[1]}`;
}

function parseApiVersion(v: unknown): [number, number] | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function compareApi(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * Splits a stream of concatenated JSON objects (the daemon writes one per line, but nothing guarantees that a
 * chunk ends on a line) into the text of each complete object.
 */
export class JsonObjectSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Index in `buf` up to which characters have been scanned. */
  private scanned = 0;
  private start = -1;

  push(chunk: string): string[] {
    this.buf += chunk;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const ch = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (ch === '}' || ch === ']') {
        if (this.depth === 0) throw new MonitorError('the Docker event stream is not JSON', 'internal');
        this.depth--;
        if (this.depth === 0) out.push(this.buf.slice(this.start, i + 1));
      } else if (this.depth === 0 && !/\s/.test(ch)) {
        throw new MonitorError('the Docker event stream is not JSON', 'internal');
      }
    }
    if (this.depth === 0) {
      this.buf = '';
      this.scanned = 0;
      this.start = -1;
    } else {
      // Keep only the object in progress.
      this.buf = this.buf.slice(this.start);
      this.scanned = this.buf.length;
      this.start = 0;
      if (this.buf.length > MAX_BODY_BYTES) throw new MonitorError('a Docker event is too large', 'internal');
    }
    return out;
  }
}

/** Maps a socket-level failure to the codes a Transport uses; MonitorErrors pass through unchanged. */
export function toMonitorError(err: unknown, socketPath: string): MonitorError {
  if (err instanceof MonitorError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new MonitorError(`permission denied on ${socketPath} (add the user to the docker group)`, 'docker-denied');
    case 'ENOENT':
      return new MonitorError(`no Docker socket at ${socketPath} (is dockerd running?)`, 'docker-unavailable');
    case 'ECONNREFUSED':
      return new MonitorError(`nothing listens on ${socketPath} (is dockerd running?)`, 'docker-unavailable');
    case 'ENOTSOCK':
      return new MonitorError(`${socketPath} is not a socket`, 'docker-unavailable');
    default: {
      const what = code ?? oneLine(err instanceof Error ? err.message : String(err));
      return new MonitorError(`connection to the Docker API on ${socketPath} failed: ${what}`, 'docker-unavailable');
    }
  }
}

function isSuccess(res: IncomingMessage): boolean {
  const s = res.statusCode ?? 0;
  return s >= 200 && s < 300;
}

function statusError(res: IncomingMessage, body: string, path: string): MonitorError {
  const status = res.statusCode ?? 0;
  let message = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed?.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: the daemon (or a proxy in front of it) sent plain text.
  }
  const text = `Docker API GET ${path.split('?')[0]}: ${status} ${oneLine(message) || (res.statusMessage ?? '')}`.trim();
  if (status === 401 || status === 403) return new MonitorError(text, 'docker-denied');
  if (status === 404) return new MonitorError(text, 'not-found');
  if (status === 400 || status === 409) return new MonitorError(text, 'bad-argument');
  if (status >= 500) return new MonitorError(text, 'docker-unavailable');
  return new MonitorError(text, 'internal');
}

function readBody(res: IncomingMessage, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = () => resolve('');
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (fn: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy();
        settle(() => reject(new MonitorError(`Docker API reply larger than ${MAX_BODY_BYTES >> 20} MiB`, 'internal')));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => settle(() => resolve(Buffer.concat(chunks).toString('utf8'))));
    res.on('error', (err) =>
      settle(() => reject(new MonitorError(`Docker API reply cut short: ${oneLine(err.message)}`, 'docker-unavailable'))),
    );
    res.on('aborted', () => settle(() => reject(new MonitorError('Docker API reply cut short', 'docker-unavailable'))));
  });
}

function parseJson<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MonitorError(`Docker API returned invalid JSON for GET ${path.split('?')[0]}`, 'internal');
  }
}

function unexpected(path: string): MonitorError {
  return new MonitorError(`Docker API returned an unexpected reply for GET ${path}`, 'internal');
}

function isObject(v: unknown): v is Record<string, unknown> & object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves with the promise's value, or null if `signal` aborts first. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
