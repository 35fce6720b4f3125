// Which container a cgroup path belongs to, from the naming conventions of the container engines.
import type { ContainerInfo } from '../model';
import type { ProcCgroupEntry } from './procPid';

export type ContainerRuntime = ContainerInfo['runtime'];

const HEX64 = '[0-9a-f]{64}';

/**
 * ERE for cgroup paths of containers, valid as a JS RegExp source and for `grep -E` (no \d, lookarounds or
 * lazy quantifiers). It matches:
 * - Docker cgroupfs `/docker/<id>` (also nested: Docker in Docker),
 * - systemd scopes `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`, `nerdctl-<id>.scope`,
 * - Podman `libpod-<id>` with or without `.scope` (never `libpod-conmon-<id>`: conmon is not in the container),
 * - Kubernetes cgroupfs `/kubepods.../<id>`.
 * The id must fill a whole path segment, so a 64-hex prefix of a longer hex string is not taken for one.
 */
export const CONTAINER_CGROUP_PATTERN =
  `(^|/)(docker|libpod|cri-containerd|crio|nerdctl)-${HEX64}(\\.scope)?(/|$)` +
  `|/docker/${HEX64}(/|$)` +
  `|/kubepods[^/]*/(.*/)?${HEX64}(/|$)`;

const PREFIXED_SEGMENT = new RegExp(`^(docker|libpod|cri-containerd|crio|nerdctl)-(${HEX64})(\\.scope)?$`);
const BARE_SEGMENT = new RegExp(`^${HEX64}$`);

const RUNTIME_OF_PREFIX: Record<string, ContainerRuntime> = {
  docker: 'docker',
  libpod: 'podman',
  'cri-containerd': 'containerd',
  nerdctl: 'containerd',
  crio: 'crio',
};

/** The innermost container named by a cgroup path (the last matching segment), or null. */
export function containerFromCgroupPath(path: string): { id: string; runtime: ContainerRuntime } | null {
  const segments = path.split('/');
  let found: { id: string; runtime: ContainerRuntime } | null = null;
  let underKubepods = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    // The ERE needs a '/' before `docker` and `kubepods`, so they count only from the second segment on.
    if (i > 1 && segments[i - 1].startsWith('kubepods')) underKubepods = true;
    const prefixed = PREFIXED_SEGMENT.exec(segment);
    if (prefixed) {
      found = { id: prefixed[2], runtime: RUNTIME_OF_PREFIX[prefixed[1]] };
    } else if (BARE_SEGMENT.test(segment)) {
      if (i > 1 && segments[i - 1] === 'docker') found = { id: segment, runtime: 'docker' };
      // Under Kubernetes' cgroupfs driver the bare id does not say which CRI runtime made it.
      else if (underKubepods) found = { id: segment, runtime: 'unknown' };
    }
  }
  return found;
}

/**
 * The container a process runs in, from its /proc/PID/cgroup entries: the v2 entry when it names a container
 * (the only one on a pure v2 host), else the v1 memory hierarchy, else the first v1 hierarchy that does.
 */
export function containerOfProcess(
  entries: ProcCgroupEntry[],
): { id: string; runtime: ContainerRuntime; cgroupPath: string } | null {
  const unified = entries.filter((e) => e.hierarchyId === 0);
  const memory = entries.filter((e) => e.hierarchyId !== 0 && e.controllers.includes('memory'));
  const others = entries.filter((e) => e.hierarchyId !== 0 && !e.controllers.includes('memory'));
  for (const entry of [...unified, ...memory, ...others]) {
    const found = containerFromCgroupPath(entry.path);
    if (found) return { ...found, cgroupPath: entry.path };
  }
  return null;
}
