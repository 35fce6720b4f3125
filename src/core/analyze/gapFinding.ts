// What every gap rule shares: the rule type, how a finding is built and named, and the snapshot facts several rules
// read (running containers, a cpuset's size). The rules themselves live in gapRules*.ts, one file per kind of gap.
import type { ContainerInfo, Finding, FindingLevel, Severity, Snapshot } from '../model';
import { containerLabel } from '../identity';

export type GapRule = (s: Snapshot) => Finding[];

type Subject = Finding['subject'];
export type Evidence = Finding['evidence'];

export function finding(
  rule: string,
  level: FindingLevel,
  severity: Severity,
  subject: Subject,
  message: string,
  evidence: Evidence,
): Finding {
  return { rule, level, severity, subject, message, evidence };
}

/** Containers found only from cgroups have no name: their short id stands in. */
export function nameOf(c: ContainerInfo): string {
  return containerLabel(c);
}

export function containerSubject(c: ContainerInfo): Subject {
  return { kind: 'container', id: c.id, name: nameOf(c) };
}

export function hostSubject(s: Snapshot): Subject {
  return { kind: 'host', id: s.target, name: s.host.hostname || s.target };
}

export const running = (s: Snapshot): ContainerInfo[] => s.containers.filter((c) => c.state === 'running');

/** Number of CPUs in a cpuset list such as "0-3,6"; null when it cannot be read. */
export function cpusetSize(list: string | null): number | null {
  if (!list || !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list.trim())) return null;
  let n = 0;
  for (const part of list.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b >= a ? b - a + 1 : 0;
  }
  return n;
}
