// Where alerts show in the extension without VS Code: the tree's Alerts row and the status-bar item.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alerts/types';
import { buildTargetTree } from '../../../src/core/present/treeModel';
import { RECENT_ALERTS_SHOWN } from '../../../src/core/present/treeAlerts';
import { statusBarContent } from '../../../src/core/present/statusText';
import { loadSnapshot, localTarget } from '../present/load';

const s = loadSnapshot('local-2');
const limited = s.containers.find((c) => c.name === 'dm-limited')!;

function alert(over: Partial<Alert> = {}): Alert {
  return {
    key: `oom-killed|local|${limited.id}|2026-12-02T10:00:00.000Z`,
    rule: 'oom-killed',
    severity: 'critical',
    targetId: 'local',
    subject: { kind: 'container', id: limited.id, name: limited.name },
    startedAt: '2026-12-02T10:00:00.000Z',
    endedAt: '2026-12-02T10:00:00.000Z',
    message: `${limited.name} was OOM-killed (memory limit 64 MiB)`,
    evidence: { limitBytes: 67108864 },
    ...over,
  };
}

describe('the Alerts row of a target', () => {
  it('is absent when the target has no alert, so a quiet target looks as before', () => {
    const tree = buildTargetTree({ ...localTarget(s), alerts: { active: [], recent: [] } });
    expect([...tree.nodes.keys()].some((id) => id.startsWith('alerts:'))).toBe(false);
  });

  it('comes first under the target, expanded, active ones before recent ones, and says how many are active', () => {
    const throttled = alert({
      key: 'thr',
      rule: 'cpu-throttled',
      severity: 'warning',
      endedAt: null,
      message: `${limited.name} was throttled in 80% of its CPU periods for 60 s`,
      evidence: { throttledPercent: 80, threshold: 25 },
    });
    const tree = buildTargetTree({ ...localTarget(s), alerts: { active: [throttled], recent: [alert()] } });
    const root = tree.nodes.get(tree.rootId)!;
    expect(root.childIds[0]).toBe('alerts:local');
    const row = tree.nodes.get('alerts:local')!;
    expect(row.description).toBe('1 active');
    expect(row.collapsible).toBe('expanded');
    expect(row.icon).toEqual({ id: 'bell-dot', color: 'charts.yellow' });
    const [first, second] = row.childIds.map((id) => tree.nodes.get(id)!);
    expect(first.label).toBe(throttled.message);
    expect(first.icon.id).toBe('warning');
    expect(first.node).toMatchObject({
      kind: 'alert',
      rule: 'cpu-throttled',
      active: true,
      subject: { id: limited.id },
    });
    expect(second.icon.id).toBe('history');
    expect(second.tooltip).toContain('OOM\\-killed');
    expect(first.tooltip).toContain('throttledPercent');
  });

  it('lists at most the last recent ones, and escapes target text in the label', () => {
    const recent = Array.from({ length: RECENT_ALERTS_SHOWN + 5 }, (_, i) =>
      alert({ key: `k${i}`, message: `box-${i}\u001b[2J was OOM-killed` }),
    );
    const tree = buildTargetTree({ ...localTarget(s), alerts: { active: [], recent } });
    const row = tree.nodes.get('alerts:local')!;
    expect(row.childIds).toHaveLength(RECENT_ALERTS_SHOWN);
    expect(row.description).toBe(`${recent.length} recent`);
    expect(row.collapsible).toBe('collapsed');
    const label = tree.nodes.get(row.childIds[0])!.label;
    expect(label).not.toContain('\u001b');
    expect(label).toContain('box-0');
  });
});

describe('the status-bar item with alerts', () => {
  const view = (alerts: Alert[]) => ({ ...localTarget(s), alerts: { active: alerts } });

  it('counts the active alerts of every target and names the first', () => {
    const c = statusBarContent(
      [view([alert({ endedAt: null })]), { ...view([alert({ key: 'b', targetId: 'ssh:lab' })]) }],
      false,
    )!;
    expect(c.activeAlerts).toBe(2);
    expect(c.text).toMatch(/\$\(bell-dot\) 2$/);
    expect(c.tooltip).toContain(`2 active alerts: ${limited.name} was OOM-killed`);
  });

  it('has no bell and no alert count when none is active', () => {
    const c = statusBarContent([view([])], false)!;
    expect(c.activeAlerts).toBe(0);
    expect(c.text).not.toContain('bell');
  });
});
