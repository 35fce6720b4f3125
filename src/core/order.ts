// Orders every surface uses for the same lists, from one place so that the CLI, the tree and the panels agree.
// Pure and browser-safe: the panels' tables sort with it too.
import type { ProcessInfo } from './model';

/**
 * Busiest first, as top sorts: CPU %, then RSS, then PID so that equal rows keep one order. A process without a
 * CPU figure yet (its first sample) comes after every measured one, 0 % included: unknown is not idle.
 */
export function busiestFirst(a: ProcessInfo, b: ProcessInfo): number {
  return (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) || b.rssBytes - a.rssBytes || a.pid - b.pid;
}

/**
 * Text order: case-folded, then by code unit, so that it is the same on every machine and in every locale (unlike
 * localeCompare, whose order depends on the ICU data and the locale of the process).
 */
export function byText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}
