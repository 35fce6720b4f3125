// A container's resource figures from its cgroup files, for cgroup v1 and v2, with the formulas the docker CLI
// uses (see facts.md). Every figure is null when its file is missing or unreadable.
import { emptyRecord, parseSigned, parseUnsigned, splitLines } from './text';
import type { ContainerCpu } from '../model';

const CGROUP_V1_METRIC_FILES: readonly string[] = [
  'memory.usage_in_bytes',
  'memory.limit_in_bytes',
  'memory.stat',
  'memory.failcnt',
  'memory.oom_control',
  'memory.memsw.usage_in_bytes',
  'cpuacct.usage',
  'cpuacct.usage_percpu',
  'cpu.cfs_quota_us',
  'cpu.cfs_period_us',
  'cpu.shares',
  'cpu.stat',
  'cpuset.cpus',
  'pids.current',
  'pids.max',
  'blkio.throttle.io_service_bytes',
  'blkio.io_service_bytes_recursive',
];

const CGROUP_V2_METRIC_FILES: readonly string[] = [
  'memory.current',
  'memory.max',
  'memory.stat',
  'memory.events',
  'memory.swap.current',
  'cpu.stat',
  'cpu.max',
  'cpu.weight',
  'cpuset.cpus.effective',
  'pids.current',
  'pids.max',
  'io.stat',
];

/** The limits among them: they change only on `docker update`, so they are read on the slow cadence. */
export const CGROUP_LIMIT_FILES: readonly string[] = [
  'memory.limit_in_bytes',
  'cpu.cfs_quota_us',
  'cpu.cfs_period_us',
  'cpu.shares',
  'cpuset.cpus',
  'pids.max',
  'memory.max',
  'cpu.max',
  'cpu.weight',
  'cpuset.cpus.effective',
];

/** Basenames of every file parseCgroupMetrics reads, v1 and v2 together. */
/**
 * What a container row shows (CPU %, working-set memory, throttling, OOM kills, PIDs), for v1 and v2: read every
 * refresh when nobody looks at more. The rest (block I/O, swap, per-CPU usage, fail counts) needs detail.
 */
export const CGROUP_ROW_FILES: readonly string[] = [
  'cpuacct.usage',
  'cpu.stat',
  'memory.usage_in_bytes',
  'memory.current',
  'memory.stat',
  'memory.oom_control',
  'memory.events',
  'pids.current',
];

export const CGROUP_METRIC_FILES: string[] = [...new Set([...CGROUP_V1_METRIC_FILES, ...CGROUP_V2_METRIC_FILES])];

const V1_ONLY_FILES = CGROUP_V1_METRIC_FILES.filter((f) => !CGROUP_V2_METRIC_FILES.includes(f));

// memory.limit_in_bytes reads PAGE_COUNTER_MAX pages (9223372036854771712 on 4 KiB pages) when unlimited.
const V1_NO_LIMIT = 2 ** 62;

