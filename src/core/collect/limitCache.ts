// The read cache's cgroup limits: limit files are read on the slow tier (and a new container's first refresh) and
// given back in between, per cgroup directory, until the container is gone. Part of ReadCache (readCache.ts),
// apart because it changes with the cgroup files, not with the process tiers.
import type { BatchResult } from '../transport/types';
import { CGROUP_LIMIT_FILES } from '../parse/cgroupMetrics';
import { CGROUP_ROOT } from './plan';
import type { TierRequest } from './plan';

const LIMIT_FILES = new Set(CGROUP_LIMIT_FILES);
const CGROUP_ROOT_SLASH = CGROUP_ROOT + '/';

export class LimitCache {
  /** cgroup directory -> limit file name -> content. */
  private readonly limits = new Map<string, Map<string, string>>();

  /**
   * cgroup limit files by full path. Kept from the slow refreshes and from a new container's first one; given
   * back for the cgroup directories this refresh read counters from (a container that is gone gets nothing).
   */
  complete(batch: BatchResult, req: TierRequest): void {
    // A container is live when any of its cgroup directories had a file read: a row-only refresh reads none in
    // v1's cpuset hierarchy, whose cpuset.cpus is still this container's limit.
    const live = new Set<string>();
    const seenDirs = new Set<string>();
    for (const path of batch.files.keys()) {
      if (!path.startsWith(CGROUP_ROOT_SLASH)) continue;
      const slash = path.lastIndexOf('/');
      const dir = path.slice(0, slash);
      if (!seenDirs.has(dir)) {
        seenDirs.add(dir);
        for (const key of containerKeys(dir)) live.add(key);
      }
      const name = path.slice(slash + 1);
      if (LIMIT_FILES.has(name)) {
        let files = this.limits.get(dir);
        if (!files) this.limits.set(dir, (files = new Map()));
        files.set(name, batch.files.get(path)!);
      }
    }
    for (const [dir, files] of this.limits) {
      if (!seenDirs.has(dir) && !containerKeys(dir).some((k) => live.has(k))) this.limits.delete(dir);
      else if (!req.slow)
        for (const [name, content] of files)
          if (!batch.files.has(`${dir}/${name}`)) batch.files.set(`${dir}/${name}`, content);
    }
  }
}

/** The ways a cgroup directory names its container: its path below the root, and below a v1 hierarchy. */
function containerKeys(dir: string): string[] {
  const rest = dir.slice(CGROUP_ROOT.length);
  const second = rest.indexOf('/', 1);
  return second === -1 ? [rest] : [rest, rest.slice(second)];
}
