import { describe, expect, it } from 'vitest';
import type { PanelSubject } from '../../../src/shared/protocol';
import { PANEL_KINDS, PANEL_VIEW_TYPES, panelBundle, panelTitle, subjectKey } from '../../../src/core/panels/subject';
import { isUsableSubject, subjectFromState } from '../../../src/core/panels/webviewState';

const ID = 'a'.repeat(64);

describe('subjectKey', () => {
  it('one panel per subject: same subject same key, any difference another key', () => {
    const subjects: PanelSubject[] = [
      { panel: 'dashboard', targetId: 'local' },
      { panel: 'dashboard', targetId: 'ssh:web' },
      { panel: 'gaps', targetId: 'local' },
      { panel: 'metrics', targetId: 'local', kind: 'host' },
      { panel: 'metrics', targetId: 'local', kind: 'container', id: ID },
      { panel: 'metrics', targetId: 'local', kind: 'process', id: '42' },
      { panel: 'correlation', targetId: 'local', kind: 'container', id: ID },
    ];
    const keys = subjects.map(subjectKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(subjectKey({ panel: 'dashboard', targetId: 'local' })).toBe(keys[0]);
  });

  it('ignores start ticks and a host id: they do not make another subject', () => {
    expect(subjectKey({ panel: 'metrics', targetId: 'local', kind: 'process', id: '42', startTicks: 7 })).toBe(
      subjectKey({ panel: 'metrics', targetId: 'local', kind: 'process', id: '42' }),
    );
    expect(subjectKey({ panel: 'metrics', targetId: 'local', kind: 'host', id: 'local' })).toBe(
      subjectKey({ panel: 'metrics', targetId: 'local' }),
    );
  });

  it('cannot be confused by separators inside ids', () => {
    expect(subjectKey({ panel: 'gaps', targetId: 'a","b' })).not.toBe(subjectKey({ panel: 'gaps', targetId: 'a' }));
  });
});

describe('view types, bundles and titles', () => {
  it('uses the view types package.json activates on', () => {
    expect(PANEL_KINDS.map((k) => PANEL_VIEW_TYPES[k])).toEqual([
      'dockerMonitor.dashboard',
      'dockerMonitor.metrics',
      'dockerMonitor.correlation',
      'dockerMonitor.gaps',
    ]);
    expect(PANEL_KINDS.map(panelBundle)).toEqual(['dashboard', 'metrics', 'correlation', 'gaps']);
  });

  it('titles name the subject, or the target for whole-target panels', () => {
    expect(panelTitle({ panel: 'dashboard', targetId: 'local' }, 'Local')).toBe('Monitor: All · Local');
    expect(panelTitle({ panel: 'gaps', targetId: 'local' }, 'Local')).toBe('Gap Analysis · Local');
    expect(panelTitle({ panel: 'metrics', targetId: 'local', kind: 'host' }, 'Local', 'vm')).toBe('Metrics · vm');
    expect(panelTitle({ panel: 'metrics', targetId: 'local', kind: 'container', id: ID }, 'Local')).toBe(
      'Metrics · aaaaaaaaaaaa',
    );
    expect(panelTitle({ panel: 'metrics', targetId: 'local', kind: 'process', id: '42' }, 'Local')).toBe(
      'Metrics · PID 42',
    );
    expect(panelTitle({ panel: 'correlation', targetId: 'local', kind: 'container', id: ID }, 'Local', 'web')).toBe(
      'Correlation · web',
    );
  });

  it("titles show a process name's newline, ESC and bidi override as escapes (a process names itself)", () => {
    expect(
      panelTitle(
        { panel: 'metrics', targetId: 'local', kind: 'process', id: '42' },
        'Local',
        '<i>\x1b[7m\u202eZ\n (42)',
      ),
    ).toBe('Metrics · <i>\\x1b[7m\\u202eZ\\n (42)');
  });
});

describe('restoring a subject from webview state', () => {
  it('accepts the state a webview saves', () => {
    const subject: PanelSubject = {
      panel: 'metrics',
      targetId: 'ssh:web',
      kind: 'process',
      id: '4242',
      startTicks: 99,
    };
    expect(subjectFromState({ subject, history: { fields: [], t: [], values: [] }, view: {} })).toEqual(subject);
  });

  it('refuses what it cannot show', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'dashboard',
      {},
      { subject: { panel: 'nope', targetId: 'local' } },
      { subject: { panel: 'dashboard' } },
      { subject: { panel: 'dashboard', targetId: '' } },
      { subject: { panel: 'metrics', targetId: 'local' } },
      { subject: { panel: 'metrics', targetId: 'local', kind: 'process', id: '0' } },
      { subject: { panel: 'metrics', targetId: 'local', kind: 'process', id: '12; rm -rf' } },
      { subject: { panel: 'metrics', targetId: 'local', kind: 'container' } },
      { subject: { panel: 'correlation', targetId: 'local' } },
      { subject: { panel: 'correlation', targetId: 'local', id: '../../etc' } },
      { subject: { panel: 'metrics', targetId: 'local', kind: 'host', startTicks: 'x' } },
    ];
    for (const state of bad) expect(subjectFromState(state), JSON.stringify(state)).toBeNull();
  });

  it('isUsableSubject: a host metrics subject needs no id', () => {
    expect(isUsableSubject({ panel: 'metrics', targetId: 'local', kind: 'host' })).toBe(true);
    expect(isUsableSubject({ panel: 'gaps', targetId: 'x'.repeat(201) })).toBe(false);
  });
});
