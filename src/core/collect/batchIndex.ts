// Indexes one BatchResult by process, interface and cgroup so the assembler does no path scanning of its own.
import type { BatchResult } from '../transport/types';
import { CGROUP_ROOT } from './plan';
import { CGROUP_PRESSURE_FILES } from '../parse/pressure';

/** What a v1 host's unified tree gives a container that its v1 hierarchies do not. */
const UNIFIED_ONLY_FILES = new Set(CGROUP_PRESSURE_FILES);

interface ProcessFiles {
  files: Map<string, string>; // stat, status, cgroup, cmdline: what this refresh read
  ns: Map<string, string>; // ns name -> link target
  fdTargets: string[];
  exe: string | null;
  /** The read cache's facts for this (PID, start time), when this refresh did not read them. */
  known?: KnownProcess;
}

/**
 * What the read cache holds for one process for its life, handed to assembly by reference (no copy into the
 * batch, no second parse): status, cgroup and cmdline as first read, namespace links, exe, and the fd links of
 * the last slow refresh. Its status's Name, VmRSS and Threads are stale: assembly takes them from this
 * refresh's stat. `memo` is assembly's own: what it parsed from these facts, kept while the facts are.
 */
export interface KnownProcess {
  readonly files: ReadonlyMap<string, string>;
  readonly ns: ReadonlyMap<string, string>;
  readonly exe: string | null;
  readonly fds: readonly string[];
  memo: Record<string, unknown>;
}

interface InterfaceFiles {
  files: Map<string, string>;
  device: string | null;
  master: string | null;
  hasLowerDevice: boolean;
}

export interface BatchIndex {
  processes: Map<number, ProcessFiles>;
  interfaces: Map<string, InterfaceFiles>;
  /** `/proc/<pid>/...` files read through the representative of a network namespace, by pid. */
  netnsFiles: Map<number, Map<string, string>>;
  /** Files read under the cgroup root (second stage), attributed to containers by `cgroupFilesByPath`. */
  cgroupRaw: Array<[string, string]>;
  /** Bytes per page, as the read cache learnt it (status VmRSS against stat RSS); null before it could. */
  pageSize: number | null;
}

/** What the read cache adds to a batch: its facts of the processes it knows, by PID. */
export interface KnownProcesses {
  processes: ReadonlyMap<number, KnownProcess>;
  pageSize: number | null;
}

/** `/proc/<pid>/<rest>` split without a regular expression (this runs for every path of every refresh). */
export function splitProcPath(path: string): { pid: number; rest: string } | null {
  if (!path.startsWith('/proc/')) return null;
  const slash = path.indexOf('/', 6);
  if (slash <= 6 || slash === path.length - 1) return null;
  let pid = 0;
  for (let i = 6; i < slash; i++) {
    const d = path.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    pid = pid * 10 + d;
  }
  return { pid, rest: path.slice(slash + 1) };
}

const NET_PATH = /^\/sys\/class\/net\/([^/]+)(?:\/(.+))?$/;

function processEntry(index: BatchIndex, pid: number): ProcessFiles {
  let p = index.processes.get(pid);
  if (!p) {
    p = { files: new Map(), ns: new Map(), fdTargets: [], exe: null };
    index.processes.set(pid, p);
  }
  return p;
}

function interfaceEntry(index: BatchIndex, name: string): InterfaceFiles {
  let i = index.interfaces.get(name);
  if (!i) {
    i = { files: new Map(), device: null, master: null, hasLowerDevice: false };
    index.interfaces.set(name, i);
  }
  return i;
}

/** One batch indexed, with the cache's facts of the processes it knows attached. */
export function indexBatch(batch: BatchResult, known?: KnownProcesses): BatchIndex {
  const index = emptyIndex(known);
  for (const _ of indexing(batch, known, index));
  return index;
}

/** indexBatch, with `pause` awaited now and then: a batch of 2,000 processes does not hold the event loop. */
export async function indexBatchInTurns(
  batch: BatchResult,
  known: KnownProcesses | undefined,
  pause: () => Promise<void>,
): Promise<BatchIndex> {
  const index = emptyIndex(known);
  for (const _ of indexing(batch, known, index)) await pause();
  return index;
}

