// The text form of an alert line: one line whatever the target's names hold, START/END/ALERT told apart.
import { describe, expect, it } from 'vitest';
import { alertLine } from '../../../src/cli/alertWatch';
import type { Alert, AlertSeverity } from '../../../src/core/alerts/types';

function alert(severity: AlertSeverity, endedAt: string | null, message: string): Alert {
  return {
    key: 'k',
    rule: 'memory-near-limit',
    severity,
    targetId: 'local',
    subject: { kind: 'container', id: 'a'.repeat(64), name: 'x' },
    startedAt: '2026-12-02T10:00:00.000Z',
    endedAt,
    message,
    evidence: {},
  };
}

describe('alertLine', () => {
  it('START and END of a sustained alert, at their own times', () => {
    const a = alert('warning', null, 'x: memory 95 %');
    expect(alertLine({ type: 'start', alert: a })).toBe(
      '2026-12-02T10:00:00.000Z START warning  memory-near-limit    x: memory 95 %',
    );
    expect(alertLine({ type: 'end', alert: { ...a, endedAt: '2026-12-02T10:05:00.000Z' } })).toMatch(
      /^2026-12-02T10:05:00\.000Z END {3}warning/,
    );
  });

  it('ALERT for an immediate one; a hostile container name stays one harmless line', () => {
    const line = alertLine({
      type: 'start',
      alert: alert('critical', '2026-12-02T10:00:00.000Z', 'evil\x1b]52;c;AAAA\x07\nname was OOM-killed'),
    });
    expect(line).toMatch(/ ALERT critical /);
    expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(line).toContain('\\e]52');
  });
});
