// Processes of one snapshot, from the /proc files and links of one batch.
import type { NamespaceType, ProcessInfo, SocketInfo } from '../model';
import { NAMESPACE_TYPES } from '../model';
import { parseCmdline, parseProcCgroup, parseProcStat, parseProcStatus } from '../parse/procPid';
import type { ProcCgroupEntry, ProcStat, ProcStatus } from '../parse/procPid';
import { containerOfProcess } from '../parse/containerId';
import { namespaceInodeFromLink } from '../parse/links';
import { socketInodeFromLink } from '../parse/sockets';
import type { BatchIndex, KnownProcess } from './batchIndex';

/** USER_HZ: the unit of /proc/PID/stat times, 100 on every Linux ABI that Docker runs on. */
export const CLOCK_TICKS = 100;
/** Page size for the RSS fallback when VmRSS is missing (kernel threads); 4 KiB on x86-64 and most arm64. */
const PAGE_SIZE = 4096;

export interface AssembledProcess extends ProcessInfo {
  runtime: 'docker' | 'podman' | 'containerd' | 'crio' | 'unknown' | null;
  socketInodes: number[];
}

function namespacesOf(ns: ReadonlyMap<string, string>): Partial<Record<NamespaceType, number>> {
  const out: Partial<Record<NamespaceType, number>> = {};
  for (const type of NAMESPACE_TYPES) {
    const target = ns.get(type);
    const parsed = target ? namespaceInodeFromLink(target) : null;
    if (parsed) out[type] = parsed.inode;
  }
  return out;
}

/** What a process's fixed facts say, parsed once per (PID, start time) when the read cache holds them. */
interface LifeFacts {
  status: ProcStatus | null;
  argv: string[];
  cgroups: ProcCgroupEntry[];
  container: ReturnType<typeof containerOfProcess>;
  namespaces: Partial<Record<NamespaceType, number>>;
}

function lifeFacts(
  status: string | undefined,
  cmdline: string | undefined,
  cgroup: string | undefined,
  ns: ReadonlyMap<string, string>,
): LifeFacts {
  const cgroups = parseProcCgroup(cgroup ?? '');
  return {
    status: status === undefined ? null : parseProcStatus(status),
    argv: parseCmdline(cmdline ?? ''),
    cgroups,
    container: containerOfProcess(cgroups),
    namespaces: namespacesOf(ns),
  };
}

/** The cache's facts, parsed on first use and kept with them; a namespace link read this refresh wins. */
function knownLife(k: KnownProcess, fresh: Map<string, string>): LifeFacts {
  let life = k.memo.life as LifeFacts | undefined;
  if (!life) k.memo.life = life = lifeFacts(k.files.get('status'), k.files.get('cmdline'), k.files.get('cgroup'), k.ns);
  for (const [type, target] of fresh) {
    // setns(2) moved it: this refresh's link is the truth (rare; not kept).
    if (k.ns.get(type) !== target) return { ...life, namespaces: namespacesOf(new Map([...k.ns, ...fresh])) };
  }
  return life;
}

/** Socket inodes of the fd links, parsed again only when the cache's fd list is a new one (slow refreshes). */
function knownSocketInodes(k: KnownProcess): number[] {
  if (k.memo.fds !== k.fds) {
    k.memo.fds = k.fds;
    k.memo.socketInodes = socketInodesOf(k.fds);
  }
  return k.memo.socketInodes as number[];
}

function startTimeOf(bootTime: number | null, startTicks: number): string | null {
  return bootTime === null ? null : new Date((bootTime + startTicks / CLOCK_TICKS) * 1000).toISOString();
}

/** The start time as a date, formatted once per boot time (it is fixed for the process's life). */
function knownStartTime(k: KnownProcess, bootTime: number | null, startTicks: number): string | null {
  if (k.memo.bootTime !== bootTime) {
    k.memo.bootTime = bootTime;
    k.memo.startTime = startTimeOf(bootTime, startTicks);
  }
  return k.memo.startTime as string | null;
}

function socketInodesOf(fds: readonly string[]): number[] {
  return fds.map(socketInodeFromLink).filter((n): n is number => n !== null);
}

/**
 * The status figures that change, from this refresh's stat, for a status kept from the process's first sight:
 * what /proc/PID/status would say now. Name is comm unless comm needs status's escaping; VmRSS is stat's RSS
 * in whole kB (absent for a kernel thread, as in status).
 */
