import { describe, expect, it } from 'vitest';
import type { ExtensionMessage, TargetSummary } from '../../../src/shared/protocol';
import { PendingMessages, historyEntry, sampleTime } from '../../../src/core/panels/pendingMessages';
import { buildPanelMessage } from '../../../src/core/panels/panelMessage';
import { containerNamed, later, machineSnapshot } from './fixtures/load';

const s0 = machineSnapshot();
const target: TargetSummary = {
  id: 'local',
  label: 'Local',
  status: 'connected',
  error: null,
  collectedAt: s0.collectedAt,
  durationMs: 80,
};
const limited = containerNamed(s0, 'dm-limited');
const metricsSubject = { panel: 'metrics' as const, targetId: 'local', kind: 'container' as const, id: limited.id };
const dashSubject = { panel: 'dashboard' as const, targetId: 'local' };

function metricsAt(ms: number): ExtensionMessage {
  return buildPanelMessage(metricsSubject, target, later(s0, ms));
}

describe('PendingMessages', () => {
  it('replays every missed chart point oldest first, the newest in full', () => {
    const q = new PendingMessages();
    for (const ms of [0, 2000, 4000]) q.push(metricsAt(ms));
    const out = q.drain();
    expect(out.map(sampleTime)).toEqual([0, 2000, 4000].map((ms) => Date.parse(s0.collectedAt) + ms));
    // Older ones carry only the chart point; the newest has the figures too.
    expect(out.map((m) => (m.type === 'metrics' ? m.data.figures.length > 0 : null))).toEqual([false, false, true]);
    expect(q.size).toBe(0);
    expect(q.drain()).toEqual([]);
  });

  it('a second message for the same snapshot (a status change) replaces the first', () => {
    const q = new PendingMessages();
    q.push(metricsAt(0));
    const reconnecting = buildPanelMessage(metricsSubject, { ...target, status: 'reconnecting' }, s0);
    q.push(reconnecting);
    expect(q.drain()).toEqual([reconnecting]);
  });

  it('keeps at most its capacity of history, dropping the oldest', () => {
    const q = new PendingMessages(3);
    for (let i = 0; i < 10; i++) q.push(metricsAt(i * 1000));
    const out = q.drain();
    expect(out).toHaveLength(4);
    expect(out.map(sampleTime)).toEqual([6, 7, 8, 9].map((i) => Date.parse(s0.collectedAt) + i * 1000));
  });

  it('keeps only the newest correlation or gaps update (they have no history)', () => {
    const q = new PendingMessages();
    const a = buildPanelMessage({ panel: 'gaps', targetId: 'local' }, target, s0);
    const b = buildPanelMessage({ panel: 'gaps', targetId: 'local' }, target, later(s0, 2000));
    q.push(a);
    q.push(b);
    expect(q.drain()).toEqual([b]);
  });

  it('trims old dashboard updates to what the host charts need', () => {
    const q = new PendingMessages();
    q.push(buildPanelMessage(dashSubject, target, s0));
    q.push(buildPanelMessage(dashSubject, target, later(s0, 2000)));
    const [old, newest] = q.drain();
    expect(old.type === 'dashboard' && old.data.containers).toEqual([]);
    expect(old.type === 'dashboard' && old.data.topProcesses).toEqual([]);
    expect(old.type === 'dashboard' && old.data.host?.interfaces).toEqual([]);
    expect(old.type === 'dashboard' && old.data.host?.cpuPercent).toEqual(s0.host.cpuPercent);
    expect(newest.type === 'dashboard' && newest.data.containers.length).toBe(s0.containers.length);
  });
});

describe('historyEntry', () => {
  it('has nothing for messages without a chart point', () => {
    expect(historyEntry({ type: 'subject', subject: dashSubject })).toBeNull();
    expect(historyEntry(buildPanelMessage(metricsSubject, target, null))).toBeNull();
    expect(historyEntry(buildPanelMessage(dashSubject, target, null))).toBeNull();
    expect(sampleTime({ type: 'subject', subject: dashSubject })).toBeNull();
  });
});