function emptyIndex(known: KnownProcesses | undefined): BatchIndex {
  return {
    processes: new Map(),
    interfaces: new Map(),
    netnsFiles: new Map(),
    cgroupRaw: [],
    pageSize: known?.pageSize ?? null,
  };
}

/** Yields every this many paths (each costs about a µs). */
const YIELD_EVERY = 256;

function* indexing(batch: BatchResult, known: KnownProcesses | undefined, index: BatchIndex): Generator<void> {
  // Keys taken as an array and values looked up: a generator's for-of over Map entries allocates a pair per entry.
  let n = 0;
  const filePaths = [...batch.files.keys()];
  for (let i = 0; i < filePaths.length; i++) {
    const path = filePaths[i];
    if (++n % YIELD_EVERY === 0) yield;
    const content = batch.files.get(path)!;
    const proc = splitProcPath(path);
    if (proc) {
      const { pid, rest } = proc;
      if (!rest.includes('/') && rest !== 'net') processEntry(index, pid).files.set(rest, content);
      else {
        let files = index.netnsFiles.get(pid);
        if (!files) index.netnsFiles.set(pid, (files = new Map()));
        files.set(rest, content);
      }
      continue;
    }
    const net = NET_PATH.exec(path);
    if (net && net[2] && !net[2].includes('/')) {
      interfaceEntry(index, net[1]).files.set(net[2], content);
      continue;
    }
    if (path.startsWith(CGROUP_ROOT + '/')) index.cgroupRaw.push([path, content]);
  }

  const linkPaths = [...batch.links.keys()];
  for (let i = 0; i < linkPaths.length; i++) {
    const path = linkPaths[i];
    if (++n % YIELD_EVERY === 0) yield;
    const target = batch.links.get(path)!;
    const proc = splitProcPath(path);
    if (proc) {
      const p = processEntry(index, proc.pid);
      const rest = proc.rest;
      if (rest === 'exe') p.exe = target;
      else if (rest.startsWith('ns/')) p.ns.set(rest.slice(3), target);
      else if (rest.startsWith('fd/')) p.fdTargets.push(target);
      continue;
    }
    const net = NET_PATH.exec(path);
    if (net) {
      const i = interfaceEntry(index, net[1]);
      if (!net[2]) i.device = target;
      else if (net[2] === 'master') i.master = target.slice(target.lastIndexOf('/') + 1);
      else if (net[2].startsWith('lower_')) i.hasLowerDevice = true;
    }
  }
  // Only a process whose stat this refresh read is alive; what the cache knows of the others is not used.
  if (known) {
    for (const [pid, k] of known.processes) {
      if (++n % YIELD_EVERY === 0) yield;
      const p = index.processes.get(pid);
      if (p?.files.has('stat')) p.known = k;
    }
  }
}

/**
 * cgroup path (as in /proc/PID/cgroup) -> basename -> content, for the given container cgroup paths:
 * files under `root/<path>` on v2, under `root/<controller>/<path>` on v1 (every controller merged).
 * A v1 host in hybrid mode also has `root/unified/<path>/cpu.stat` (v2 format, no limits): skipped, so
 * one container's figures never mix the two versions. Its *.pressure files are taken: they exist only there.
 */
export function cgroupFilesByPath(
  index: BatchIndex,
  cgroupPaths: Iterable<string>,
  version: 1 | 2,
): Map<string, Map<string, string>> {
  const known = new Set(cgroupPaths);
  const result = new Map<string, Map<string, string>>();
  for (const [path, content] of index.cgroupRaw) {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(CGROUP_ROOT.length, slash);
    const base = path.slice(slash + 1);
    let owner: string | null = null;
    if (version === 2) owner = known.has(dir) ? dir : null;
    else {
      const second = dir.indexOf('/', 1);
      const controller = dir.slice(1, second);
      const rest = dir.slice(second);
      const fromHierarchy = controller !== 'unified' || UNIFIED_ONLY_FILES.has(base);
      if (second > 0 && fromHierarchy && known.has(rest)) owner = rest;
    }
    if (owner === null) continue;
    let files = result.get(owner);
    if (!files) result.set(owner, (files = new Map()));
    if (!files.has(base)) files.set(base, content);
  }
  return result;
}
