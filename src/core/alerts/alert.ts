// How every rule builds an Alert: one key scheme (so a start and its end match), severity from the rule table.
import type { Alert, AlertRuleId, AlertSubject } from './types';
import { ruleSpec } from './settings';

export interface AlertDraft {
  rule: AlertRuleId;
  subject: AlertSubject;
  /** Tells apart alerts of one rule on one subject (a disk's path); '' when there is one. */
  part?: string;
  startedAt: number;
  message: string;
  evidence: Alert['evidence'];
}

/** The key of the condition (rule, subject, part), without the start: what a sustained rule tracks. */
export function conditionKey(targetId: string, d: Pick<AlertDraft, 'rule' | 'subject' | 'part'>): string {
  return `${targetId}|${d.rule}|${d.subject.kind}:${d.subject.id}${d.part ? `|${d.part}` : ''}`;
}

export function makeAlert(targetId: string, d: AlertDraft, ended: boolean): Alert {
  const startedAt = new Date(d.startedAt).toISOString();
  return {
    key: `${conditionKey(targetId, d)}@${startedAt}`,
    rule: d.rule,
    severity: ruleSpec(d.rule).severity,
    targetId,
    subject: d.subject,
    startedAt,
    endedAt: ended ? startedAt : null,
    message: d.message,
    evidence: d.evidence,
  };
}

/** A number for messages: at most one decimal. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
