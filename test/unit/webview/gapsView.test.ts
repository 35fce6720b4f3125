import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/model';
import {
  ALL_GAPS,
  LEVELS,
  countByLevel,
  evidenceText,
  filterFindings,
  groupFindings,
  isGapFilter,
} from '../../../src/core/panels/gapsView';
import { buildGapsData } from '../../../src/core/panels/gapsData';
import { machineSnapshot } from './fixtures/load';

const target = {
  id: 'local',
  label: 'Local',
  status: 'connected' as const,
  error: null,
  collectedAt: null,
  durationMs: null,
};
const findings: Finding[] = buildGapsData(target, machineSnapshot()).findings;

describe('gap findings of the machine snapshot', () => {
  it('the fixture has findings of several severities and levels (else these tests prove little)', () => {
    expect(new Set(findings.map((f) => f.severity)).size).toBeGreaterThan(1);
    expect(new Set(findings.map((f) => f.level)).size).toBeGreaterThan(1);
  });

  it('counts per level and severity add up to all findings', () => {
    const counts = countByLevel(findings);
    for (const level of LEVELS) {
      for (const sev of ['critical', 'warning', 'info'] as const) {
        expect(counts[level][sev]).toBe(findings.filter((f) => f.level === level && f.severity === sev).length);
      }
    }
    expect(countByLevel([])['cross-level']).toEqual({ critical: 0, warning: 0, info: 0 });
  });

  it('groups by level, then severity critical first, leaving out empty groups and keeping every finding once', () => {
    const groups = groupFindings(findings);
    expect(groups.every((g) => g.findings.length > 0)).toBe(true);
    expect(groups.flatMap((g) => g.findings)).toHaveLength(findings.length);
    const order = groups.map((g) => LEVELS.indexOf(g.level) * 10 + ['critical', 'warning', 'info'].indexOf(g.severity));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const g of groups)
      expect(g.findings.every((f) => f.level === g.level && f.severity === g.severity)).toBe(true);
  });

  it('filters by severity, by level and by text (message, subject, rule, evidence)', () => {
    const warnings = filterFindings(findings, { ...ALL_GAPS, severities: ['warning'] });
    expect(warnings.length).toBe(findings.filter((f) => f.severity === 'warning').length);
    expect(warnings.every((f) => f.severity === 'warning')).toBe(true);
    const ch = filterFindings(findings, { ...ALL_GAPS, levels: ['container-host'] });
    expect(ch.every((f) => f.level === 'container-host')).toBe(true);
    expect(filterFindings(findings, { ...ALL_GAPS, severities: [] })).toEqual([]);
    expect(filterFindings(findings, ALL_GAPS)).toEqual(findings);

    const hostnet = filterFindings(findings, { ...ALL_GAPS, text: 'DM-HOSTNET host-network' });
    expect(hostnet.length).toBeGreaterThan(0);
    expect(hostnet.every((f) => f.rule === 'host-network' || f.message.includes('host-network'))).toBe(true);
    const byEvidence = filterFindings(findings, { ...ALL_GAPS, text: 'networkMode host' });
    expect(byEvidence.some((f) => f.evidence.networkMode === 'host')).toBe(true);
  });
});

describe('evidenceText and isGapFilter', () => {
  it('prints evidence values', () => {
    expect(evidenceText(null)).toBe('unknown');
    expect(evidenceText(67108864)).toBe('67108864');
    expect(evidenceText(91.66666666)).toBe('91.67');
    expect(evidenceText(true)).toBe('true');
    expect(evidenceText('<b>x</b>')).toBe('<b>x</b>');
  });

  it('accepts only a well-formed saved filter', () => {
    expect(isGapFilter(ALL_GAPS)).toBe(true);
    expect(isGapFilter({ severities: ['fatal'], levels: [], text: '' })).toBe(false);
    expect(isGapFilter({ severities: [], levels: ['kernel'], text: '' })).toBe(false);
    expect(isGapFilter({ severities: [], levels: [] })).toBe(false);
    expect(isGapFilter(null)).toBe(false);
  });
});
