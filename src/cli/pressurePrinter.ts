// PSI as a table, for the host (/proc/pressure) and a container (its *.pressure): one row per resource and line,
// the kernel's averages and the stall share over the last refresh interval (from two totals).
import type { Pressure, PressureLine, PressureSet } from '../core/model';
import { formatPercent } from '../core/format';
import { renderTable } from './table';

const RESOURCES = ['cpu', 'memory', 'io'] as const;
const US_PER_SECOND = 1e6;

function row(resource: string, kind: 'some' | 'full', line: PressureLine): string[] {
  return [
    resource,
    kind,
    formatPercent(line.avg10, 2),
    formatPercent(line.avg60, 2),
    formatPercent(line.avg300, 2),
    formatPercent(line.totalPercent, 2),
    `${(line.totalUs / US_PER_SECOND).toFixed(1)} s`,
  ];
}

function rows(resource: string, p: Pressure | null): string[][] {
  if (p === null) return [[resource, '-', '-', '-', '-', 'not available', '-']];
  return [row(resource, 'some', p.some), ...(p.full ? [row(resource, 'full', p.full)] : [])];
}

/** `some`: at least one task stalled; `full`: all non-idle tasks stalled at once. STALL needs two samples. */
export function printPressure(set: PressureSet): string {
  return renderTable(
    [
      { header: 'RESOURCE' },
      { header: 'LINE' },
      { header: 'AVG10', align: 'right' },
      { header: 'AVG60', align: 'right' },
      { header: 'AVG300', align: 'right' },
      { header: 'STALL', align: 'right' },
      { header: 'TOTAL', align: 'right' },
    ],
    RESOURCES.flatMap((r) => rows(r, set[r])),
  );
}
