// What an alert is, for every part that raises, delivers, stores or prints one: the rules (src/core/alerts),
// the CLI's `watch --alerts`, and the extension's notifications, tree node and status bar.

/** Immediate rules come from the Docker event stream; sustained ones held over a window of refreshes. */
export type AlertRuleId =
  // immediate
  | 'oom-killed'
  | 'exited-nonzero'
  | 'restart-loop'
  | 'unhealthy'
  // sustained
  | 'memory-near-limit'
  | 'cpu-throttled'
  | 'pids-near-limit'
  | 'host-disk-full'
  | 'host-memory-low'
  | 'host-pressure-cpu'
  | 'host-pressure-memory'
  | 'host-pressure-io'
  | 'target-unreachable';

export type AlertSeverity = 'critical' | 'warning';

export interface AlertSubject {
  kind: 'host' | 'container' | 'target';
  /** Full container id; the target id for 'host' and 'target'. */
  id: string;
  /** What a person calls it: container name, host name, target name. */
  name: string;
}

export interface Alert {
  /** One occurrence: rule, target, subject and start, so a start and its end share it. */
  key: string;
  rule: AlertRuleId;
  severity: AlertSeverity;
  targetId: string;
  subject: AlertSubject;
  /** ISO 8601. An immediate alert (an event) has endedAt equal to startedAt. */
  startedAt: string;
  endedAt: string | null;
  /** One line a person reads, e.g. "dm-limited was OOM-killed (memory limit 32 MiB)". Target text is not escaped here. */
  message: string;
  /** The numbers behind it (the figure, the threshold, the window), like a gap finding's evidence. */
  evidence: Record<string, number | string | null>;
}

/** What the engine reports as it evaluates: an alert began, or one ended. */
export interface AlertTransition {
  type: 'start' | 'end';
  alert: Alert;
}

/** One rule's settings. `threshold` and `windowSeconds` mean what ALERT_RULES says for that rule (unused: 0). */
export interface RuleSettings {
  enabled: boolean;
  threshold: number;
  windowSeconds: number;
}

/** Every rule's settings: what parseAlertSettings returns and the engine reads. */
export type AlertSettings = Record<AlertRuleId, RuleSettings>;

/**
 * What one rule takes: its defaults, what the threshold counts (null: none) and its bounds, and whether a window
 * applies. The one table behind the defaults, the validation, the CLI's usage text and the README's rule list.
 */
export interface AlertRuleSpec {
  id: AlertRuleId;
  kind: 'immediate' | 'sustained';
  severity: AlertSeverity;
  /** The threshold's unit for help texts ("%", "restarts"); null when the rule has none. */
  thresholdUnit: string | null;
  threshold: number;
  thresholdMin: number;
  thresholdMax: number;
  /** What the window is for this rule (sustained: held this long; restart-loop: counted over it); null: none. */
  window: string | null;
  windowSeconds: number;
  /** One line for the rule list. */
  summary: string;
}
