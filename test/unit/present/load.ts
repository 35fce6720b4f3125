// Loads the fixtures captured by fixtures/capture.sh and wraps them as a target's state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../../src/core/model';
import type { TargetInput, TargetStatus } from '../../../src/core/present/targetInput';
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

export function localTarget(snapshot: Snapshot | null, status: TargetStatus = 'connected'): TargetInput {
  return {
    config: { id: 'local', name: 'Local', kind: 'local' },
    summary: { label: 'local', status, error: null, collectedAt: snapshot?.collectedAt ?? null, durationMs: snapshot?.durationMs ?? null },
    snapshot,
    errorCode: null,
  };
}

export function sshTarget(snapshot: Snapshot | null, status: TargetStatus = 'connected', error: CapturedError | null = null): TargetInput {
  return {
    config: { id: 'ssh:lab', name: 'lab', kind: 'ssh', host: '127.0.0.1', port: 2222, user: 'root' },
    summary: { label: 'root@127.0.0.1:2222', status, error: error?.message ?? null, collectedAt: snapshot?.collectedAt ?? null, durationMs: snapshot?.durationMs ?? null },
    snapshot,
    errorCode: error?.code ?? null,
  };
}

/** A deep copy a test may change freely. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