function liveStatus(status: ProcStatus, stat: ProcStat, pageSize: number | null): ProcStatus {
  const comm = stat.comm;
  return {
    ...status,
    name: comm !== '' && !/[\\\n]/.test(comm) ? comm : status.name,
    vmRssBytes: status.vmRssBytes === null ? null : Math.round((stat.rssPages * (pageSize ?? PAGE_SIZE)) / 1024) * 1024,
    threads: stat.numThreads,
  };
}

/**
 * Every process whose stat and status were both read (or whose status the read cache holds); one that vanished
 * halfway through the batch is dropped quietly (its PID may already belong to someone else).
 * `pause` is awaited after each process: it yields to the event loop when the current slice is used up.
 */
export async function assembleProcesses(
  index: BatchIndex,
  bootTime: number | null,
  users: Map<number, string>,
  pause: () => Promise<void> = async () => undefined,
): Promise<AssembledProcess[]> {
  const out: AssembledProcess[] = [];
  for (const [pid, p] of index.processes) {
    await pause();
    const statText = p.files.get('stat');
    const k = p.known;
    if (statText === undefined || (k === undefined && !p.files.has('status'))) continue;
    const stat = parseProcStat(statText);
    if (!stat || stat.pid !== pid) continue;
    const life = k
      ? knownLife(k, p.ns)
      : lifeFacts(p.files.get('status'), p.files.get('cmdline'), p.files.get('cgroup'), p.ns);
    const status = k && life.status ? liveStatus(life.status, stat, index.pageSize) : life.status;
    if (!status) continue;

    const { argv, cgroups, container } = life;
    const fdTargets = k ? k.fds : p.fdTargets;
    const kernelThread = argv.length === 0 && (stat.ppid === 2 || pid === 2);
    const socketInodes = k ? knownSocketInodes(k) : socketInodesOf(p.fdTargets);
    const cpuTicks = stat.utime + stat.stime;
    const cgroupPath = container?.cgroupPath ?? (cgroups.find((c) => c.hierarchyId === 0) ?? cgroups[0])?.path ?? null;

    out.push({
      pid,
      nsPid: status.nsPid.length > 0 ? [...status.nsPid] : [pid], // a copy: the memo's array outlives this snapshot
      ppid: stat.ppid,
      // Name: in status it is escaped but complete; comm in stat is the same 15-char name.
      name: status.name || stat.comm,
      command: argv.length > 0 ? argv.join(' ') : `[${stat.comm}]`,
      exe: p.exe ?? k?.exe ?? null,
      uid: status.uid,
      user: status.uid === null ? null : (users.get(status.uid) ?? String(status.uid)),
      state: stat.state,
      rssBytes: status.vmRssBytes ?? stat.rssPages * PAGE_SIZE,
      vszBytes: stat.vsizeBytes,
      cpuTicks,
      cpuTimeSeconds: cpuTicks / CLOCK_TICKS,
      cpuPercent: null,
      threads: status.threads ?? stat.numThreads,
      // An unreadable fd directory (another user's process) gives no links at all: unknown, not zero.
      openFds: fdTargets.length > 0 ? fdTargets.length : kernelThread ? 0 : null,
      processor: stat.processor,
      startTime: k ? knownStartTime(k, bootTime, stat.startTicks) : startTimeOf(bootTime, stat.startTicks),
      startTicks: stat.startTicks,
      containerId: container?.id ?? null,
      cgroupPath,
      namespaces: { ...life.namespaces },
      sockets: [],
      runtime: container?.runtime ?? null,
      socketInodes,
    });
  }
  out.sort((a, b) => a.pid - b.pid);
  return out;
}

/** Attaches the sockets each process holds, from the socket tables of its network namespace. */
export function attachSockets(
  processes: AssembledProcess[],
  tablesByNetns: Map<number, Map<number, SocketInfo>>,
): void {
  for (const p of processes) {
    const table = p.namespaces.net === undefined ? undefined : tablesByNetns.get(p.namespaces.net);
    if (!table) continue;
    const seen = new Set<number>();
    for (const inode of p.socketInodes) {
      const s = table.get(inode);
      if (s && !seen.has(inode)) {
        seen.add(inode);
        p.sockets.push(s);
      }
    }
  }
}

/** The public shape: drops the assembler's working fields. */
export function toProcessInfo(p: AssembledProcess): ProcessInfo {
  const { runtime: _runtime, socketInodes: _inodes, ...info } = p;
  return info;
}
