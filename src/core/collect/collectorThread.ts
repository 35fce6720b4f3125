// The worker's side of ThreadedCollector: a Collector on the local machine, on a thread of its own. Its reads,
// parsing and garbage collection (young-generation pauses of 10-50 ms at 200 containers and 2,000 processes)
// then never hold the extension host's event loop, which only receives each finished snapshot.
import { parentPort, workerData } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
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

/**
 * The collector is background work: on a busy machine (two cores, a container spinning) the extension host's own
 * thread goes first, so that taking a snapshot over is not held up waiting for a core this thread holds. On Linux
 * a thread's nice value is its own (setpriority on its TID), and raising it needs no privilege.
 */
function lowerThreadPriority(nice: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false; // not Linux, or not allowed: the thread keeps the process's priority
  }
}

const COLLECTOR_NICE = 10;

if (parentPort) {
  const port = parentPort;
  lowerThreadPriority(COLLECTOR_NICE);
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
