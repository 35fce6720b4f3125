// Which alert starts become notifications, and when: starts that arrive together (50 containers crossing a
// threshold in one refresh, a burst of events) become one notice per target, at most one notice per target per
// `minGapMs` (what comes in between waits and is folded into the next), and muted alerts never notify. Pure and
// clocked from outside, so the extension's timer and the tests drive it the same way.
import type { Alert, AlertSeverity, AlertTransition } from './types';
import { plainText } from '../present/text';

export interface DeliveryOptions {
  /** How long a first start waits for others to join its notice. */
  groupMs: number;
  /** The least time between two notices of one target. */
  minGapMs: number;
}

const DEFAULT_DELIVERY: DeliveryOptions = { groupMs: 2_000, minGapMs: 60_000 };

/** A muted rule on one subject (`rule` null: every rule), until a time (ms) or for good (`until` null). */
export interface Mute {
  targetId: string;
  subjectId: string;
  rule: Alert['rule'] | null;
  until: number | null;
}

export interface Notice {
  targetId: string;
  severity: AlertSeverity;
  /** Critical ones first, then in the order they came. */
  alerts: Alert[];
}

interface Pending {
  since: number;
  alerts: Alert[];
}

export class AlertDelivery {
  private readonly pending = new Map<string, Pending>();
  private readonly lastNotice = new Map<string, number>();
  private muted: Mute[] = [];

  constructor(private readonly options: DeliveryOptions = DEFAULT_DELIVERY) {}

  /** An engine's transitions at `at` (ms): starts wait to be noticed; an end drops its start if still waiting. */
  offer(transitions: readonly AlertTransition[], at: number): void {
    for (const { type, alert } of transitions) {
      const p = this.pending.get(alert.targetId);
      if (type === 'end') {
        // An immediate alert ends as it starts (an event): it still deserves its notice.
        if (p && alert.endedAt !== alert.startedAt) p.alerts = p.alerts.filter((a) => a.key !== alert.key);
        continue;
      }
      if (this.isMuted(alert, at)) continue;
      if (!p) {
        this.pending.set(alert.targetId, { since: at, alerts: [alert] });
        continue;
      }
      // One line per rule and subject: a container that exits again and again says so once, and once its restart
      // loop is named the exits that made it say nothing more.
      p.alerts = p.alerts.filter((a) => a.subject.id !== alert.subject.id || !subsumes(alert, a));
      p.alerts.push(alert);
    }
  }

  /** The notices due at `at`; call it on a timer (`nextDue` says when). */
  flush(at: number): Notice[] {
    const out: Notice[] = [];
    for (const [targetId, p] of this.pending) {
      if (p.alerts.length === 0) {
        this.pending.delete(targetId);
        continue;
      }
      if (at < this.dueAt(targetId, p)) continue;
      this.pending.delete(targetId);
      this.lastNotice.set(targetId, at);
      const severity = p.alerts.some((a) => a.severity === 'critical') ? 'critical' : 'warning';
      // Critical ones first (an OOM kill before a long-throttled container), each kind in the order it came.
      const alerts = [...p.alerts].sort((a, b) => rank(a) - rank(b));
      out.push({ targetId, severity, alerts });
    }
    return out;
  }

  /** When the next notice is due (ms), or null when nothing waits. */
  nextDue(): number | null {
    let next: number | null = null;
    for (const [targetId, p] of this.pending) {
      if (p.alerts.length === 0) continue;
      const due = this.dueAt(targetId, p);
      if (next === null || due < next) next = due;
    }
    return next;
  }

  mute(mute: Mute): void {
    this.muted = [...this.muted.filter((m) => !sameMute(m, mute)), mute];
    for (const p of this.pending.values()) p.alerts = p.alerts.filter((a) => !covers(mute, a));
  }

  isMuted(alert: Alert, at: number): boolean {
    return this.muted.some((m) => covers(m, alert) && (m.until === null || at < m.until));
  }

  /** The mutes still in force at `at`, to keep across restarts. */
  mutes(at: number): Mute[] {
    this.muted = this.muted.filter((m) => m.until === null || at < m.until);
    return [...this.muted];
  }

  private dueAt(targetId: string, p: Pending): number {
    const last = this.lastNotice.get(targetId);
    const grouped = p.since + this.options.groupMs;
    return last === undefined ? grouped : Math.max(grouped, last + this.options.minGapMs);
  }
}

/** Whether `newer` makes `older` (waiting, same subject) not worth its own line. */
function subsumes(newer: Alert, older: Alert): boolean {
  return newer.rule === older.rule || (newer.rule === 'restart-loop' && older.rule === 'exited-nonzero');
}

const rank = (a: Alert): number => (a.severity === 'critical' ? 0 : 1);

function covers(m: Mute, a: Alert): boolean {
  return m.targetId === a.targetId && m.subjectId === a.subject.id && (m.rule === null || m.rule === a.rule);
}

function sameMute(a: Mute, b: Mute): boolean {
  return a.targetId === b.targetId && a.subjectId === b.subjectId && a.rule === b.rule;
}

/** Messages a notice spells out before "and N more". */
const NOTICE_MESSAGES = 3;

/**
 * The notice as one line for a notification: the only alert's message, or the first three and how many more. Target
 * text is made plain (no control or bidi characters), and a notification renders `[text](target)` as a link,
 * commands included: a zero-width space between `]` and `(` keeps the text as it reads and makes no link.
 */
export function noticeText(n: Notice, targetName: string): string {
  const [first, ...rest] = n.alerts;
  if (!first) return '';
  const spelled = n.alerts.slice(0, NOTICE_MESSAGES).map((a) => a.message);
  const more = n.alerts.length - spelled.length;
  const line =
    rest.length === 0
      ? `${targetName}: ${first.message}`
      : `${targetName}: ${n.alerts.length} alerts: ${spelled.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  return plainText(line).replace(/\]\(/g, ']\u200b(');
}
