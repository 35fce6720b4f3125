// A refresh for less than everything: its snapshot keeps only the processes the views asked for, whether or not
// this refresh read more (a slow refresh reads every stat). Views then see the same rows refresh after refresh.
import type { Snapshot } from '../model';
import type { BatchResult } from '../transport/types';
import type { Demand } from './demand';

/** Each container's main process (its lowest PID when Docker names none), and every process of the asked-for containers. */
export function keepShown(s: Snapshot, demand: Demand): void {
  if (demand.processes === 'all') return;
  const wanted = new Set(demand.processes);
  const keep = new Set<number>();
  for (const c of s.containers) {
    if (wanted.has(c.id)) {
      for (const r of c.processes) keep.add(r.hostPid);
      continue;
    }
    const pids = c.processes.map((r) => r.hostPid);
    const main = c.initPid !== null && pids.includes(c.initPid) ? c.initPid : Math.min(...pids);
    if (Number.isFinite(main)) keep.add(main);
    c.processes = c.processes.filter((r) => r.hostPid === main);
  }
  s.processes = s.processes.filter((p) => keep.has(p.pid));
}

const PROC_PID = /^\/proc\/(\d+)\//;

/** Leaves out of a batch the /proc/PID files and links of processes not in `shown`: nobody assembles them. */
export function dropUnshown(batch: BatchResult, shown: Set<number>): void {
  for (const m of [batch.files, batch.links] as Map<string, unknown>[]) {
    for (const path of m.keys()) {
      const pid = PROC_PID.exec(path);
      if (pid && !shown.has(Number(pid[1]))) m.delete(path);
    }
  }
}
