// Loads the fixtures captured by fixtures/capture.sh and wraps them as a target's state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../../src/core/model';
import type { ErrorCode } from '../../../src/core/errors';
import type { TargetState } from '../../../src/core/present/targetInput';
import type { TargetStatus } from '../../../src/shared/protocol';
import { snapshotFromJson } from '../fixtures/snapshotJson';

const DIR = join(__dirname, 'fixtures');

export function loadSnapshot(name: 'local-1' | 'local-2' | 'nodocker'): Snapshot {
  return snapshotFromJson(readFileSync(join(DIR, `${name}.json`), 'utf8'));
}

export interface CapturedError {
  code: string;
  message: string;
}

export function loadErrors(): CapturedError[] {
  return JSON.parse(readFileSync(join(DIR, 'errors.json'), 'utf8')) as CapturedError[];
}

export function localTarget(snapshot: Snapshot | null, status: TargetStatus = 'connected'): TargetState {
  return {
    config: { id: 'local', name: 'Local', kind: 'local' },
    summary: {
      id: 'local',
      label: 'local',
      status,
      error: null,
      collectedAt: snapshot?.collectedAt ?? null,
      durationMs: snapshot?.durationMs ?? null,
    },
    snapshot,
    errorCode: null,
  };
}

export function sshTarget(
  snapshot: Snapshot | null,
  status: TargetStatus = 'connected',
  error: CapturedError | null = null,
): TargetState {
  return {
    config: { id: 'ssh:lab', name: 'lab', kind: 'ssh', host: '127.0.0.1', port: 2222, user: 'root' },
    summary: {
      id: 'ssh:lab',
      label: 'root@127.0.0.1:2222',
      status,
      error: error?.message ?? null,
      collectedAt: snapshot?.collectedAt ?? null,
      durationMs: snapshot?.durationMs ?? null,
    },
    snapshot,
    // Captured from real failures (fixtures/capture.sh); the code is one of ErrorCode's.
    errorCode: (error?.code as ErrorCode | undefined) ?? null,
  };
}

/** A deep copy a test may change freely. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
