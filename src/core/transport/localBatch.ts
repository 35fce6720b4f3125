// One LocalTransport.readBatch: the plan's stages in the sh batch script's order, as synchronous node:fs calls
// in short slices with a turn of the event loop between them. Apart from local.ts (exec, sockets, close), which
// does not change when the plan or the script does.
import { readdirSync, readlinkSync, statfsSync } from 'node:fs';
import { netnsWithSockets, onePidPerNetns } from '../parse/links';
import { procStatField } from '../parse/procPid';
import { escapeGlob, globExpansion, hasGlobMeta } from './glob';
import { CgroupDirCache, cgroupPaths } from './localCgroupDirs';
import type { CgroupReadPaths } from './localCgroupDirs';
import { orSkip, readText } from './localRead';
import type { BatchPlan, BatchResult, StatfsResult } from './types';

/**
 * A slice of synchronous work ends after SLICE_MS or SLICE_OPS file system calls, whichever comes first,
 * and the event loop gets a turn: the extension host stays responsive while a refresh runs every 2 s.
 * Most /proc and sysfs calls cost a few µs, but one read of /proc/PID/net/tcp walks the kernel's whole
 * TCP hash table (milliseconds), hence the clock.
 */
const SLICE_MS = 2;
const SLICE_OPS = 256;

/**
 * One readBatch: synchronous file system calls, in short slices with a turn of the event loop between
 * them. fs/promises cost about 4 times the CPU of the same calls made synchronously (a thread-pool hop
 * and a promise per open, read, close and readlink; docs/performance.md), too much every 2 s.
 */
export class SlicedBatch {
  private ops = 0;
  private sliceStart = performance.now();
  /** Directory listings of this batch: the 4 `/proc/[0-9]*\/...` file patterns list /proc once. */
  private readonly listings = new Map<string, string[]>();

  /**
   * `cgroups`: kept across batches by the transport. The directories of a container's cgroup path (one per v1
   * hierarchy) and the files each holds are fixed for its life (controllers add no files later), so a tick
   * lists none and matches no glob.
   */
  constructor(private readonly cgroups: CgroupDirCache = new CgroupDirCache()) {}

  /** Counts one call; true when the slice is used up and the caller should pause. */
  private tick(): boolean {
    return ++this.ops >= SLICE_OPS || performance.now() - this.sliceStart >= SLICE_MS;
  }

