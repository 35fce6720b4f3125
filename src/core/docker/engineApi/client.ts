// A small Docker Engine API client: HTTP/1.1 over whatever byte stream the Transport opens to the socket
// (a local unix socket, or a channel forwarded over SSH). No dependency beyond node:http.
import { ClientRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { MonitorError } from '../../errors';
import { validateContainerRef } from '../../validate';
import { chooseApiPrefix } from './apiVersion';
import { dockerSocketError, statusError, unexpected } from './errors';
import { isSuccess, parseJson, raceAbort, readBody } from './http';
import { JsonObjectSplitter } from './jsonSplitter';
import type { ContainerInspect, ContainerSummary, ContainerTop, EngineEvent, EngineInfo, EngineVersion } from './types';

/** Where dockerd listens unless told otherwise (`--docker-socket`). */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface DockerEngineOptions {
  /** Per request, from opening the stream to the end of the body (events: to the response headers). */
  timeoutMs?: number;
}

const CONTAINER_EVENTS = '/events?filters=' + encodeURIComponent(JSON.stringify({ type: ['container'] }));

export interface EventStreamOptions {
  /** Replay the daemon's buffered events from this time (Unix seconds, the daemon's clock) before the live ones. */
  since?: number | undefined;
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
    readonly socketPath = DEFAULT_DOCKER_SOCKET,
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
    if (!isObject(t) || !Array.isArray(t.Titles) || !Array.isArray(t.Processes))
      throw unexpected('/containers/{id}/top');
    return t;
  }

  /**
   * Streams container events to `onEvent` until `signal` aborts (then resolves). Rejects if the stream cannot
   * be opened, if `onEvent` throws, or if the daemon ends the stream (e.g. it restarted): callers re-subscribe.
   */
  async events(
    onEvent: (event: EngineEvent) => void,
    signal: AbortSignal,
    options: EventStreamOptions = {},
  ): Promise<void> {
    if (signal.aborted) return;
    const { prefix } = await this.negotiate();
    const since =
      options.since !== undefined && Number.isFinite(options.since)
        ? `&since=${Math.max(0, Math.floor(options.since))}`
        : '';
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
          finish(
            signal.aborted
              ? undefined
              : new MonitorError('the Docker event stream ended (did dockerd restart?)', 'docker-unavailable'),
          );
        res.on('end', ended);
        res.on('close', ended);
        res.on('error', (err) => finish(signal.aborted ? undefined : dockerSocketError(err, this.socketPath)));
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
        opening.then(
          (late) => late.destroy(),
          () => undefined,
        );
        return null;
      }
      stream = s;
    } catch (err) {
      this.onConnectionError(err);
      throw dockerSocketError(err, this.socketPath);
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
        reject(dockerSocketError(err, this.socketPath));
      });
      req.end();
    });
  }

  private onConnectionError(err: unknown): void {
    // The daemon may come back as another version: negotiate again then.
    const mapped = dockerSocketError(err, this.socketPath);
    if (mapped.code === 'docker-unavailable' || mapped.code === 'docker-denied') this.negotiated = null;
  }

  private timeoutError(path: string): MonitorError {
    return new MonitorError(
      `Docker API did not answer within ${formatSeconds(this.timeoutMs)} (GET ${path.split('?')[0]} on ${this.socketPath})`,
      'timeout',
    );
  }
}

function isObject(v: unknown): v is Record<string, unknown> & object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
