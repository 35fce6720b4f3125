// Readable gap findings, grouped by the pair of levels they concern, most severe first.
import type { Finding, FindingLevel, Severity } from '../core/model';
import { renderTable, section } from './table';

const LEVELS: [FindingLevel, string][] = [
  ['process-container', 'Process <-> container'],
  ['container-host', 'Container <-> host'],
  ['cross-level', 'Across all levels'],
];

const SEVERITY_ORDER: Severity[] = ['critical', 'warning', 'info'];

function summary(findings: Finding[]): string {
  const counts = SEVERITY_ORDER.map((sev) => [sev, findings.filter((f) => f.severity === sev).length] as const)
    .filter(([, n]) => n > 0)
    .map(([sev, n]) => `${n} ${sev}`);
  return `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${counts.join(', ')}`;
}

export function printGaps(findings: Finding[]): string {
  if (findings.length === 0) return 'No gaps found.';
  const blocks = LEVELS.flatMap(([level, title]) => {
    const group = findings
      .filter((f) => f.level === level)
      .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
    if (group.length === 0) return [];
    const table = renderTable(
      [{ header: 'SEVERITY' }, { header: 'SUBJECT' }, { header: 'RULE' }, { header: 'FINDING' }],
      group.map((f) => [f.severity.toUpperCase(), `${f.subject.kind} ${f.subject.name}`, f.rule, f.message]),
      '  ',
    );
    return [section(`${title} (${group.length})`, table)];
  });
  return [summary(findings), ...blocks].join('\n\n');
}
