// The messages between ThreadedCollector (the extension host's thread) and collectorThread.ts (its worker).
// Structured-cloned, so plain data only: errors travel as their message and code.
import type { Snapshot } from '../model';
import type { EngineEvent } from '../docker/engineApi';
import type { ErrorCode } from '../errors';
import type { SampleOptions } from './demand';

export interface CollectorThreadOptions {
  socketPath?: string;
  slowEvery?: number;
  /** Containers and processes per part (defaults below; tests make them small to cross many parts). */
  containersPerPart?: number;
  processesPerPart?: number;
}

export interface ThreadError {
  message: string;
  code: ErrorCode;
}

/**
 * A snapshot travels in parts, each sent when the last was taken (`next`): deserialising a whole one at 200
 * containers takes the receiving thread 5-20 ms in one piece, a part of 32 containers or 256 processes about 1.
 */
export const CONTAINERS_PER_PART = 32;
export const PROCESSES_PER_PART = 256;

type SnapshotHead = Omit<Snapshot, 'containers' | 'processes'>;

export type ToCollectorThread =
  | ({ type: 'sample'; id: number } & SampleOptions)
  | { type: 'next'; id: number }
  | { type: 'follow'; id: number }
  | { type: 'unfollow'; id: number };

export type FromCollectorThread =
  | { type: 'part'; id: number; containers: Snapshot['containers']; processes: Snapshot['processes'] }
  | { type: 'snapshot'; id: number; head: SnapshotHead; dockerRequests: number }
  | { type: 'failed'; id: number; error: ThreadError }
  | { type: 'event'; id: number; event: EngineEvent }
  | { type: 'followEnded'; id: number; error: ThreadError | null }
  | { type: 'log'; line: string };
