// The message a panel receives for its subject, from a target's current state. Pure: the extension side feeds
// it the service's TargetSummary and snapshot, so what a panel shows is decided here, where it can be tested.
import type { Snapshot } from '../model';
import type { ExtensionMessage, PanelSubject, TargetSummary } from '../../shared/protocol';
import { buildCorrelationData } from './correlationData';
import { buildDashboardData } from './dashboardData';
import { buildGapsData } from './gapsData';
import { buildMetricsData } from './metricsData';

/** What a panel shows for a target that is no longer configured (removed while the panel was open or closed). */
export function unknownTargetSummary(targetId: string): TargetSummary {
  return {
    id: targetId,
    label: targetId,
    status: 'error',
    error: `target "${targetId}" is not configured any more`,
    collectedAt: null,
    durationMs: null,
  };
}

export function buildPanelMessage(subject: PanelSubject, target: TargetSummary, s: Snapshot | null): ExtensionMessage {
  switch (subject.panel) {
    case 'dashboard':
      return { type: 'dashboard', data: buildDashboardData(target, s) };
    case 'gaps':
      return { type: 'gaps', data: buildGapsData(target, s) };
    case 'correlation':
      return { type: 'correlation', data: buildCorrelationData(target, s, subject.id ?? '') };
    case 'metrics':
      return {
        type: 'metrics',
        data: buildMetricsData(target, s, {
          kind: subject.kind ?? 'host',
          id: subject.id ?? '',
          startTicks: subject.startTicks,
        }),
      };
  }
}
