// Independent readings of the machine (the docker CLI, ip, the container's own sysfs), to check what the
// extension shows against. Never the extension's code.
import { execFileSync } from 'node:child_process';

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
}

function works(cmd: string, args: string[]): boolean {
  try {
    sh(cmd, args);
    return true;
  } catch {
    return false;
  }
}

export const TEST_CONTAINERS = ['dm-limited', 'dm-unlimited', 'dm-hostnet', 'dm-multi', 'dm-stopped'];
export const dockerReady = works('docker', ['inspect', ...TEST_CONTAINERS]);
export const dockerSkipReason = 'needs dockerd and the dm-* test containers: run `bash scripts/test-env.sh` as root';

export interface PsRow {
  id: string;
  name: string;
  state: string;
}

/** The label scripts/test-env.sh puts on its containers. */
export const TEST_LABEL = 'docker-monitor-test=1';

/**
 * `docker ps -a` of the test containers (test-env.sh's label), with full ids: the suite asserts about these and
 * ignores whatever else runs on this machine (another project's containers are not ours to wait for).
 */
export function psAll(): PsRow[] {
  const out = sh('docker', [
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=${TEST_LABEL}`,
    '--format',
    '{{.ID}}\t{{.Names}}\t{{.State}}',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, name, state] = l.split('\t');
      return { id, name, state };
    });
}

/** Host PIDs of a container's processes, as `docker top` lists them. */
export function topPids(name: string): number[] {
  return sh('docker', ['top', name, '-eo', 'pid'])
    .split('\n')
    .slice(1)
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
}

export function inspect(name: string): any {
  return JSON.parse(sh('docker', ['inspect', name]))[0];
}

/** The host end of a container's eth0: the interface whose ifindex is the iflink the container's sysfs gives. */
export function hostVethOf(name: string): { name: string; master: string | null } {
  const iflink = Number(sh('docker', ['exec', name, 'cat', '/sys/class/net/eth0/iflink']));
  for (const line of sh('ip', ['-o', 'link', 'show']).split('\n')) {
    const m = /^(\d+):\s+([^:@\s]+)(?:@\S+)?:/.exec(line);
    if (m && Number(m[1]) === iflink) {
      const master = / master (\S+)/.exec(line);
      return { name: m[2], master: master ? master[1] : null };
    }
  }
  throw new Error(`no host interface has ifindex ${iflink} (the iflink of ${name}'s eth0)`);
}

export function onlineCpus(): number {
  return Number(sh('getconf', ['_NPROCESSORS_ONLN']));
}
