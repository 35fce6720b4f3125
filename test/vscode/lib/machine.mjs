// Independent readings of this machine for the UI tests (the docker CLI, ip, the container's own sysfs):
// what the extension's views must show, read without the extension's code.
import { execFileSync } from 'node:child_process';

export function sh(cmd, args) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
}

export const TEST_CONTAINERS = ['dm-limited', 'dm-unlimited', 'dm-hostnet', 'dm-multi', 'dm-stopped'];

/** Why the tests that need dockerd cannot run, or null. */
export function dockerUnavailableReason() {
  try {
    sh('docker', ['inspect', ...TEST_CONTAINERS]);
    return null;
  } catch {
    return 'needs dockerd and the dm-* test containers: run `bash scripts/test-env.sh` as root';
  }
}

/**
 * `docker ps -a`: { id, name, state } of the test containers (test-env.sh's label docker-monitor-test=1); other
 * containers on this machine are not ours to assert about.
 */
export function psAll() {
  return sh('docker', [
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    'label=docker-monitor-test=1',
    '--format',
    '{{.ID}}\t{{.Names}}\t{{.State}}',
  ])
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, name, state] = l.split('\t');
      return { id, name, state };
    });
}

export function inspect(name) {
  return JSON.parse(sh('docker', ['inspect', name]))[0];
}

/** Host PIDs of a container's processes, as `docker top` lists them. */
export function topPids(name) {
  return sh('docker', ['top', name, '-eo', 'pid'])
    .split('\n')
    .slice(1)
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** The host end of a container's eth0: the interface whose ifindex is the iflink in the container's sysfs. */
export function hostVethOf(name) {
  const iflink = Number(sh('docker', ['exec', name, 'cat', '/sys/class/net/eth0/iflink']));
  for (const line of sh('ip', ['-o', 'link', 'show']).split('\n')) {
    const m = /^(\d+):\s+([^:@\s]+)(?:@\S+)?:/.exec(line);
    if (m && Number(m[1]) === iflink) return m[2];
  }
  throw new Error(`no host interface has ifindex ${iflink} (the iflink of ${name}'s eth0)`);
}
