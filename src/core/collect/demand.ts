// What the views on screen show, so that a refresh reads the union of it and nothing more. The tree with its
// containers collapsed shows each container's row (CPU, memory, PIDs, traffic) and the host: no process's stat
// is needed but each container's main process (its cgroup and network namespace). A panel, an expanded
// container or the host processes node asks for more.

export interface Demand {
  /** Whose /proc/PID/stat each refresh reads: every process, or those of these containers (full ids). */
  processes: 'all' | readonly string[];
  /** Every cgroup counter (block I/O, swap, per-CPU usage, fail counts), not only a container row's figures. */
  containerDetail: boolean;
}

/** What one refresh is asked for; an option left out (or undefined) means FULL_DEMAND, and not a slow-tier read. */
export interface SampleOptions {
  demand?: Demand | undefined;
  /** Read the slow tier (open files, socket tables, host details) now, whatever the cadence. */
  full?: boolean | undefined;
}

/** Everything: the CLI's snapshots, the panels, and the default when nobody says. */
export const FULL_DEMAND: Demand = Object.freeze({ processes: 'all', containerDetail: true });

/** The tree with every container collapsed and the host processes node closed. */
export const ROW_DEMAND: Demand = Object.freeze({
  processes: Object.freeze([]) as readonly string[],
  containerDetail: false,
});

/** The least that shows everything each of `demands` shows; ROW_DEMAND for none. */
export function mergeDemands(demands: Iterable<Demand>): Demand {
  let all = false;
  let detail = false;
  const ids = new Set<string>();
  for (const d of demands) {
    detail ||= d.containerDetail;
    if (d.processes === 'all') all = true;
    else for (const id of d.processes) ids.add(id);
  }
  return { processes: all ? 'all' : [...ids].sort(), containerDetail: detail };
}

export function isFullDemand(d: Demand): boolean {
  return d.processes === 'all' && d.containerDetail;
}
