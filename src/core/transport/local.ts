// The machine we run on as a Transport: batch reads with node:fs, commands without a shell, sockets with
// node:net. readBatch returns what the sh batch script (batchScript.ts) returns for the same plan here.
import { spawn } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statfsSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { netnsWithSockets, onePidPerNetns } from '../parse/links';
import { procStatField } from '../parse/procPid';
import { validateBatchPlan } from './batchScript';
import { escapeGlob, globExpansion, hasGlobMeta } from './glob';
import { MonitorError } from '../errors';
import type { BatchPlan, BatchResult, ExecResult, StatfsResult, Transport } from './types';

/**
 * A slice of synchronous work ends after SLICE_MS or SLICE_OPS file system calls, whichever comes first,
 * and the event loop gets a turn: the extension host stays responsive while a refresh runs every 2 s.
 * Most /proc and sysfs calls cost a few µs, but one read of /proc/PID/net/tcp walks the kernel's whole
 * TCP hash table (milliseconds), hence the clock.
 */
const SLICE_MS = 2;
const SLICE_OPS = 256;
/** Most /proc and sysfs files fit in one read of this size; larger ones are read in several. */
const READ_CHUNK = 64 * 1024;
const MAX_EXEC_OUTPUT = 64 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 5000;
const PROC_CGROUP = /^\/proc\/[0-9]+\/cgroup$/;

/** One buffer for every read: reads are synchronous, so no two of them ever share it at once. */
const chunk = Buffer.allocUnsafe(READ_CHUNK);

/**
 * A path that vanished (a process exited), is not readable (EACCES on another user's /proc/PID/fd, ESRCH,
 * EINVAL on a non-link) or is not a file is left out, exactly as the script's 2>/dev/null leaves it out.
 * Anything else (a bug) is thrown.
 */
function isFsError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | null)?.code === 'string';
}

function orSkip<T>(op: () => T): T | undefined {
  try {
    return op();
  } catch (err) {
    if (isFsError(err)) return undefined;
    throw err;
  }
}

/** Everything left in the open file, decoded as UTF-8 as a whole (a character may straddle two reads). */
function readToEnd(fd: number): string {
  const full: Buffer[] = [];
  let used = 0;
  for (;;) {
    // Read until 0: a short read of /proc or sysfs does not mean the end of the file.
    const n = readSync(fd, chunk, used, READ_CHUNK - used, null);
    if (n === 0) break;
    used += n;
    if (used === READ_CHUNK) {
      full.push(Buffer.from(chunk));
      used = 0;
    }
  }
  if (full.length === 0) return chunk.toString('utf8', 0, used);
  full.push(chunk.subarray(0, used));
  return Buffer.concat(full).toString('utf8');
}

const UTF8 = { encoding: 'utf8', flag: 'r' } as const;

/**
 * A file the kernel serves (procfs, sysfs, cgroupfs) where nobody but the kernel can put a FIFO or a device:
 * read in one call, without the fstat below (half the system calls and no Stats object per file, for the
 * thousands of files a refresh reads). Not a path through a process's root (`/proc/PID/root/...`): that is
 * the container's file system, and a symlink there can point anywhere on ours.
 */
function isKernelFile(path: string): boolean {
  return (path.startsWith('/proc/') || path.startsWith('/sys/')) && !path.includes('/root/') && !path.includes('/cwd/') && !path.includes('/..');
}

/**
 * A regular file's whole content, or undefined for anything else (directory, FIFO, device, socket), as
 * `grep -d skip -D skip` does in the script. Opened non-blocking so that a FIFO planted in a container's
 * root cannot hang us, then checked with fstat on the open fd. Not readFileSync(path): it would open a
 * FIFO blocking and wait forever for a writer.
 */
