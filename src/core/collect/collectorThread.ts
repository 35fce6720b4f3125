// The worker's side of ThreadedCollector: a Collector on the local machine, on a thread of its own. Its reads,
// parsing and garbage collection (young-generation pauses of 10-50 ms at 200 containers and 2,000 processes)
// then never hold the extension host's event loop, which only receives each finished snapshot.
import { parentPort, workerData } from 'node:worker_threads';
import { LocalTransport } from '../transport/local';
import { toMonitorError } from '../errors';
import { Collector } from './collector';
import type { Snapshot } from '../model';
import { CONTAINERS_PER_PART, PROCESSES_PER_PART } from './threadMessages';
import type { CollectorThreadOptions, FromCollectorThread, ThreadError, ToCollectorThread } from './threadMessages';

function threadError(e: unknown): ThreadError {
  const err = toMonitorError(e);
  return { message: err.message, code: err.code };
}

if (parentPort) {
  const port = parentPort;
  const post = (m: FromCollectorThread): void => port.postMessage(m);
  const options = (workerData ?? {}) as CollectorThreadOptions;
  const collector = new Collector(new LocalTransport(), {
    socketPath: options.socketPath,
    slowEvery: options.slowEvery,
    log: (line) => post({ type: 'log', line }),
  });
  const follows = new Map<number, AbortController>();
  const taken = new Map<number, () => void>();
  const next = (id: number): Promise<void> => new Promise((resolve) => taken.set(id, resolve));

  const perContainers = Math.max(1, options.containersPerPart ?? CONTAINERS_PER_PART);
  const perProcesses = Math.max(1, options.processesPerPart ?? PROCESSES_PER_PART);
  const send = async (id: number, snapshot: Snapshot): Promise<void> => {
    const { containers, processes, ...head } = snapshot;
    for (let i = 0; i < containers.length; i += perContainers) {
      post({ type: 'part', id, containers: containers.slice(i, i + perContainers), processes: [] });
      await next(id);
    }
    for (let i = 0; i < processes.length; i += perProcesses) {
      post({ type: 'part', id, containers: [], processes: processes.slice(i, i + perProcesses) });
      await next(id);
    }
    post({ type: 'snapshot', id, head, dockerRequests: collector.dockerRequests });
  };

  port.on('message', (m: ToCollectorThread) => {
    if (m.type === 'sample') {
      collector.sample({ demand: m.demand, full: m.full }).then(
        (snapshot) => send(m.id, snapshot),
        (e: unknown) => post({ type: 'failed', id: m.id, error: threadError(e) }),
      );
    } else if (m.type === 'next') {
      const resolve = taken.get(m.id);
      taken.delete(m.id);
      resolve?.();
    } else if (m.type === 'follow') {
      const abort = new AbortController();
      follows.set(m.id, abort);
      collector
        .followDockerEvents((event) => post({ type: 'event', id: m.id, event }), abort.signal)
        .then(
          () => post({ type: 'followEnded', id: m.id, error: null }),
          (e: unknown) => post({ type: 'followEnded', id: m.id, error: threadError(e) }),
        )
        .finally(() => follows.delete(m.id));
    } else if (m.type === 'unfollow') {
      follows.get(m.id)?.abort();
    }
  });
}
