// Updates for a panel whose webview cannot take them now: a hidden webview is torn down (and a loading one has
// no listener yet), and messages posted meanwhile are lost. The panel keeps them here and sends them when the
// webview says it is ready, so that the charts keep the history of the time the panel was in a background tab.
// Pure.
import type { ExtensionMessage } from '../../shared/protocol';
import { HISTORY_CAPACITY } from './history';

/** The collection time a chart point is made from, or null for messages that carry no chart point. */
export function sampleTime(m: ExtensionMessage): number | null {
  if (m.type === 'metrics' || m.type === 'dashboard') return m.data.sample?.t ?? null;
  return null;
}

/**
 * What of an older update is still worth sending: only what the charts need (tables and figures are redrawn
 * from the newest update). Null when nothing is (correlation and gaps have no history).
 */
export function historyEntry(m: ExtensionMessage): ExtensionMessage | null {
  if (m.type === 'metrics') return m.data.sample ? { type: 'metrics', data: { ...m.data, figures: [] } } : null;
  if (m.type === 'dashboard') {
    const d = m.data;
    if (!d.sample || !d.host) return null;
    return {
      type: 'dashboard',
      data: { ...d, host: { ...d.host, interfaces: [] }, containers: [], topProcesses: [], warnings: [] },
    };
  }
  return null;
}

export class PendingMessages {
  private readonly history: ExtensionMessage[] = [];
  private latest: ExtensionMessage | null = null;

  constructor(private readonly capacity = HISTORY_CAPACITY) {}

  get size(): number {
    return this.history.length + (this.latest ? 1 : 0);
  }

  push(m: ExtensionMessage): void {
    const prev = this.latest;
    this.latest = m;
    if (!prev) return;
    const t = sampleTime(prev);
    // The same snapshot again (a status change): the newer message replaces it, no new chart point.
    if (t === null || t === sampleTime(m)) return;
    const entry = historyEntry(prev);
    if (!entry) return;
    this.history.push(entry);
    if (this.history.length > this.capacity) this.history.splice(0, this.history.length - this.capacity);
  }

  /** Everything to send, oldest first, the newest update last and in full; empties the queue. */
  drain(): ExtensionMessage[] {
    const out = this.latest ? [...this.history, this.latest] : [...this.history];
    this.history.length = 0;
    this.latest = null;
    return out;
  }
}
