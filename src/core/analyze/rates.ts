// Rates from two snapshots of the same target: everything a single sample cannot say (CPU %, bytes/s).
// Pure: the previous snapshot is only read, the result is a new object.
import type {
  ContainerInfo,
  CpuPercent,
  CpuTimes,
  HostInfo,
  NetInterface,
  Pressure,
  PressureLine,
  PressureSet,
  ProcessInfo,
  Snapshot,
} from '../model';

const CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
/** The docker CLI's "system CPU usage": user..softirq, i.e. the first 7 fields of the cpu line. */
const HOST_TIME_FIELDS = CPU_FIELDS.slice(0, 7);

function isCount(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Non-negative delta of a monotonic counter, or null when either end is unknown or it went backwards (reset). */
export function counterDelta(prev: number | null | undefined, cur: number | null | undefined): number | null {
  if (!isCount(prev) || !isCount(cur) || cur < prev) return null;
  return cur - prev;
}

/** Per-second rate of a counter over `elapsed` seconds; null on reset, unknown ends or no elapsed time. */
export function counterRate(
  prev: number | null | undefined,
  cur: number | null | undefined,
  elapsed: number,
): number | null {
  const d = counterDelta(prev, cur);
  return d === null || !(elapsed > 0) ? null : d / elapsed;
}

/** Per-field deltas of the cpu line, or null if any field went backwards (counter reset, another boot). */
function cpuDeltas(prev: CpuTimes, cur: CpuTimes): CpuTimes | null {
  const out = {} as CpuTimes;
  for (const f of CPU_FIELDS) {
    const d = counterDelta(prev[f], cur[f]);
    if (d === null) return null;
    out[f] = d;
  }
  return out;
}

/**
 * Each field's share of the total delta of all 8 fields; busy = 100 - idle - iowait. The model has no nice,
 * irq or softirq fields, so nice counts as user and irq + softirq as system: the five shares add up to 100.
 */
export function hostCpuPercent(prev: CpuTimes, cur: CpuTimes): CpuPercent | null {
  const d = cpuDeltas(prev, cur);
  if (!d) return null;
  const total = CPU_FIELDS.reduce((sum, f) => sum + d[f], 0);
  if (total <= 0) return null;
  const pct = (n: number): number => (n / total) * 100;
  const idle = pct(d.idle);
  const iowait = pct(d.iowait);
  return {
    user: pct(d.user + d.nice),
    system: pct(d.system + d.irq + d.softirq),
    iowait,
    steal: pct(d.steal),
    idle,
    busy: 100 - idle - iowait,
  };
}

/** Δ of the host's CPU time over all CPUs in ns (docker CLI's SystemUsage), or null on a reset. */
function hostCpuTimeNs(prev: HostInfo, cur: HostInfo): number | null {
  const d = cpuDeltas(prev.cpuTimes, cur.cpuTimes);
  if (!d || !(cur.clockTicks > 0)) return null;
  const ticks = HOST_TIME_FIELDS.reduce((sum, f) => sum + d[f], 0);
  return ticks > 0 ? ticks * (1e9 / cur.clockTicks) : null;
}

function interfaceRates(prev: NetInterface[] | null, cur: NetInterface[], elapsed: number): NetInterface[] {
  const byName = new Map((prev ?? []).map((i) => [i.name, i]));
  return cur.map((i) => {
    const p = byName.get(i.name);
    // A veth re-created under the same name has a new ifindex and fresh counters.
    const same = p !== undefined && (p.ifindex === null || i.ifindex === null || p.ifindex === i.ifindex);
    return {
      ...i,
      rxBytesPerSec: same ? counterRate(p.rxBytes, i.rxBytes, elapsed) : null,
      txBytesPerSec: same ? counterRate(p.txBytes, i.txBytes, elapsed) : null,
    };
  });
}

const US_PER_SECOND = 1e6;
/** A stall share is of wall time: at most all of it. */
const MAX_STALL_PERCENT = 100;

/**
 * Stall time over the interval as a share of it. The PSI files and /proc/uptime (the clock) are read a moment
 * apart, so a resource stalled the whole interval can come out a little above 100 %: that excess is the skew.
 */
function stallPercent(prev: PressureLine | null | undefined, cur: PressureLine, elapsed: number): number | null {
  const usPerSecond = counterRate(prev?.totalUs, cur.totalUs, elapsed);
  return usPerSecond === null ? null : Math.min(MAX_STALL_PERCENT, (usPerSecond / US_PER_SECOND) * 100);
}

function resourceRates(prev: Pressure | null | undefined, cur: Pressure | null, elapsed: number): Pressure | null {
  if (cur === null) return null;
  return {
    some: { ...cur.some, totalPercent: stallPercent(prev?.some, cur.some, elapsed) },
    full: cur.full === null ? null : { ...cur.full, totalPercent: stallPercent(prev?.full, cur.full, elapsed) },
  };
}

/** totalPercent of every line from the two totals; null where `prev` lacks the resource or line. */
export function pressureRates(
  prev: PressureSet | null | undefined,
  cur: PressureSet | null,
  elapsed: number,
): PressureSet | null {
  if (cur === null) return null;
  return {
    cpu: resourceRates(prev?.cpu, cur.cpu, elapsed),
    memory: resourceRates(prev?.memory, cur.memory, elapsed),
    io: resourceRates(prev?.io, cur.io, elapsed),
  };
}

function memoryPercent(c: ContainerInfo): number | null {
  const { usageBytes, limitBytes } = c.memory;
  return isCount(usageBytes) && isCount(limitBytes) && limitBytes > 0 ? (usageBytes / limitBytes) * 100 : null;
}

/** A restarted container keeps its id but gets a fresh cgroup: its counters start again from zero. */
export function sameRun<T extends Pick<ContainerInfo, 'startedAt'>>(
  p: T | undefined,
  c: Pick<ContainerInfo, 'startedAt'>,
): p is T {
  return p !== undefined && p.startedAt === c.startedAt;
}

/** Throttled periods as a share of periods, in %, from two deltas; no period elapsed (idle, or no quota) is 0. */
export function throttledShare(periods: number | null, throttled: number | null): number | null {
  return periods === null || throttled === null ? null : periods > 0 ? (throttled / periods) * 100 : 0;
}

function containerRates(
  p: ContainerInfo | undefined,
  c: ContainerInfo,
  elapsed: number,
  hostNs: number | null,
  cpuCount: number,
): ContainerInfo {
  const same = sameRun(p, c);
  const usage = same ? counterDelta(p.cpu.usageNs, c.cpu.usageNs) : null;
  const periods = same ? counterDelta(p.cpu.periods, c.cpu.periods) : null;
  const throttled = same ? counterDelta(p.cpu.throttledPeriods, c.cpu.throttledPeriods) : null;
  const rate = (a: number | null | undefined, b: number | null | undefined): number | null =>
    same ? counterRate(a, b, elapsed) : null;
  return {
    ...c,
    memory: { ...c.memory, percent: memoryPercent(c) },
    pressure: pressureRates(same ? p.pressure : null, c.pressure, elapsed),
    cpu: {
      ...c.cpu,
      percent: usage !== null && hostNs !== null && cpuCount > 0 ? (usage / hostNs) * cpuCount * 100 : null,
      throttledPercent: throttledShare(periods, throttled),
    },
    network: {
      ...c.network,
      rxBytesPerSec: rate(p?.network.rxBytes, c.network.rxBytes),
      txBytesPerSec: rate(p?.network.txBytes, c.network.txBytes),
    },
    blockIo: {
      ...c.blockIo,
      readBytesPerSec: rate(p?.blockIo.readBytes, c.blockIo.readBytes),
      writeBytesPerSec: rate(p?.blockIo.writeBytes, c.blockIo.writeBytes),
    },
  };
}

function processRates(p: ProcessInfo | undefined, c: ProcessInfo, elapsed: number, clockTicks: number): ProcessInfo {
  // A PID is only the same process if it also started at the same tick: PIDs are reused.
  const same = p !== undefined && p.startTicks === c.startTicks;
  const ticks = same ? counterDelta(p.cpuTicks, c.cpuTicks) : null;
  return {
    ...c,
    cpuPercent: ticks !== null && elapsed > 0 && clockTicks > 0 ? (ticks / clockTicks / elapsed) * 100 : null,
  };
}

/** What says when a snapshot was taken: the host's uptime, which counts from its boot. */
export type SampleClock = Pick<Snapshot, 'target' | 'sampleUptime'> & { host: Pick<HostInfo, 'bootTime'> };

/** Two snapshots can be compared only if they are of the same host, in the same boot, in time order. */
export function comparableElapsed(prev: SampleClock | null, cur: SampleClock): number | null {
  if (!prev || prev.target !== cur.target || prev.host.bootTime !== cur.host.bootTime) return null;
  const elapsed = cur.sampleUptime - prev.sampleUptime;
  return Number.isFinite(elapsed) && elapsed > 0 ? elapsed : null;
}

/**
 * Returns `cur` with its rate fields filled from the deltas since `prev` (null on the first sample, on a
 * reboot, or when time did not advance). Memory % needs no previous sample and is always set.
 */
export function applyRates(prev: Snapshot | null, cur: Snapshot): Snapshot {
  const elapsed = comparableElapsed(prev, cur);
  const before = elapsed === null ? null : prev;
  const dt = elapsed ?? 0;
  const hostNs = before ? hostCpuTimeNs(before.host, cur.host) : null;
  const prevContainers = new Map((before?.containers ?? []).map((c) => [c.id, c]));
  const prevProcesses = new Map((before?.processes ?? []).map((p) => [p.pid, p]));
  return {
    ...cur,
    host: {
      ...cur.host,
      cpuPercent: before ? hostCpuPercent(before.host.cpuTimes, cur.host.cpuTimes) : null,
      interfaces: interfaceRates(before ? before.host.interfaces : null, cur.host.interfaces, dt),
      pressure: pressureRates(before?.host.pressure, cur.host.pressure, dt),
    },
    containers: cur.containers.map((c) => containerRates(prevContainers.get(c.id), c, dt, hostNs, cur.host.cpuCount)),
    processes: cur.processes.map((p) => processRates(prevProcesses.get(p.pid), p, dt, cur.host.clockTicks)),
  };
}
