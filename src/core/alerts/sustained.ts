// What "held over a window" means, for every sustained rule: a condition seen true at every evaluation since it was
// first seen, for at least its window, starts an alert; seen false at every evaluation for as long, it ends (at
// the first of those), so that one short interval (a refresh right after another, a throttle share of one CFS
// period) does not end an alert and start it again a moment later. A subject gone ends its alerts at once.
// No timers: time only moves when an evaluation is given one.
import type { AlertDraft } from './alert';
import { conditionKey, makeAlert } from './alert';
import type { Alert, AlertTransition } from './types';

/** One rule on one subject at one evaluation. */
export interface Observation extends Omit<AlertDraft, 'startedAt'> {
  /** null: not known this time (a figure not read): the condition stays as it was, neither held nor cleared. */
  holds: boolean | null;
  windowMs: number;
  /** How long it must be seen false to end; default windowMs (0: at once, e.g. a target that answers again). */
  clearMs?: number;
}

interface Tracked {
  since: number;
  alert: Alert | null;
  /** Active alert seen false since then (ms); null while it holds. */
  clearSince: number | null;
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
        if (!t) continue;
        if (!t.alert) this.tracked.delete(key);
        else {
          t.clearSince ??= at;
          if (at - t.clearSince >= (o.clearMs ?? o.windowMs)) this.end(key, t, t.clearSince, out);
        }
        continue;
      }
      if (!t) {
        this.tracked.set(key, { since: at, alert: null, clearSince: null });
        if (o.windowMs <= 0) this.start(key, o, out);
        continue;
      }
      t.clearSince = null;
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
    const { holds: _h, windowMs: _w, clearMs: _c, ...draft } = o;
    t.alert = makeAlert(this.targetId, { ...draft, startedAt: t.since }, false);
    out.push({ type: 'start', alert: { ...t.alert } });
  }

  private end(key: string, t: Tracked, at: number, out: AlertTransition[]): void {
    this.tracked.delete(key);
    if (t.alert) out.push({ type: 'end', alert: { ...t.alert, endedAt: new Date(at).toISOString() } });
  }
}
