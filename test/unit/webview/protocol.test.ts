import { describe, expect, it } from 'vitest';
import { isExtensionMessage, isPanelSubject, isWebviewMessage } from '../../../src/shared/protocol';

describe('isWebviewMessage (webview input is untrusted)', () => {
  it('accepts the messages the webviews send', () => {
    const ok: unknown[] = [
      { type: 'ready' },
      { type: 'refresh' },
      { type: 'open', panel: 'metrics', targetId: 'local', kind: 'process', id: '42' },
      { type: 'open', panel: 'correlation', targetId: 'local', kind: 'container', id: 'abc' },
      { type: 'reveal', targetId: 'local', kind: 'host', id: 'local' },
    ];
    for (const m of ok) expect(isWebviewMessage(m), JSON.stringify(m)).toBe(true);
  });

  it('rejects anything else', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      [],
      { type: 'exec', cmd: 'rm' },
      { type: 'open', panel: 'gaps', targetId: 'local', kind: 'host', id: '' },
      { type: 'open', panel: 'metrics', targetId: 'local', kind: 'pod', id: '1' },
      { type: 'open', panel: 'metrics', targetId: 1, kind: 'process', id: '1' },
      { type: 'open', panel: 'metrics', targetId: 'local', kind: 'process', id: 1 },
      { type: 'reveal', targetId: 'local', kind: 'container' },
    ];
    for (const m of bad) expect(isWebviewMessage(m), JSON.stringify(m)).toBe(false);
  });
});

describe('isExtensionMessage', () => {
  it('accepts data messages and subjects, rejects malformed ones', () => {
    expect(isExtensionMessage({ type: 'gaps', data: { target: {}, findings: [] } })).toBe(true);
    expect(isExtensionMessage({ type: 'subject', subject: { panel: 'gaps', targetId: 'local' } })).toBe(true);
    expect(isExtensionMessage({ type: 'gaps', data: null })).toBe(false);
    expect(isExtensionMessage({ type: 'gaps', data: { findings: [] } })).toBe(false);
    expect(isExtensionMessage({ type: 'subject', subject: { panel: 'x', targetId: 'local' } })).toBe(false);
    expect(isExtensionMessage({ type: 'other', data: { target: {} } })).toBe(false);
    expect(isExtensionMessage(42)).toBe(false);
  });

  it('isPanelSubject checks every optional field', () => {
    expect(isPanelSubject({ panel: 'metrics', targetId: 't', kind: 'process', id: '1', startTicks: 5 })).toBe(true);
    expect(isPanelSubject({ panel: 'metrics', targetId: 't', kind: 'process', id: 1 })).toBe(false);
    expect(isPanelSubject({ panel: 'metrics', targetId: 't', startTicks: '5' })).toBe(false);
  });
});
