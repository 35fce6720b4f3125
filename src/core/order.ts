// Orders every surface uses for the same lists, from one place so that the CLI, the tree and the panels agree.
import type { ProcessInfo } from './model';

/**
 * Busiest first, as top sorts: CPU %, then RSS, then PID so that equal rows keep one order. A process without a
 * CPU figure yet (its first sample) comes after every measured one, 0 % included: unknown is not idle.
 */
export function busiestFirst(a: ProcessInfo, b: ProcessInfo): number {
  return (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) || b.rssBytes - a.rssBytes || a.pid - b.pid;
}
