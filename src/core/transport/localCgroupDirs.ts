// The cgroup side of a local batch: which container cgroup paths /proc/PID/cgroup names, and the directories each
// path has (root and every v1 hierarchy) with the names they hold, kept across batches because they are fixed for a
// container's life.

const PROC_CGROUP = /^\/proc\/[0-9]+\/cgroup$/;

/** Distinct cgroup paths (third field onwards of /proc/PID/cgroup lines) matching `pattern`, like `cut -s -d: -f3-`. */
export function cgroupPaths(files: Map<string, string>, pattern: string): string[] {
  const re = new RegExp(pattern);
  const found = new Set<string>();
  for (const [path, content] of files) {
    if (!PROC_CGROUP.test(path)) continue;
    for (const line of content.split('\n')) {
      const first = line.indexOf(':');
      if (first === -1) continue;
      const second = line.indexOf(':', first + 1);
      const cg = second === -1 ? '' : line.slice(second + 1);
      if (re.test(cg)) found.add(cg);
    }
  }
  return [...found];
}

/** Listing again after this long: a hierarchy's directory created after the container was first seen is found. */
const CGROUP_DIRS_TTL_MS = 30_000;

export interface CgroupReadPaths {
  literal: string[];
  globbed: string[];
}

/** A container cgroup path's directories (root and each v1 hierarchy) with the names each holds, across batches. */
export class CgroupDirCache {
  private readonly byPath = new Map<
    string,
    { at: number; dirs: Array<{ dir: string; names: Set<string> }>; paths?: Map<string, CgroupReadPaths> }
  >();

  /** The paths to read for these `files` (joined by NUL) in every directory of `path`: built once per listing. */
  pathsOf(path: string, filesKey: string): CgroupReadPaths | undefined {
    return this.byPath.get(path)?.paths?.get(filesKey);
  }

  rememberPaths(path: string, filesKey: string, paths: CgroupReadPaths): void {
    const e = this.byPath.get(path);
    if (e) (e.paths ??= new Map()).set(filesKey, paths);
  }

  dirsOf(path: string): Array<{ dir: string; names: Set<string> }> | undefined {
    const e = this.byPath.get(path);
    return e && performance.now() - e.at < CGROUP_DIRS_TTL_MS ? e.dirs : undefined;
  }

  remember(path: string, dirs: Array<{ dir: string; names: Set<string> }>): void {
    if (dirs.length > 0) this.byPath.set(path, { at: performance.now(), dirs });
    else this.byPath.delete(path);
  }

  keepOnly(paths: Set<string>): void {
    for (const p of [...this.byPath.keys()]) if (!paths.has(p)) this.byPath.delete(p);
  }
}