  private async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.ops = 0;
    this.sliceStart = performance.now();
  }

  private list(dir: string): string[] {
    let names = this.listings.get(dir);
    if (names === undefined) {
      names = orSkip(() => readdirSync(dir)) ?? [];
      this.listings.set(dir, names);
    }
    return names;
  }

  /** Every path the patterns match, each once, in pattern order. */
  async expand(patterns: string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const pattern of patterns) {
      const steps = globExpansion(pattern);
      let step = steps.next();
      while (!step.done) {
        const listings: string[][] = [];
        for (const dir of step.value) {
          const cached = this.listings.has(dir);
          listings.push(this.list(dir));
          if (!cached && this.tick()) await this.pause();
        }
        step = steps.next(listings);
      }
      for (const p of step.value) out.add(p);
    }
    return [...out];
  }

  async files(patterns: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const p of await this.expand(patterns)) {
      const text = orSkip(() => readText(p));
      // The script cannot tell whether a file ended in NUL (grep -z adds one), so neither side keeps it.
      if (text !== undefined) out.set(p, text.endsWith('\0') ? text.slice(0, -1) : text);
      if (this.tick()) await this.pause();
    }
    return out;
  }

  async links(patterns: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const p of await this.expand(patterns)) {
      const target = orSkip(() => readlinkSync(p));
      if (target !== undefined) out.set(p, target);
      if (this.tick()) await this.pause();
    }
    return out;
  }

  async statfs(patterns: string[]): Promise<Map<string, StatfsResult>> {
    const out = new Map<string, StatfsResult>();
    for (const p of await this.expand(patterns)) {
      const st = orSkip(() => statfsSync(p));
      if (st !== undefined) {
        const bsize = Number(st.bsize);
        out.set(p, {
          totalBytes: bsize * Number(st.blocks),
          freeBytes: bsize * Number(st.bfree),
          availableBytes: bsize * Number(st.bavail),
        });
      }
      if (this.tick()) await this.pause();
    }
    return out;
  }

  /**
   * Each of `files` under `root + path` and under `root + '/*' + path`, as the script reads them. The
   * directories are listed first and only names they hold are opened: of a container's 25 metric files
   * times 11 places (the root and 10 v1 hierarchies on the test machine) 17 exist, and a failed open
   * costs as much as a good one. cgroupfs lists every name it can open, so the result is the same.
   */
  private async cgroupFiles(root: string, paths: string[], files: string[]): Promise<Map<string, string>> {
    const literal: string[] = [];
    const globbed: string[] = [];
    const heads = files.map((f) => f.split('/')[0]);
    const filesKey = files.join('\0');
    for (const path of paths) {
      let dirs = this.cgroups.dirsOf(root + path);
      if (dirs === undefined) {
        dirs = [];
        for (const dir of await this.expand([
          `${escapeGlob(root)}${escapeGlob(path)}`,
          `${escapeGlob(root)}/*${escapeGlob(path)}`,
        ])) {
          const listed = this.list(dir);
          if (listed.length > 0) dirs.push({ dir, names: new Set(listed) });
          if (this.tick()) await this.pause();
        }
        this.cgroups.remember(root + path, dirs);
      }
      let reads = this.cgroups.pathsOf(root + path, filesKey);
      if (reads === undefined) {
        const built: CgroupReadPaths = { literal: [], globbed: [] };
        for (const { dir, names } of dirs) {
          files.forEach((f, i) => {
            if (hasGlobMeta(heads[i])) built.globbed.push(`${escapeGlob(dir)}/${f}`);
            else if (names.has(heads[i])) built.literal.push(`${dir}/${f}`);
          });
        }
        this.cgroups.rememberPaths(root + path, filesKey, built);
        reads = built;
      }
      for (const p of reads.literal) literal.push(p);
      for (const p of reads.globbed) globbed.push(p);
    }
    const out = await this.files(globbed);
    for (const p of literal) {
      const text = orSkip(() => readText(p));
      if (text !== undefined) out.set(p, text.endsWith('\0') ? text.slice(0, -1) : text);
      if (this.tick()) await this.pause();
    }
    return out;
  }

  /**
   * The facts of each process not in `known` with the start time its stat file (read in the first stage)
   * shows: new processes and reused PIDs. A PID whose stat could not be read is skipped: it is gone.
   */
  private async processFacts(
    first: Map<string, string>,
    facts: NonNullable<BatchPlan['processFacts']>,
  ): Promise<{ files: Map<string, string>; links: Map<string, string>; pids?: number[] }> {
    const known = new Map(facts.known);
    const files: string[] = [];
    const links: string[] = [];
    const pids: number[] = [];
    for (const name of this.list('/proc')) {
      if (!/^[0-9]+$/.test(name)) continue;
      pids.push(Number(name));
      let stat = first.get(`/proc/${name}/stat`);
      if (stat === undefined && facts.newFromListing && !known.has(Number(name))) {
        // A new process the plan could not name: its stat too, for its start time.
        stat = orSkip(() => readText(`/proc/${name}/stat`));
        if (stat !== undefined) first.set(`/proc/${name}/stat`, stat);
        if (this.tick()) await this.pause();
      }
      if (stat === undefined) continue;
      const start = procStatField(stat, 22);
      if (start !== null && known.get(Number(name)) === start) continue;
      for (const f of facts.files) files.push(`/proc/${name}/${f}`);
      for (const l of facts.links) links.push(`/proc/${name}/${l}`);
    }
    return {
      files: await this.files(files),
      links: await this.links(links),
      ...(facts.newFromListing ? { pids } : {}),
    };
  }

  /** The stages in the script's order: files, their cgroups, links, their network namespaces, statfs. */
  async run(plan: BatchPlan): Promise<Omit<BatchResult, 'durationMs'>> {
    const first = await this.files(plan.files);
    if (plan.processFacts) {
      const facts = await this.processFacts(first, plan.processFacts);
      for (const [k, v] of facts.files) first.set(k, v);
      const links = await this.links(plan.links);
      for (const [k, v] of facts.links) links.set(k, v);
      return { ...(await this.rest(plan, first, links)), ...(facts.pids ? { pids: facts.pids } : {}) };
    }
    return this.rest(plan, first, await this.links(plan.links));
  }

  private async rest(
    plan: BatchPlan,
    first: Map<string, string>,
    links: Map<string, string>,
  ): Promise<Omit<BatchResult, 'durationMs'>> {
    const cg = plan.cgroups;
    let cgroupFiles = new Map<string, string>();
    if (cg && cg.files.length > 0) {
      const known = new Set(cg.paths ?? []);
      const fresh = cgroupPaths(first, cg.pattern).filter((p) => !known.has(p));
      cgroupFiles = await this.cgroupFiles(cg.root, [...known, ...fresh], cg.files);
      if (fresh.length > 0 && cg.newPathFiles && cg.newPathFiles.length > 0) {
        for (const [k, v] of await this.cgroupFiles(cg.root, fresh, cg.newPathFiles)) cgroupFiles.set(k, v);
      }
      // A path no longer asked for belongs to a container that is gone.
      this.cgroups.keepOnly(new Set([...known, ...fresh].map((p) => cg.root + p)));
    }
    const rel = plan.perNetns ?? [];
    const sockets = plan.perNetnsSockets ?? [];
    const withSockets = sockets.length > 0 ? netnsWithSockets(links) : new Set<string>();
    const paths = onePidPerNetns(links).flatMap((pid) => [
      ...rel.map((p) => `/proc/${pid}/${p}`),
      ...(withSockets.has(links.get(`/proc/${pid}/ns/net`)!) ? sockets.map((p) => `/proc/${pid}/${p}`) : []),
    ]);
    const netns = paths.length === 0 ? new Map<string, string>() : await this.files(paths);
    const statfs = await this.statfs(plan.statfs);

    // Later stages win for a path read twice, in the script's order.
    const files = first;
    for (const m of [cgroupFiles, netns]) for (const [k, v] of m) files.set(k, v);
    return { files, links, statfs };
  }
}
