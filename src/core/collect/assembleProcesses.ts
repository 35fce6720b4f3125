// Processes of one snapshot, from the /proc files and links of one batch.
import type { NamespaceType, ProcessInfo, SocketInfo } from '../model';
import { NAMESPACE_TYPES } from '../model';
import { parseCmdline, parseProcCgroup, parseProcStat, parseProcStatus } from '../parse/procPid';
import { containerOfProcess } from '../parse/containerId';
import { namespaceInodeFromLink } from '../parse/links';
import { socketInodeFromLink } from '../parse/sockets';
import type { BatchIndex } from './batchIndex';

/** USER_HZ: the unit of /proc/PID/stat times, 100 on every Linux ABI that Docker runs on. */
export const CLOCK_TICKS = 100;
/** Page size for the RSS fallback when VmRSS is missing (kernel threads); 4 KiB on x86-64 and most arm64. */
const PAGE_SIZE = 4096;

export interface AssembledProcess extends ProcessInfo {
  runtime: 'docker' | 'podman' | 'containerd' | 'crio' | 'unknown' | null;
  socketInodes: number[];
}

function namespacesOf(ns: Map<string, string>): Partial<Record<NamespaceType, number>> {
  const out: Partial<Record<NamespaceType, number>> = {};
  for (const type of NAMESPACE_TYPES) {
    const target = ns.get(type);
    const parsed = target ? namespaceInodeFromLink(target) : null;
    if (parsed) out[type] = parsed.inode;
  }
  return out;
}

/**
 * Every process whose stat and status were both read; one that vanished halfway through the batch is
 * dropped quietly (its PID may already belong to someone else).
 */
/** `pause` is awaited after each process: it yields to the event loop when the current slice is used up. */
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
    const statusText = p.files.get('status');
    if (statText === undefined || statusText === undefined) continue;
    const stat = parseProcStat(statText);
    const status = parseProcStatus(statusText);
    if (!stat || !status || stat.pid !== pid) continue;

    const argv = parseCmdline(p.files.get('cmdline') ?? '');
    const cgroups = parseProcCgroup(p.files.get('cgroup') ?? '');
    const container = containerOfProcess(cgroups);
    const kernelThread = argv.length === 0 && (stat.ppid === 2 || pid === 2);
    const socketInodes = p.fdTargets.map(socketInodeFromLink).filter((n): n is number => n !== null);
    const cpuTicks = stat.utime + stat.stime;
    const cgroupPath = container?.cgroupPath ?? (cgroups.find((c) => c.hierarchyId === 0) ?? cgroups[0])?.path ?? null;

    out.push({
      pid,
      nsPid: status.nsPid.length > 0 ? status.nsPid : [pid],
      ppid: stat.ppid,
      // Name: in status it is escaped but complete; comm in stat is the same 15-char name.
      name: status.name || stat.comm,
      command: argv.length > 0 ? argv.join(' ') : `[${stat.comm}]`,
      exe: p.exe,
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
      openFds: p.fdTargets.length > 0 ? p.fdTargets.length : kernelThread ? 0 : null,
      processor: stat.processor,
      startTime: bootTime === null ? null : new Date((bootTime + stat.startTicks / CLOCK_TICKS) * 1000).toISOString(),
      startTicks: stat.startTicks,
      containerId: container?.id ?? null,
      cgroupPath,
      namespaces: namespacesOf(p.ns),
      sockets: [],
      runtime: container?.runtime ?? null,
      socketInodes,
    });
  }
  out.sort((a, b) => a.pid - b.pid);
  return out;
}

/** Attaches the sockets each process holds, from the socket tables of its network namespace. */
export function attachSockets(processes: AssembledProcess[], tablesByNetns: Map<number, Map<number, SocketInfo>>): void {
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
