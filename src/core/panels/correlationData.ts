// Snapshot -> CorrelationData for one container. Pure.
import type { Snapshot } from '../model';
import type { CorrelationData, TargetSummary } from '../../shared/protocol';
import { correlate } from '../analyze/correlate';

/** `gone` when the snapshot no longer holds the container; null correlation (not gone) before the first snapshot. */
export function buildCorrelationData(target: TargetSummary, s: Snapshot | null, containerId: string): CorrelationData {
  if (!s) return { target, correlation: null, gone: false };
  const c = s.containers.find((x) => x.id === containerId);
  if (!c) return { target, correlation: null, gone: true };
  return { target, correlation: correlate(s, c), gone: false };
}
