// The bar at the top of every panel: the target, its connection state, when the data was collected, a refresh
// button, and the collector's warnings.
import type { TargetSummary } from '../../shared/protocol';
import { append, el, icon } from './dom';
import { button } from './elements';

const STATUS: Record<TargetSummary['status'], { icon: string; text: string; className: string }> = {
  connecting: { icon: 'loading codicon-modifier-spin', text: 'connecting', className: 'status-busy' },
  connected: { icon: 'pass', text: 'connected', className: 'status-ok' },
  reconnecting: { icon: 'sync codicon-modifier-spin', text: 'reconnecting', className: 'status-busy' },
  error: { icon: 'error', text: 'error', className: 'status-error' },
  paused: { icon: 'debug-pause', text: 'paused', className: 'status-paused' },
};

function collectedText(t: TargetSummary): string {
  if (!t.collectedAt) return 'no data yet';
  const at = new Date(t.collectedAt);
  const when = Number.isNaN(at.getTime()) ? t.collectedAt : at.toLocaleTimeString();
  return t.durationMs === null ? `collected ${when}` : `collected ${when} in ${Math.round(t.durationMs)} ms`;
}

export function targetBar(
  title: string,
  t: TargetSummary,
  onRefresh: () => void,
  extra: HTMLElement[] = [],
): HTMLElement {
  const s = STATUS[t.status] ?? STATUS.error;
  const bar = el(
    'header',
    { className: 'target-bar' },
    el('h1', { text: title }),
    el(
      'span',
      { className: `status ${s.className}`, title: `Target ${t.label}: ${s.text}` },
      icon(s.icon),
      ` ${t.label} · ${s.text}`,
    ),
    el('span', { className: 'muted', text: collectedText(t) }),
    el('span', { className: 'spacer' }),
  );
  append(bar, ...extra, button('Refresh', 'refresh', onRefresh));
  if (t.status === 'error' && t.error) {
    return el(
      'div',
      {},
      bar,
      el('div', { className: 'banner banner-error', attrs: { role: 'alert' } }, icon('error'), ` ${t.error}`),
    );
  }
  return bar;
}

export function warningsBox(warnings: readonly string[]): HTMLElement | null {
  if (warnings.length === 0) return null;
  return el(
    'details',
    { className: 'banner banner-warning' },
    el('summary', {}, icon('warning'), ` ${warnings.length} collector warning${warnings.length === 1 ? '' : 's'}`),
    el('ul', {}, ...warnings.map((w) => el('li', { text: w }))),
  );
}

export function goneBanner(text: string): HTMLElement {
  return el('div', { className: 'banner banner-warning', attrs: { role: 'status' } }, icon('circle-slash'), ` ${text}`);
}

export function waiting(text = 'Waiting for the first snapshot of this target…'): HTMLElement {
  return el('p', { className: 'muted waiting' }, icon('loading codicon-modifier-spin'), ` ${text}`);
}
