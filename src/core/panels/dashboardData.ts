// Snapshot -> DashboardData (Monitor: All). Pure.
import type { ProcessInfo, Snapshot } from '../model';
import type { DashboardData, TargetSummary } from '../../shared/protocol';
import { sampleOf } from './sample';
import { busiestFirst } from '../order';

export const TOP_PROCESS_LIMIT = 50;

export function topProcesses(s: Snapshot, limit = TOP_PROCESS_LIMIT): ProcessInfo[] {
  return [...s.processes].sort(busiestFirst).slice(0, limit);
}

export function buildDashboardData(target: TargetSummary, s: Snapshot | null): DashboardData {
  if (!s) return { target, host: null, containers: [], topProcesses: [], sample: null, warnings: [] };
  return {
    target,
    host: s.host,
    containers: s.containers,
    topProcesses: topProcesses(s),
    sample: sampleOf(s, { kind: 'host', id: '' }),
    warnings: s.warnings,
  };
}
