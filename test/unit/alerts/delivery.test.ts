// The delivery's grouping, rate limit and mutes, on a clock the test moves.
import { describe, expect, it } from 'vitest';
import { AlertDelivery, noticeText } from '../../../src/core/alerts/delivery';
import type { Alert, AlertTransition } from '../../../src/core/alerts/types';

function alert(n: number, over: Partial<Alert> = {}): Alert {
  const id = String(n).padStart(64, 'c');
  return {
    key: `memory-near-limit|local|${id}|1000`,
    rule: 'memory-near-limit',
    severity: 'warning',
    targetId: 'local',
    subject: { kind: 'container', id, name: `box-${n}` },
    startedAt: '2026-12-02T10:00:00.000Z',
    endedAt: null,
    message: `box-${n} uses 95% of its memory limit`,
    evidence: { percent: 95, threshold: 90 },
    ...over,
  };
}
const start = (a: Alert): AlertTransition => ({ type: 'start', alert: a });
const end = (a: Alert): AlertTransition => ({ type: 'end', alert: { ...a, endedAt: '2026-12-02T10:01:00.000Z' } });

describe('AlertDelivery', () => {
  it('folds 50 containers crossing at once into one notice per target, after the group wait', () => {
    const d = new AlertDelivery({ groupMs: 2000, minGapMs: 60_000 });
    d.offer(
      Array.from({ length: 50 }, (_, i) => start(alert(i))),
      1000,
    );
    expect(d.flush(2999)).toEqual([]);
    expect(d.nextDue()).toBe(3000);
    const [n, ...more] = d.flush(3000);
    expect(more).toEqual([]);
    expect(n.alerts).toHaveLength(50);
    expect(noticeText(n, 'Local')).toBe(
      'Local: 50 alerts: box-0 uses 95% of its memory limit; box-1 uses 95% of its memory limit; ' +
        'box-2 uses 95% of its memory limit; and 47 more',
    );
    expect(d.flush(10_000)).toEqual([]);
  });

  it('says a container that exits again and again once, and names its restart loop instead of the exits', () => {
    const d = new AlertDelivery({ groupMs: 2000, minGapMs: 60_000 });
    const exit = (k: number) =>
      alert(1, { rule: 'exited-nonzero', key: `exit-${k}`, message: 'box-1 exited with code 1', severity: 'critical' });
    d.offer([start(exit(1)), start(exit(2)), start(alert(2))], 0);
    const [first] = d.flush(2000);
    expect(first.alerts.map((a) => a.key)).toEqual(['exit-2', alert(2).key]);
    d.offer([start(exit(3)), start(exit(4))], 3000);
    d.offer([start(alert(1, { rule: 'restart-loop', key: 'loop', message: 'box-1 restarted 3 times in 3 s' }))], 4000);
    d.offer([start(alert(3))], 5000);
    const [second] = d.flush(62_000);
    expect(noticeText(second, 'Local')).toBe(
      'Local: 2 alerts: box-1 restarted 3 times in 3 s; box-3 uses 95% of its memory limit',
    );
  });

  it('holds the next notice of a target until the gap has passed, and folds what came meanwhile into it', () => {
    const d = new AlertDelivery({ groupMs: 2000, minGapMs: 60_000 });
    d.offer([start(alert(1))], 0);
    expect(d.flush(2000)).toHaveLength(1);
    d.offer([start(alert(2))], 5000);
    d.offer([start(alert(3))], 30_000);
    expect(d.flush(40_000)).toEqual([]);
    expect(d.nextDue()).toBe(62_000);
    const [n] = d.flush(62_000);
    expect(n.alerts.map((a) => a.subject.name)).toEqual(['box-2', 'box-3']);
  });

  it('keeps targets apart: one target rate-limited does not hold another', () => {
    const d = new AlertDelivery({ groupMs: 0, minGapMs: 60_000 });
    d.offer([start(alert(1))], 0);
    expect(d.flush(0)).toHaveLength(1);
    d.offer([start(alert(2)), start(alert(3, { targetId: 'ssh:lab' }))], 10);
    expect(d.flush(10).map((n) => n.targetId)).toEqual(['ssh:lab']);
  });

  it('drops a sustained start that ended before its notice, but keeps an immediate one (an event ends as it starts)', () => {
    const d = new AlertDelivery({ groupMs: 2000, minGapMs: 0 });
    const sustained = alert(1);
    const oom = alert(2, { rule: 'oom-killed', severity: 'critical', key: 'oom', endedAt: '2026-12-02T10:00:00.000Z' });
    d.offer([start(sustained), start(oom), { type: 'end', alert: oom }], 0);
    d.offer([end(sustained)], 1000);
    const [n] = d.flush(2000);
    expect(n.alerts.map((a) => a.rule)).toEqual(['oom-killed']);
    expect(n.severity).toBe('critical');
  });

  it('mutes a rule on a subject for an hour, and a subject for good, and forgets expired mutes', () => {
    const d = new AlertDelivery({ groupMs: 0, minGapMs: 0 });
    const a = alert(1);
    d.mute({ targetId: 'local', subjectId: a.subject.id, rule: 'memory-near-limit', until: 3_600_000 });
    d.offer([start(a)], 1000);
    expect(d.flush(1000)).toEqual([]);
    // Another rule on the same container still notifies.
    d.offer([start(alert(1, { rule: 'cpu-throttled', key: 'thr' }))], 2000);
    expect(d.flush(2000)).toHaveLength(1);
    // After the hour, the rule notifies again.
    d.offer([start(a)], 3_600_000);
    expect(d.flush(3_600_000)).toHaveLength(1);
    d.mute({ targetId: 'local', subjectId: a.subject.id, rule: null, until: null });
    d.offer([start(a), start(alert(1, { rule: 'oom-killed', key: 'oom' }))], 4_000_000);
    expect(d.flush(4_000_000)).toEqual([]);
    expect(d.mutes(4_000_000)).toEqual([{ targetId: 'local', subjectId: a.subject.id, rule: null, until: null }]);
  });

  it('a mute also takes back what already waits for a notice', () => {
    const d = new AlertDelivery({ groupMs: 2000, minGapMs: 0 });
    const a = alert(1);
    d.offer([start(a), start(alert(2))], 0);
    d.mute({ targetId: 'local', subjectId: a.subject.id, rule: null, until: null });
    expect(d.flush(2000)[0].alerts.map((x) => x.subject.name)).toEqual(['box-2']);
  });

  it('a notice of hostile target text makes no link and carries no control character', () => {
    const d = new AlertDelivery({ groupMs: 0, minGapMs: 0 });
    d.offer([start(alert(1, { message: 'disk [click](command:workbench.action.quit) \u001b[2J\u202e is full' }))], 0);
    const text = noticeText(d.flush(0)[0], 'Lab ](x)');
    expect(text).not.toMatch(/\]\(/);
    expect(text).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(text).toContain('[click]\u200b(command:workbench.action.quit)');
  });

  it('puts critical alerts first in a notice, each kind in the order it came', () => {
    const d = new AlertDelivery({ groupMs: 2000, minGapMs: 0 });
    const oom = alert(9, { rule: 'oom-killed', severity: 'critical', key: 'oom' });
    d.offer([start(alert(1)), start(alert(2)), start(oom), start(alert(3))], 0);
    expect(d.flush(2000)[0].alerts.map((a) => a.subject.name)).toEqual(['box-9', 'box-1', 'box-2', 'box-3']);
  });
});
