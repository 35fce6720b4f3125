// Snapshot -> GapsData. Pure.
import type { Snapshot } from '../model';
import type { GapsData, TargetSummary } from '../../shared/protocol';
import { analyzeGaps } from '../analyze/gaps';

export function buildGapsData(target: TargetSummary, s: Snapshot | null): GapsData {
  return { target, findings: s ? analyzeGaps(s) : [] };
}
