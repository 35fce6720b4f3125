// Parsers for host-wide files: /proc/stat, /proc/meminfo, /proc/loadavg, /proc/uptime, /etc/os-release,
// /etc/passwd and /proc/net/dev.
import type { CpuTimes, HostMemory } from '../model';
import { completeLines, emptyRecord, parseDecimal, parseUnsigned, splitLines } from './text';

/**
 * The 8 first counters of a `cpu` line. Every kernel Docker runs on (3.10+) prints 10, so a line with fewer
 * than 8 was cut short and its last figure cannot be trusted.
 */
function cpuTimes(fields: string[]): CpuTimes | null {
  const v = fields.slice(0, 8).map(parseUnsigned);
  if (v.length < 8 || v.some((n) => n === null)) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v as number[];
  return { user, nice, system, idle, iowait, irq, softirq, steal };
}

/**
 * /proc/stat: the aggregate `cpu` line, the `cpuN` lines in file order (offline CPUs are absent, so the
 * index is not always N) and `btime`. Null without a usable `cpu` line. An unterminated last line is ignored
 * (it may be cut; the file always ends with `softirq`).
 */
export function parseProcStatCpu(
  text: string,
): { total: CpuTimes; perCpu: CpuTimes[]; bootTime: number | null } | null {
  let total: CpuTimes | null = null;
  const perCpu: CpuTimes[] = [];
  let bootTime: number | null = null;
  for (const line of completeLines(text)) {
    const fields = line.trim().split(/\s+/);
    const key = fields[0];
    if (key === 'cpu') total = cpuTimes(fields.slice(1));
    else if (/^cpu\d+$/.test(key)) {
      const t = cpuTimes(fields.slice(1));
      if (t) perCpu.push(t);
    } else if (key === 'btime') bootTime = parseUnsigned(fields[1]);
  }
  return total ? { total, perCpu, bootTime } : null;
}

/**
 * /proc/meminfo: `Key:  value kB` in bytes; unitless counts (HugePages_Total) as they are. An unterminated
 * last line is ignored (it may be cut; the file ends with DirectMap or Hugetlb lines).
 */
export function parseMeminfo(text: string): Record<string, number> {
  const out = emptyRecord<number>();
  for (const line of completeLines(text)) {
    const m = /^([^:\s]+):\s*(\d{1,20})(?:\s+(kB))?\s*$/.exec(line);
    if (!m) continue;
    out[m[1]] = Number(m[2]) * (m[3] ? 1024 : 1);
  }
  return out;
}

/**
 * Host memory as current procps `free` reports it: used = total - available. Kernels before 3.14 have no
 * MemAvailable; then available = free + buffers + cached. A field missing from the input counts as 0.
 */
export function hostMemoryFromMeminfo(m: Record<string, number>): HostMemory {
  const get = (key: string): number => (Object.prototype.hasOwnProperty.call(m, key) ? m[key] : 0);
  const totalBytes = get('MemTotal');
  const freeBytes = get('MemFree');
  const buffersBytes = get('Buffers');
  const cachedBytes = get('Cached');
  const availableBytes = Object.prototype.hasOwnProperty.call(m, 'MemAvailable')
    ? m.MemAvailable
    : freeBytes + buffersBytes + cachedBytes;
  const swapTotalBytes = get('SwapTotal');
  const swapFreeBytes = get('SwapFree');
  return {
    totalBytes,
    availableBytes,
    usedBytes: Math.max(0, totalBytes - availableBytes),
    freeBytes,
    buffersBytes,
    cachedBytes,
    swapTotalBytes,
    swapFreeBytes,
    swapUsedBytes: Math.max(0, swapTotalBytes - swapFreeBytes),
  };
}

/** /proc/loadavg: the 1, 5 and 15 minute averages. */
export function parseLoadavg(text: string): [number, number, number] | null {
  const [a, b, c] = text.trim().split(/\s+/).map(parseDecimal);
  if (a === null || a === undefined || b === null || b === undefined || c === null || c === undefined) return null;
  return [a, b, c];
}

/** /proc/uptime: seconds since boot (first figure). */
export function parseUptime(text: string): number | null {
  return parseDecimal(text.trim().split(/\s+/)[0]);
}

/** One os-release value: bare, 'single quoted' or "double quoted" with \" \\ \$ \` escapes (shell syntax). */
function unquoteOsReleaseValue(raw: string): string | null {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.startsWith('"')) {
    if (v.length < 2 || !v.endsWith('"')) return null;
    return v.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  }
  if (v.startsWith("'")) return null;
  return v;
}

/** /etc/os-release (or /usr/lib/os-release). */
export function parseOsRelease(text: string): {
  prettyName: string | null;
  id: string | null;
  versionId: string | null;
} {
  const values = new Map<string, string>();
  for (const line of splitLines(text)) {
    const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const value = unquoteOsReleaseValue(m[2]);
    if (value !== null) values.set(m[1], value);
  }
  const pick = (key: string): string | null => {
    const v = values.get(key);
    return v === undefined || v === '' ? null : v;
  };
  return { prettyName: pick('PRETTY_NAME'), id: pick('ID'), versionId: pick('VERSION_ID') };
}

/** /etc/passwd: uid -> name; the first entry for a uid wins, as getpwuid() returns it. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of splitLines(text)) {
    if (line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length < 4 || fields[0] === '') continue;
    const uid = parseUnsigned(fields[2]);
    if (uid !== null && !users.has(uid)) users.set(uid, fields[0]);
  }
  return users;
}

export interface NetDevCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/**
 * /proc/net/dev. The name ends at the last ':' (counters never hold one), and a long name or a big counter
 * leaves no space after it (`docker0:1234`), so the line is not split on whitespace first.
 */
export function parseNetDev(text: string): NetDevCounters[] {
  const out: NetDevCounters[] = [];
  for (const line of splitLines(text)) {
    const colon = line.lastIndexOf(':');
    if (colon < 0) continue; // the two header lines have none
    const name = line.slice(0, colon).trim();
    const counters = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(parseUnsigned);
    // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes packets ... (16 on every kernel;
    // fewer means a cut line whose last figure may be cut too).
    if (name === '' || counters.length < 16 || counters.some((c) => c === null)) continue;
    out.push({
      name,
      rxBytes: counters[0] as number,
      rxPackets: counters[1] as number,
      txBytes: counters[8] as number,
      txPackets: counters[9] as number,
    });
  }
  return out;
}
