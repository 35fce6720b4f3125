// What "held over a window" means, for every sustained rule: a condition seen true at every evaluation since it was
// first seen, for at least its window, starts an alert; the first evaluation that sees it false (or no longer sees
// its subject) ends it. No timers: time only moves when an evaluation is given one.
import type { AlertDraft } from './alert';
import { conditionKey, makeAlert } from './alert';
import type { Alert, AlertTransition } from './types';

/** One rule on one subject at one evaluation. */
export interface Observation extends Omit<AlertDraft, 'startedAt'> {
  /** null: not known this time (a figure not read): the condition stays as it was, neither held nor cleared. */
  holds: boolean | null;
  windowMs: number;
}

interface Tracked {
  since: number;
  alert: Alert | null;
}

export class SustainedTracker {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly targetId: string) {}

  /**
   * `observations`: every condition the rules see now. A tracked condition missing from them (its subject gone,
   * its rule turned off) ends as if it had cleared.
   */
  evaluate(observations: readonly Observation[], at: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const o of observations) {
      const key = conditionKey(this.targetId, o);
      seen.add(key);
      const t = this.tracked.get(key);
      if (o.holds === null) continue;
      if (!o.holds) {
        if (t) this.end(key, t, at, out);
        continue;
      }
      if (!t) {
        this.tracked.set(key, { since: at, alert: null });
        if (o.windowMs <= 0) this.start(key, o, out);
        continue;
      }
      if (t.alert) {
        // Still held: the active alert shows the latest figures.
        t.alert.message = o.message;
        t.alert.evidence = o.evidence;
      } else if (at - t.since >= o.windowMs) {
        this.start(key, o, out);
      }
    }
    for (const [key, t] of this.tracked) if (!seen.has(key)) this.end(key, t, at, out);
    return out;
  }

  active(): Alert[] {
    return [...this.tracked.values()].flatMap((t) => (t.alert ? [t.alert] : []));
  }

  private start(key: string, o: Observation, out: AlertTransition[]): void {
    const t = this.tracked.get(key)!;
    const { holds: _h, windowMs: _w, ...draft } = o;
    t.alert = makeAlert(this.targetId, { ...draft, startedAt: t.since }, false);
    out.push({ type: 'start', alert: { ...t.alert } });
  }

  private end(key: string, t: Tracked, at: number, out: AlertTransition[]): void {
    this.tracked.delete(key);
    if (t.alert) out.push({ type: 'end', alert: { ...t.alert, endedAt: new Date(at).toISOString() } });
  }
}
