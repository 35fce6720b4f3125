// Small lookups for the render script.
import type { ContainerInfo, Snapshot } from '../../../../src/core/model';

export function containerNamed(s: Snapshot, name: string): ContainerInfo | undefined {
  return s.containers.find((c) => c.name === name);
}
