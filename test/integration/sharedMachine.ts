// How much this machine is shared: the test env owns its dm-* containers (label docker-monitor-test=1), but a
// host-wide read (every process, every container's cgroup) also reads whatever else runs here. Time bounds and
// test timeouts are multiplied by sharedFactor(): 1 on a machine that runs only the test containers, so the bounds
// stay as strict as written there; more where other projects' containers run (their reads are real work).
import { execFileSync } from 'node:child_process';

function count(args: string[]): number {
  try {
    return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 })
      .split('\n')
      .filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Running containers that are not the test env's. */
export function otherContainers(): number {
  return Math.max(0, count(['ps', '-q']) - count(['ps', '-q', '--filter', 'label=docker-monitor-test=1']));
}

/** 1 + one per 25 other running containers (a host-wide read here took about that much longer per 25). */
export function sharedFactor(others = otherContainers()): number {
  return 1 + others / 25;
}
