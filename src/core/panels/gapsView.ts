// Grouping, filtering and counting of gap findings for the Gap Analysis panel. Pure.
import type { Finding, FindingLevel, Severity } from '../model';
import { filterTerms } from './tableModel';

export const LEVELS: readonly FindingLevel[] = ['process-container', 'container-host', 'cross-level'];
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export const LEVEL_LABELS: Readonly<Record<FindingLevel, string>> = {
  'process-container': 'Process ↔ Container',
  'container-host': 'Container ↔ Host',
  'cross-level': 'Across levels',
};

export interface GapFilter {
  severities: Severity[];
  levels: FindingLevel[];
  text: string;
}

export const ALL_GAPS: GapFilter = { severities: [...SEVERITIES], levels: [...LEVELS], text: '' };

export function isGapFilter(v: unknown): v is GapFilter {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as GapFilter;
  return (
    Array.isArray(f.severities) &&
    f.severities.every((s) => SEVERITIES.includes(s)) &&
    Array.isArray(f.levels) &&
    f.levels.every((l) => LEVELS.includes(l)) &&
    typeof f.text === 'string'
  );
}

/** Evidence values as the panel prints them. */
export function evidenceText(v: number | string | boolean | null): string {
  if (v === null) return 'unknown';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(2)));
  return String(v);
}

export function filterFindings(findings: readonly Finding[], f: GapFilter): Finding[] {
  const terms = filterTerms(f.text);
  return findings.filter((x) => {
    if (!f.severities.includes(x.severity) || !f.levels.includes(x.level)) return false;
    if (terms.length === 0) return true;
    const hay = [
      x.rule,
      x.message,
      x.subject.name,
      x.subject.id,
      ...Object.entries(x.evidence).map(([k, v]) => `${k} ${evidenceText(v)}`),
    ]
      .join('\n')
      .toLowerCase();
    return terms.every((t) => hay.includes(t));
  });
}

export interface FindingGroup {
  level: FindingLevel;
  severity: Severity;
  findings: Finding[];
}

/** Groups by level (in LEVELS order), then severity (critical first); empty groups are left out. Keeps input order inside a group. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups: FindingGroup[] = [];
  for (const level of LEVELS) {
    for (const severity of SEVERITIES) {
      const inGroup = findings.filter((x) => x.level === level && x.severity === severity);
      if (inGroup.length > 0) groups.push({ level, severity, findings: inGroup });
    }
  }
  return groups;
}

export type LevelCounts = Record<FindingLevel, Record<Severity, number>>;

/** Count per level and severity, of all findings (the summary does not change with the filters). */
export function countByLevel(findings: readonly Finding[]): LevelCounts {
  const counts = {} as LevelCounts;
  for (const l of LEVELS) counts[l] = { critical: 0, warning: 0, info: 0 };
  for (const x of findings) {
    if (counts[x.level]) counts[x.level][x.severity]++;
  }
  return counts;
}
