// The host level of a snapshot: /proc summaries, disks, interfaces.
import type { ContainerCounts, DiskUsage, HostInfo, NetInterface } from '../model';
import type { BatchResult } from '../transport/types';
import {
  hostMemoryFromMeminfo,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseOsRelease,
  parseUptime,
} from '../parse/host';
import type { parseProcStatCpu } from '../parse/host';
import { classifyInterface } from '../parse/netClass';
import { pressureSet } from '../parse/pressure';
import type { BatchIndex } from './batchIndex';
import { HOST_FILES } from './plan';
import { CLOCK_TICKS } from './assembleProcesses';
import { byText } from '../order';

function intOrNull(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) ? n : null;
}

function assembleInterfaces(index: BatchIndex, netDevText: string | undefined): NetInterface[] {
  const counters = new Map(parseNetDev(netDevText ?? '').map((c) => [c.name, c]));
  const names = new Set([...index.interfaces.keys(), ...counters.keys()]);
  const out: NetInterface[] = [];
  for (const name of names) {
    const i = index.interfaces.get(name);
    const c = counters.get(name);
    const ifindex = intOrNull(i?.files.get('ifindex'));
    const iflink = intOrNull(i?.files.get('iflink'));
    out.push({
      name,
      ifindex,
      iflink,
      kind: classifyInterface({
        name,
        devicePath: i?.device ?? null,
        uevent: i?.files.get('uevent') ?? null,
        type: intOrNull(i?.files.get('type')),
        ifindex,
        iflink,
        hasLowerDevice: i?.hasLowerDevice ?? false,
      }),
      master: i?.master ?? null,
      operState: i?.files.get('operstate')?.trim() || null,
      mac: i?.files.get('address')?.trim() || null,
      mtu: intOrNull(i?.files.get('mtu')),
      rxBytes: c?.rxBytes ?? 0,
      txBytes: c?.txBytes ?? 0,
      rxPackets: c?.rxPackets ?? 0,
      txPackets: c?.txPackets ?? 0,
      rxBytesPerSec: null,
      txBytesPerSec: null,
    });
  }
  return out.sort((a, b) => (a.ifindex ?? 1e9) - (b.ifindex ?? 1e9) || byText(a.name, b.name));
}

function assembleDisks(batch: BatchResult, dockerRoot: string): DiskUsage[] {
  const disks: DiskUsage[] = [];
  for (const [role, path] of [
    ['root', '/'],
    ['docker', dockerRoot],
  ] as const) {
    const s = batch.statfs.get(path);
    if (!s) continue;
    // Like df: used = total - free; use% = used / (used + available), the part a non-root user can reach.
    const used = s.totalBytes - s.freeBytes;
    const usable = used + s.availableBytes;
    disks.push({
      role,
      path,
      totalBytes: s.totalBytes,
      usedBytes: used,
      availableBytes: s.availableBytes,
      usedPercent: usable > 0 ? (used / usable) * 100 : 0,
    });
  }
  return disks;
}

export interface HostAssembly {
  host: HostInfo;
  sampleUptime: number;
}

export function assembleHost(
  batch: BatchResult,
  index: BatchIndex,
  dockerRoot: string,
  counts: ContainerCounts,
  namespaces: HostInfo['namespaces'],
  /** /proc/stat, parsed once by the caller (processes need its boot time first). */
  cpu: ReturnType<typeof parseProcStatCpu>,
): HostAssembly {
  const f = (path: string): string | undefined => batch.files.get(path);
  const uptime = parseUptime(f(HOST_FILES.uptime) ?? '') ?? 0;
  const os = parseOsRelease(f(HOST_FILES.osRelease) ?? '');
  const zero = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };
  const host: HostInfo = {
    hostname: f(HOST_FILES.hostname)?.trim() || 'unknown',
    kernel: f(HOST_FILES.kernel)?.trim() || 'unknown',
    osRelease: os.prettyName ?? os.id ?? 'unknown',
    uptimeSeconds: uptime,
    bootTime: cpu?.bootTime ?? 0,
    loadAverage: parseLoadavg(f(HOST_FILES.loadavg) ?? '') ?? [0, 0, 0],
    cpuCount: cpu?.perCpu.length ?? 0,
    cpuTimes: cpu?.total ?? zero,
    cpuPercent: null,
    memory: hostMemoryFromMeminfo(parseMeminfo(f(HOST_FILES.meminfo) ?? '')),
    disks: assembleDisks(batch, dockerRoot),
    interfaces: assembleInterfaces(index, f(HOST_FILES.netDev)),
    containerCounts: counts,
    namespaces,
    cgroupVersion: batch.files.has(HOST_FILES.cgroupV2Controllers) ? 2 : 1,
    clockTicks: CLOCK_TICKS,
    pressure: pressureSet(f(HOST_FILES.pressureCpu), f(HOST_FILES.pressureMemory), f(HOST_FILES.pressureIo)),
  };
  return { host, sampleUptime: uptime };
}
