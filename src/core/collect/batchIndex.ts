// Indexes one BatchResult by process, interface and cgroup so the assembler does no path scanning of its own.
import type { BatchResult } from '../transport/types';
import { CGROUP_ROOT } from './plan';

export interface ProcessFiles {
  files: Map<string, string>; // stat, status, cgroup, cmdline
  ns: Map<string, string>; // ns name -> link target
  fdTargets: string[];
  exe: string | null;
}

export interface InterfaceFiles {
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
}

const PROC_PATH = /^\/proc\/(\d+)\/(.+)$/;
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

export function indexBatch(batch: BatchResult): BatchIndex {
  const index: BatchIndex = { processes: new Map(), interfaces: new Map(), netnsFiles: new Map(), cgroupRaw: [] };

  for (const [path, content] of batch.files) {
    const proc = PROC_PATH.exec(path);
    if (proc) {
      const pid = Number(proc[1]);
      const rest = proc[2];
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

  for (const [path, target] of batch.links) {
    const proc = PROC_PATH.exec(path);
    if (proc) {
      const p = processEntry(index, Number(proc[1]));
      const rest = proc[2];
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
  return index;
}

/**
 * cgroup path (as in /proc/PID/cgroup) -> basename -> content, for the given container cgroup paths:
 * files under `root/<path>` on v2, under `root/<controller>/<path>` on v1 (every controller merged).
 * A v1 host in hybrid mode also has `root/unified/<path>/cpu.stat` (v2 format, no limits): skipped, so
 * one container's figures never mix the two versions.
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
      if (second > 0 && controller !== 'unified' && known.has(rest)) owner = rest;
    }
    if (owner === null) continue;
    let files = result.get(owner);
    if (!files) result.set(owner, (files = new Map()));
    if (!files.has(base)) files.set(base, content);
  }
  return result;
}
