// Parsers for the per-process files of /proc/PID: stat, status, cmdline and cgroup (formats per proc(5)).
import { completeLines, parseSigned, parseUnsigned, splitLines } from './text';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Clock ticks in user mode (field 14). */
  utime: number;
  /** Clock ticks in kernel mode (field 15). */
  stime: number;
  /** Start time in clock ticks after boot (field 22). */
  startTicks: number;
  vsizeBytes: number;
  rssPages: number;
  numThreads: number;
  /** CPU last run on (field 39); absent on very old kernels. */
  processor: number | null;
}

/** Fields 3..40 of stat, the last parseProcStat looks at; their offsets go in these (parsing is synchronous). */
const STAT_FIELDS = 38;
const fieldStart = new Int32Array(STAT_FIELDS);
const fieldEnd = new Int32Array(STAT_FIELDS);

/**
 * /proc/PID/stat. The name (field 2) may hold spaces and parentheses, and nothing after it can hold ')',
 * so the name ends at the LAST ')'. A figure counts only when the field after it is present too (every kernel
 * prints 44 or more), so a line cut inside a number gives null instead of a wrong value.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = parseUnsigned(text.slice(0, open));
  if (pid === null) return null;
  // Field N of proc(5), counting pid as 1 and the name as 2: the space-separated words after the name. Only
  // the fields used are cut out (this runs for every process on every refresh).
  const body = text.slice(close + 1).trim();
  let count = 0;
  for (let i = 0; i < body.length && count < STAT_FIELDS;) {
    while (body.charCodeAt(i) === 32) i++;
    if (i >= body.length) break;
    const space = body.indexOf(' ', i);
    const end = space < 0 ? body.length : space;
    fieldStart[count] = i;
    fieldEnd[count++] = end;
    i = end;
  }
  const at = (field: number): string | undefined =>
    field - 3 < count ? body.slice(fieldStart[field - 3], fieldEnd[field - 3]) : undefined;
  const state = at(3);
  const ppid = parseSigned(at(4));
  const utime = parseUnsigned(at(14));
  const stime = parseUnsigned(at(15));
  const numThreads = parseSigned(at(20));
  const startTicks = parseUnsigned(at(22));
  const vsize = parseUnsigned(at(23));
  const rss = at(25) === undefined ? null : parseSigned(at(24));
  if (state === undefined || !/^[A-Za-z]$/.test(state)) return null;
  if (ppid === null || utime === null || stime === null || numThreads === null) return null;
  if (startTicks === null || vsize === null || rss === null) return null;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid,
    utime,
    stime,
    startTicks,
    vsizeBytes: vsize,
    rssPages: Math.max(0, rss),
    numThreads,
    processor: at(40) === undefined ? null : parseSigned(at(39)),
  };
}

export interface ProcStatus {
  name: string;
  /** Real UID (first of the four on the Uid line). */
  uid: number | null;
  /** PID in each nested PID namespace, outermost first; [] when the kernel has no NSpid line (< 4.1). */
  nsPid: number[];
  threads: number | null;
  vmRssBytes: number | null;
}

/**
 * /proc/PID/status. Null when there is no Name line (not a status file). An unterminated last line is
 * ignored: it may be cut, and the lines read here are never last.
 */
export function parseProcStatus(text: string): ProcStatus | null {
  let name: string | null = null;
  let uid: number | null = null;
  let nsPid: number[] = [];
  let threads: number | null = null;
  let vmRssBytes: number | null = null;
  for (const line of completeLines(text)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    switch (key) {
      case 'Name':
        // The kernel writes "Name:\t" then the escaped name, which may itself hold tabs and trailing spaces.
        name = unescapeProcName(value.startsWith('\t') ? value.slice(1) : value.trimStart());
        break;
      case 'Uid':
        uid = parseUnsigned(value.trim().split(/\s+/)[0]);
        break;
      case 'NSpid': {
        const ids = value.trim().split(/\s+/).map(parseUnsigned);
        nsPid = ids.every((n): n is number => n !== null) ? ids : [];
        break;
      }
      case 'Threads':
        threads = parseUnsigned(value);
        break;
      case 'VmRSS': {
        const m = /^\s*(\d{1,20})\s+kB\s*$/.exec(value);
        vmRssBytes = m ? Number(m[1]) * 1024 : null;
        break;
      }
    }
  }
  if (name === null) return null;
  return { name, uid, nsPid, threads, vmRssBytes };
}

/**
 * Undoes the escaping of the status Name: the kernel writes '\n' as `\n` and '\' as `\\` (string_escape_str
 * with ESCAPE_SPACE | ESCAPE_SPECIAL limited to "\n\\"; task_name() did the same by hand before 4.x), so every
 * backslash starts one of these two pairs. Anything else is kept as it is.
 */
function unescapeProcName(s: string): string {
  return s.replace(/\\([n\\])/g, (_pair, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** /proc/PID/cmdline: each argument is NUL-terminated; a kernel thread has none. */
export function parseCmdline(text: string): string[] {
  if (text === '') return [];
  const body = text.endsWith('\0') ? text.slice(0, -1) : text;
  return body.split('\0');
}

export interface ProcCgroupEntry {
  /** 0 for the cgroup v2 (unified) entry. */
  hierarchyId: number;
  /** v1 controllers of the hierarchy (e.g. ["cpu", "cpuacct"] or ["name=systemd"]); [] for v2. */
  controllers: string[];
  path: string;
}

/** /proc/PID/cgroup: `id:controllers:path` lines; the path may itself contain ':'. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of splitLines(text)) {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) continue;
    const hierarchyId = parseUnsigned(line.slice(0, first));
    const path = line.slice(second + 1);
    if (hierarchyId === null || !path.startsWith('/')) continue;
    const controllers = line
      .slice(first + 1, second)
      .split(',')
      .filter((c) => c !== '');
    entries.push({ hierarchyId, controllers, path });
  }
  return entries;
}

/**
 * One numeric field of /proc/PID/stat (1-based, as proc(5) numbers them), counted after the last `)` since
 * comm may hold spaces and parentheses; null when missing or not a number. As in parseProcStat, a field counts
 * only when the one after it is present too: a line cut inside a number gives null, not a shorter number.
 * For the hot path that needs one field of every process, not a whole parse.
 */
export function procStatField(stat: string, n: number): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0 || n < 3) return null;
  // Fields are single-space separated after ") ": walk to the n-th without splitting the line.
  let from = close + 2;
  for (let field = 3; field < n; field++) {
    const space = stat.indexOf(' ', from);
    if (space < 0) return null;
    from = space + 1;
  }
  const end = stat.indexOf(' ', from);
  if (end < 0) return null;
  const v = stat.slice(from, end);
  return /^-?[0-9]+$/.test(v) ? Number(v) : null;
}