export interface CgroupMetrics {
  version: 1 | 2;
  memory: {
    /** raw - inactive file cache, clamped at 0. */
    usageBytes: number | null;
    rawUsageBytes: number | null;
    limitBytes: number | null;
    cacheBytes: number | null;
    rssBytes: number | null;
    swapBytes: number | null;
    oomKills: number | null;
    /** v1 memory.failcnt; v2 the `max` count of memory.events (times usage hit the limit). */
    failCount: number | null;
  };
  /** The cgroup's share of ContainerCpu: everything but the rates and the derived limit. */
  cpu: Omit<ContainerCpu, 'percent' | 'limitCpus' | 'throttledPercent' | 'throttledWindow'>;
  pids: { current: number | null; limit: number | null };
  blockIo: { readBytes: number | null; writeBytes: number | null };
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control); other lines are skipped. */
export function parseKeyValueLines(text: string): Record<string, number> {
  const out = emptyRecord<number>();
  for (const line of splitLines(text)) {
    const m = /^([A-Za-z0-9_.]+)\s+(-?\d{1,20})\s*$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const V1_MEMORY_STAT_KEYS = ['total_inactive_file', 'inactive_file', 'total_cache', 'cache', 'total_rss', 'rss'];
const V2_MEMORY_STAT_KEYS = ['inactive_file', 'file', 'anon'];
const KEY_VALUE_LINE = /^([A-Za-z0-9_.]+)\s+(-?\d{1,20})\s*$/;

/**
 * parseKeyValueLines for the given keys only: each key is looked up where a line starts, and only those lines
 * are matched (memory.stat has some 40 lines and a row needs 3 of them). The last matching line wins, as there.
 */
export function pickKeyValues(text: string, keys: readonly string[]): Record<string, number> {
  const out = emptyRecord<number>();
  for (const key of keys) {
    for (let at = text.startsWith(key) ? 0 : lineStart(text, key, 0); at !== -1; at = lineStart(text, key, at + 1)) {
      const end = text.indexOf('\n', at);
      const m = KEY_VALUE_LINE.exec(text.slice(at, end === -1 ? text.length : end));
      if (m && m[1] === key) out[key] = Number(m[2]);
    }
  }
  return out;
}

/** Where the next line starting with `key` begins, searching after `from`; -1 when none. */
function lineStart(text: string, key: string, from: number): number {
  const i = text.indexOf(`\n${key}`, from);
  return i === -1 ? -1 : i + 1;
}

/** A counter of a `key value` file; null when absent or negative (these files hold no negative figure). */
function valueOf(record: Record<string, number>, key: string): number | null {
  return Object.prototype.hasOwnProperty.call(record, key) && record[key] >= 0 ? record[key] : null;
}

/** A single number file, or "max" (no limit) -> null. */
function limitValue(text: string | undefined): number | null {
  if (text === undefined || text.trim() === 'max') return null;
  return parseUnsigned(text);
}

function usageMinusInactive(raw: number | null, inactive: number | null): number | null {
  if (raw === null) return null;
  return Math.max(0, raw - (inactive ?? 0));
}

function times(value: number | null, factor: number): number | null {
  return value === null ? null : value * factor;
}

/** A cpuset list such as `0-3,8`; anything else (including empty) -> null. */
function cpuList(text: string | undefined): string | null {
  const s = text?.trim();
  return s !== undefined && /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/.test(s) ? s : null;
}

/**
 * v1 blkio `MAJ:MIN Op bytes` lines summed over devices; the per-device and overall `Total` lines are skipped.
 * Null for a missing file, or one holding a line of neither kind (a sum without it would be made up); 0 for a
 * file with no device lines (the cgroup did no I/O).
 */
function blkioV1(text: string | undefined): { readBytes: number; writeBytes: number; devices: number } | null {
  if (text === undefined) return null;
  let readBytes = 0;
  let writeBytes = 0;
  let devices = 0;
  for (const line of splitLines(text)) {
    const m = /^\d+:\d+\s+(\w+)\s+(\d{1,20})\s*$/.exec(line);
    if (!m) {
      if (line.trim() !== '' && !/^Total\s+\d{1,20}\s*$/.test(line)) return null;
      continue;
    }
    devices++;
    if (m[1] === 'Read') readBytes += Number(m[2]);
    else if (m[1] === 'Write') writeBytes += Number(m[2]);
  }
  return { readBytes, writeBytes, devices };
}

/**
 * v2 io.stat `MAJ:MIN rbytes=.. wbytes=.. ...` lines summed over devices. Null for a missing file, or one with a
 * line that is not a device's or an rbytes/wbytes that is not a number (a sum without it would be made up).
 */
function ioStatV2(text: string | undefined): { readBytes: number; writeBytes: number } | null {
  if (text === undefined) return null;
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of splitLines(text)) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '') continue;
    if (!/^\d+:\d+$/.test(fields[0])) return null;
    for (const field of fields.slice(1)) {
      if (!/^[rw]bytes=/.test(field)) continue;
      const m = /^(rbytes|wbytes)=(\d{1,20})$/.exec(field);
      if (!m) return null;
      if (m[1] === 'rbytes') readBytes += Number(m[2]);
      else writeBytes += Number(m[2]);
    }
  }
  return { readBytes, writeBytes };
}