function readText(path: string): string | undefined {
  if (isKernelFile(path)) return readFileSync(path, UTF8);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return fstatSync(fd).isFile() ? readToEnd(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Distinct cgroup paths (third field onwards of /proc/PID/cgroup lines) matching `pattern`, like `cut -s -d: -f3-`. */
function cgroupPaths(files: Map<string, string>, pattern: string): string[] {
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

interface CgroupReadPaths {
  literal: string[];
  globbed: string[];
}

/** A container cgroup path's directories (root and each v1 hierarchy) with the names each holds, across batches. */
class CgroupDirCache {
  private readonly byPath = new Map<string, { at: number; dirs: Array<{ dir: string; names: Set<string> }>; paths?: Map<string, CgroupReadPaths> }>();

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

/**
 * One readBatch: synchronous file system calls, in short slices with a turn of the event loop between
 * them. fs/promises cost about 4 times the CPU of the same calls made synchronously (a thread-pool hop
 * and a promise per open, read, close and readlink; docs/performance.md), too much every 2 s.
 */
class SlicedBatch {
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
        for (const dir of await this.expand([`${escapeGlob(root)}${escapeGlob(path)}`, `${escapeGlob(root)}/*${escapeGlob(path)}`])) {
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
    return { files: await this.files(files), links: await this.links(links), ...(facts.newFromListing ? { pids } : {}) };
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

  private async rest(plan: BatchPlan, first: Map<string, string>, links: Map<string, string>): Promise<Omit<BatchResult, 'durationMs'>> {
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

function socketError(path: string, err: NodeJS.ErrnoException): MonitorError {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return new MonitorError(`permission denied on ${path}: this user may not use the Docker socket (docker group?)`, 'docker-denied');
    case 'ENOENT':
      return new MonitorError(`no socket at ${path}: is the Docker daemon running?`, 'docker-unavailable');
    case 'ECONNREFUSED':
      return new MonitorError(`nothing accepts connections on ${path}: is the Docker daemon running?`, 'docker-unavailable');
    default:
      return new MonitorError(`cannot connect to ${path}: ${err.code ?? err.message}`, 'docker-unavailable');
  }
}

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly label = 'local';
  private readonly cgroups = new CgroupDirCache();
  private closed = false;
  private readonly closeListeners = new Set<(error: MonitorError | null) => void>();

  async readBatch(plan: BatchPlan): Promise<BatchResult> {
    validateBatchPlan(plan);
    const started = performance.now();
    const result = await new SlicedBatch(this.cgroups).run(plan);
    return { ...result, durationMs: performance.now() - started };
  }

  exec(argv: string[], options: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
      return Promise.reject(new MonitorError('exec needs a command and arguments without NUL bytes', 'bad-argument'));
    }
    const { timeoutMs, stdin } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      return Promise.reject(new MonitorError(`invalid timeout: ${String(timeoutMs)} ms`, 'bad-argument'));
    }
    const command = argv[0];
    return new Promise((resolve, reject) => {
      const child = spawn(command, argv.slice(1), { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let failure: MonitorError | null = null;
      const fail = (e: MonitorError): void => {
        failure ??= e;
        child.kill('SIGKILL');
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_EXEC_OUTPUT) fail(new MonitorError(`${command} printed more than ${MAX_EXEC_OUTPUT >> 20} MiB`, 'internal'));
        else into.push(chunk);
      };
      child.stdout?.on('data', collect(out));
      child.stderr?.on('data', collect(err));
      const timer =
        timeoutMs === undefined ? undefined : setTimeout(() => fail(new MonitorError(`${command} did not finish within ${timeoutMs} ms`, 'timeout')), timeoutMs);
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (e.code === 'ENOENT') reject(new MonitorError(`command not found: ${command}`, 'not-found'));
        else if (e.code === 'EACCES') reject(new MonitorError(`cannot run ${command}: permission denied`, 'bad-argument'));
        else reject(new MonitorError(`cannot run ${command}: ${e.code ?? e.message}`, 'internal'));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (failure) reject(failure);
        else resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
      });
      if (child.stdin) {
        // The command may exit without reading its input: EPIPE is not our error.
        child.stdin.on('error', () => undefined);
        child.stdin.end(stdin);
      }
    });
  }

  openUnixSocket(path: string): Promise<Duplex> {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      return Promise.reject(new MonitorError('a unix socket path must be a non-empty string without NUL', 'bad-argument'));
    }
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MonitorError(`no answer from ${path} within ${CONNECT_TIMEOUT_MS} ms`, 'timeout'));
      }, CONNECT_TIMEOUT_MS);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(socketError(path, err));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  /** This machine never drops: listeners hear null once close() is called. */
  onClose(listener: (error: MonitorError | null) => void): () => void {
    if (this.closed) {
      queueMicrotask(() => listener(null));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l(null);
    this.closeListeners.clear();
  }
}
