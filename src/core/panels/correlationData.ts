// Snapshot -> CorrelationData for one container. Pure.
import type { Snapshot } from '../model';
import type { CorrelationData, TargetSummary } from '../../shared/protocol';
import { correlate } from '../analyze/correlate';
import { slowTierAge } from '../format';

/** `gone` when the snapshot no longer holds the container; null correlation (not gone) before the first snapshot. */
export function buildCorrelationData(target: TargetSummary, s: Snapshot | null, containerId: string): CorrelationData {
  if (!s) return { target, correlation: null, gone: false };
  const c = s.containers.find((x) => x.id === containerId);
  if (!c) return { target, correlation: null, gone: true };
  const correlation = correlate(s, c);
  // The listening sockets come from the slow tier: say how old they are when they were not read now.
  const age = slowTierAge(s);
  if (age)
    correlation.rows = correlation.rows.map((r) =>
      r.aspect === 'In network' ? { ...r, process: `${r.process}${age}` } : r,
    );
  return { target, correlation, gone: false };
}
