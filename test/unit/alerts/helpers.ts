// What the alert tests share: the recorded event stream (fixtures/docker/events-alerts.ndjson), synthetic events in
// the same shape, and snapshots of the project machine at a chosen time with chosen figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../../../src/core/docker/engineApi';
import type { ContainerInfo, Snapshot } from '../../../src/core/model';
import { containerNamed, machineSnapshot } from '../fixtures/snapshots/machine';

export const T0 = Date.parse('2026-12-02T10:00:00.000Z');

export function recordedEvents(): EngineEvent[] {
  return readFileSync(join(__dirname, '../fixtures/docker/events-alerts.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EngineEvent);
}

export const ID = 'a'.repeat(64);

/** A container event as the daemon sends it (API 1.41 shape), at `atMs`. */
export function ev(action: string, atMs: number, attrs: Record<string, string> = {}, id = ID): EngineEvent {
  return {
    status: action,
    id,
    from: 'dm-busybox:test',
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: { image: 'dm-busybox:test', name: 'dm-x', ...attrs } },
    time: Math.floor(atMs / 1000),
    timeNano: atMs * 1e6,
  };
}

/** The machine snapshot collected at `atMs` (durationMs 0), changed by `edit`. */
export function snap(
  atMs: number,
  edit: (s: Snapshot, c: (name: string) => ContainerInfo) => void = () => {},
): Snapshot {
  const s = structuredClone(machineSnapshot());
  s.collectedAt = new Date(atMs).toISOString();
  s.durationMs = 0;
  edit(s, (name) => containerNamed(s, name));
  return s;
}

export const iso = (ms: number) => new Date(ms).toISOString();
