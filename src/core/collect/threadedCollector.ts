// A local target's collector on a worker thread (collectorThread.ts), for the extension host: the host's event
// loop only deserialises each snapshot. It answers what a TargetSession asks of a source, as Collector does.
// Remote targets stay on the host's thread: their reads run on the target, and ssh2 lives here.
import { Worker } from 'node:worker_threads';
import type { Snapshot } from '../model';
import type { EngineEvent } from '../docker/engineApi';
import { MonitorError } from '../errors';
import type { SampleOptions } from './demand';
import type { CollectorThreadOptions, FromCollectorThread, ThreadError, ToCollectorThread } from './threadMessages';

interface Pending {
  resolve(s: Snapshot): void;
  reject(e: MonitorError): void;
  containers: Snapshot['containers'];
  processes: Snapshot['processes'];
}

interface Follow {
  onEvent(event: EngineEvent): void;
  resolve(): void;
  reject(e: MonitorError): void;
}

const fromThread = (e: ThreadError): MonitorError => new MonitorError(e.message, e.code);

export class ThreadedCollector {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly follows = new Map<number, Follow>();
  /** Set once the thread is gone: every later call fails with it. */
  private ended: MonitorError | null = null;
  /** Engine API requests the thread's collector has sent, as of its last snapshot. */
  dockerRequests = 0;

  /** `workerFile`: the bundled collectorThread.js (dist/ beside the extension's bundle). */
  constructor(
    workerFile: string,
    options: CollectorThreadOptions = {},
    private readonly log?: (line: string) => void,
  ) {
    this.worker = new Worker(workerFile, { workerData: options });
    this.worker.on('message', (m: FromCollectorThread) => this.receive(m));
    this.worker.on('error', (e: Error) =>
      this.end(new MonitorError(`the collector thread failed: ${e.message}`, 'internal')),
    );
    this.worker.on('exit', (code) =>
      this.end(new MonitorError(`the collector thread exited (code ${code})`, 'internal')),
    );
  }

  sample(options: SampleOptions = {}): Promise<Snapshot> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<Snapshot>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, containers: [], processes: [] });
      this.post({ type: 'sample', id, demand: options.demand, full: options.full });
    });
  }

  /** The thread's collector's own Docker event stream: resolves on abort, rejects when the stream is lost. */
  followDockerEvents(onEvent: (event: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.follows.set(id, { onEvent, resolve, reject });
      const stop = (): void => this.post({ type: 'unfollow', id });
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      this.post({ type: 'follow', id });
    });
  }

  async close(): Promise<void> {
    this.end(new MonitorError('the collector was closed', 'internal'));
    await this.worker.terminate();
  }

  private post(m: ToCollectorThread): void {
    this.worker.postMessage(m);
  }

  private receive(m: FromCollectorThread): void {
    switch (m.type) {
      case 'part': {
        const p = this.pending.get(m.id);
        if (p) {
          for (const c of m.containers) p.containers.push(c);
          for (const c of m.processes) p.processes.push(c);
        }
        this.post({ type: 'next', id: m.id });
        break;
      }
      case 'snapshot': {
        this.dockerRequests = m.dockerRequests;
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve({ ...m.head, containers: p.containers, processes: p.processes });
        break;
      }
      case 'failed': {
        this.pending.get(m.id)?.reject(fromThread(m.error));
        this.pending.delete(m.id);
        break;
      }
      case 'event':
        this.follows.get(m.id)?.onEvent(m.event);
        break;
      case 'followEnded': {
        const f = this.follows.get(m.id);
        this.follows.delete(m.id);
        if (m.error) f?.reject(fromThread(m.error));
        else f?.resolve();
        break;
      }
      case 'log':
        this.log?.(m.line);
        break;
    }
  }

  /** The thread is gone (closed, crashed or exited): what waits on it fails now rather than never. */
  private end(error: MonitorError): void {
    if (this.ended) return;
    this.ended = error;
    for (const p of this.pending.values()) p.reject(error);
    for (const f of this.follows.values()) f.reject(error);
    this.pending.clear();
    this.follows.clear();
  }
}