function parseV1(files: Map<string, string>): CgroupMetrics {
  const text = (name: string): string | undefined => files.get(name);
  const stat = pickKeyValues(text('memory.stat') ?? '', V1_MEMORY_STAT_KEYS);
  const cpuStat = parseKeyValueLines(text('cpu.stat') ?? '');
  const raw = parseUnsigned(text('memory.usage_in_bytes'));
  const limit = parseUnsigned(text('memory.limit_in_bytes'));
  const memsw = parseUnsigned(text('memory.memsw.usage_in_bytes'));
  const quota = parseSigned(text('cpu.cfs_quota_us'));
  const perCpu = text('cpuacct.usage_percpu')?.trim().split(/\s+/).map(parseUnsigned);
  // A cgroup without the throttle layer's figures may still have the proportional-weight (CFQ/BFQ) ones.
  const throttle = blkioV1(text('blkio.throttle.io_service_bytes'));
  const recursive = blkioV1(text('blkio.io_service_bytes_recursive'));
  const blkio = [throttle, recursive].find((f) => f !== null && f.devices > 0) ?? throttle ?? recursive;
  return {
    version: 1,
    memory: {
      usageBytes: usageMinusInactive(raw, valueOf(stat, 'total_inactive_file') ?? valueOf(stat, 'inactive_file')),
      rawUsageBytes: raw,
      limitBytes: limit !== null && limit < V1_NO_LIMIT ? limit : null,
      cacheBytes: valueOf(stat, 'total_cache') ?? valueOf(stat, 'cache'),
      rssBytes: valueOf(stat, 'total_rss') ?? valueOf(stat, 'rss'),
      swapBytes: memsw !== null && raw !== null ? Math.max(0, memsw - raw) : null,
      oomKills: valueOf(parseKeyValueLines(text('memory.oom_control') ?? ''), 'oom_kill'),
      failCount: parseUnsigned(text('memory.failcnt')),
    },
    cpu: {
      usageNs: parseUnsigned(text('cpuacct.usage')),
      quotaUs: quota !== null && quota > 0 ? quota : null,
      periodUs: parseUnsigned(text('cpu.cfs_period_us')),
      shares: parseUnsigned(text('cpu.shares')),
      weight: null,
      cpuset: cpuList(text('cpuset.cpus')),
      periods: valueOf(cpuStat, 'nr_periods'),
      throttledPeriods: valueOf(cpuStat, 'nr_throttled'),
      throttledNs: valueOf(cpuStat, 'throttled_time'),
      perCpuNs: perCpu && perCpu.length > 0 && perCpu.every((n) => n !== null) ? (perCpu as number[]) : null,
    },
    pids: { current: parseUnsigned(text('pids.current')), limit: limitValue(text('pids.max')) },
    blockIo: { readBytes: blkio?.readBytes ?? null, writeBytes: blkio?.writeBytes ?? null },
  };
}

function parseV2(files: Map<string, string>): CgroupMetrics {
  const text = (name: string): string | undefined => files.get(name);
  const stat = pickKeyValues(text('memory.stat') ?? '', V2_MEMORY_STAT_KEYS);
  const events = parseKeyValueLines(text('memory.events') ?? '');
  const cpuStat = parseKeyValueLines(text('cpu.stat') ?? '');
  const raw = parseUnsigned(text('memory.current'));
  // cpu.max is "$MAX $PERIOD" where $MAX is a number of microseconds or "max".
  const cpuMax = text('cpu.max')?.trim().split(/\s+/) ?? [];
  const io = ioStatV2(text('io.stat'));
  return {
    version: 2,
    memory: {
      usageBytes: usageMinusInactive(raw, valueOf(stat, 'inactive_file')),
      rawUsageBytes: raw,
      limitBytes: limitValue(text('memory.max')),
      cacheBytes: valueOf(stat, 'file'),
      rssBytes: valueOf(stat, 'anon'),
      swapBytes: parseUnsigned(text('memory.swap.current')),
      oomKills: valueOf(events, 'oom_kill'),
      failCount: valueOf(events, 'max'),
    },
    cpu: {
      usageNs: times(valueOf(cpuStat, 'usage_usec'), 1000),
      quotaUs: cpuMax[0] === 'max' ? null : parseUnsigned(cpuMax[0]),
      periodUs: parseUnsigned(cpuMax[1]),
      shares: null,
      weight: parseUnsigned(text('cpu.weight')),
      cpuset: cpuList(text('cpuset.cpus.effective')),
      periods: valueOf(cpuStat, 'nr_periods'),
      throttledPeriods: valueOf(cpuStat, 'nr_throttled'),
      throttledNs: times(valueOf(cpuStat, 'throttled_usec'), 1000),
      perCpuNs: null,
    },
    pids: { current: parseUnsigned(text('pids.current')), limit: limitValue(text('pids.max')) },
    blockIo: { readBytes: io?.readBytes ?? null, writeBytes: io?.writeBytes ?? null },
  };
}

function hasAnyFigure(m: CgroupMetrics): boolean {
  const groups = [m.memory, m.cpu, m.pids, m.blockIo] as Record<string, unknown>[];
  return groups.some((g) => Object.values(g).some((v) => v !== null));
}

/**
 * The figures of one cgroup from its files (keys are basenames). Version 2 when `memory.current` exists, or
 * when `cpu.stat` has `usage_usec` and no v1-only file is present: a hybrid host (v1 controllers plus an
 * empty unified tree) also shows a v2-style cpu.stat for every cgroup, which must not hide the v1 figures.
 * Null when no file gave a usable figure.
 */
export function parseCgroupMetrics(files: Map<string, string>): CgroupMetrics | null {
  const cpuStat = parseKeyValueLines(files.get('cpu.stat') ?? '');
  const hasV1Files = V1_ONLY_FILES.some((f) => files.has(f));
  const v2 = files.has('memory.current') || (!hasV1Files && valueOf(cpuStat, 'usage_usec') !== null);
  const metrics = v2 ? parseV2(files) : parseV1(files);
  return hasAnyFigure(metrics) ? metrics : null;
}
