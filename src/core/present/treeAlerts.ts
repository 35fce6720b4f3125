// The Alerts row of a target in the Targets tree: what is wrong now and what was recently, so that a user who
// opens the editor after the fact sees the OOM kill of ten minutes ago. Shown only when there is something.
import type { Alert } from '../alerts/types';
import type { Icon } from './icons';
import type { TargetState } from './targetInput';
import { MarkdownLines, plainText } from './text';
import { nodeIds } from './treeNodes';
import type { TreeBuilder } from './treeRows';

/** Recent (ended) alerts listed under the active ones. */
export const RECENT_ALERTS_SHOWN = 10;

/** `10:32` in the extension host's locale and time zone. */
function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function alertIcon(a: Alert, active: boolean): Icon {
  if (!active) return { id: 'history', color: 'disabledForeground' };
  return a.severity === 'critical' ? { id: 'error', color: 'charts.red' } : { id: 'warning', color: 'charts.yellow' };
}

function alertTooltip(a: Alert, active: boolean): string {
  const md = new MarkdownLines().title(a.message);
  md.field('Rule', a.rule).field('Severity', a.severity);
  md.field(a.subject.kind === 'container' ? 'Container' : 'On', a.subject.name);
  md.field('Started', a.startedAt);
  md.field(active ? 'Still active' : 'Ended', active ? 'yes' : a.endedAt);
  for (const [name, value] of Object.entries(a.evidence)) md.field(name, value === null ? 'unknown' : String(value));
  return md.toString();
}

function addAlert(b: TreeBuilder, parentId: string, targetId: string, a: Alert, active: boolean): void {
  const immediate = a.endedAt === a.startedAt;
  b.add(parentId, {
    node: {
      kind: 'alert',
      id: nodeIds.alert(targetId, a.key),
      targetId,
      key: a.key,
      rule: a.rule,
      subject: a.subject,
      active,
    },
    label: plainText(a.message),
    description: active || immediate ? clock(a.startedAt) : `${clock(a.startedAt)}–${clock(a.endedAt ?? a.startedAt)}`,
    tooltip: alertTooltip(a, active),
    icon: alertIcon(a, active),
    collapsible: 'none',
    contextValue: 'alert',
    command: null,
  });
}

export function addAlerts(b: TreeBuilder, parentId: string, t: TargetState): void {
  const alerts = t.alerts;
  if (!alerts || (alerts.active.length === 0 && alerts.recent.length === 0)) return;
  const targetId = t.config.id;
  const active = alerts.active.length;
  const recent = alerts.recent.slice(0, RECENT_ALERTS_SHOWN);
  const critical = alerts.active.some((a) => a.severity === 'critical');
  const id = b.add(parentId, {
    node: { kind: 'alerts', id: nodeIds.alerts(targetId), targetId },
    label: 'Alerts',
    description: active > 0 ? `${active} active` : `${alerts.recent.length} recent`,
    tooltip: new MarkdownLines()
      .title('Alerts')
      .text(`${active} active, ${alerts.recent.length} ended recently (the last ${recent.length} listed).`)
      .toString(),
    icon:
      active === 0
        ? { id: 'bell', color: null }
        : critical
          ? { id: 'bell-dot', color: 'charts.red' }
          : { id: 'bell-dot', color: 'charts.yellow' },
    collapsible: active > 0 ? 'expanded' : 'collapsed',
    contextValue: null,
    command: null,
  });
  for (const a of alerts.active) addAlert(b, id, targetId, a, true);
  for (const a of recent) addAlert(b, id, targetId, a, false);
}
