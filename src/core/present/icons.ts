// Which codicon and theme colour stand for a state. Shared by the tree and the QuickPicks so both say the same.
import type { ContainerInfo, ProcessInfo } from '../model';

/** Theme colour ids the views use (VS Code's chart palette follows light, dark and high-contrast themes). */
type IconColor =
  'charts.green' | 'charts.red' | 'charts.yellow' | 'charts.orange' | 'charts.blue' | 'disabledForeground';

export interface Icon {
  /** A codicon id, with `~spin` where it should turn. */
  id: string;
  color: IconColor | null;
}

/** The exit code in Docker's status text ("Exited (137) 5 minutes ago"), or null. */
function exitCodeOf(status: string): number | null {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

/** Docker's container states: running, paused, restarting, created, exited, removing, dead. */
export function containerIcon(c: Pick<ContainerInfo, 'state' | 'status' | 'health'>): Icon {
  switch (c.state) {
    case 'running':
      if (c.health === 'unhealthy') return { id: 'vm-running', color: 'charts.red' };
      if (c.health === 'starting') return { id: 'vm-running', color: 'charts.yellow' };
      return { id: 'vm-running', color: 'charts.green' };
    case 'paused':
      return { id: 'debug-pause', color: 'charts.yellow' };
    case 'restarting':
      return { id: 'sync', color: 'charts.yellow' };
    case 'exited': {
      // A clean exit is a stopped container; any other code is a failure worth seeing.
      const code = exitCodeOf(c.status);
      return { id: 'vm-outline', color: code !== null && code !== 0 ? 'charts.red' : 'disabledForeground' };
    }
    case 'created':
      return { id: 'vm-outline', color: 'disabledForeground' };
    case 'removing':
      return { id: 'trash', color: 'disabledForeground' };
    case 'dead':
      return { id: 'error', color: 'charts.red' };
    default:
      return { id: 'question', color: null };
  }
}

/** Containers with processes to show and figures to chart. */
export function isContainerLive(c: Pick<ContainerInfo, 'state'>): boolean {
  return c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
}

/** Zombies and processes stuck in uninterruptible sleep stand out; others use the theme's icon colour. */
export function processIcon(p: Pick<ProcessInfo, 'state'>): Icon {
  if (p.state.startsWith('Z')) return { id: 'server-process', color: 'charts.red' };
  if (p.state.startsWith('D')) return { id: 'server-process', color: 'charts.yellow' };
  return { id: 'server-process', color: null };
}
