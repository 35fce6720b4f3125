// Gap analysis: what each level (process, container, host) shows or hides about the others, from one snapshot.
import type { Finding, FindingLevel, Severity, Snapshot } from '../model';
import { GAP_RULES } from './gapRules';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const LEVEL_ORDER: Record<FindingLevel, number> = { 'process-container': 0, 'container-host': 1, 'cross-level': 2 };

/** Critical first, then by level, then by subject name; the rule id keeps the order stable for equal subjects. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
    byCodeUnit(a.subject.name, b.subject.name) ||
    byCodeUnit(a.rule, b.rule) ||
    byCodeUnit(a.subject.id, b.subject.id)
  );
}

/** Locale-independent, so the CLI and the extension host order findings the same way. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every gap the snapshot shows, sorted by severity, level and subject. */
export function analyzeGaps(s: Snapshot): Finding[] {
  return GAP_RULES.flatMap((rule) => rule(s)).sort(compareFindings);
}
