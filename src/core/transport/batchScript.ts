// One refresh's reads as a single POSIX sh script (run remotely as `sh -s`, the script on stdin), and the
// parser of what it prints. A constant number of processes per run, never one per file.
//
// The target needs a POSIX sh (dash, bash, ash) and the GNU tools of any glibc distribution: grep
// (`-a -H -Z -z -L -d skip -D skip`), find (`-printf`), xargs (`-0 -r`), sort (`-z`), cut and `df -P -k`.
// The script checks them first and reports a clear error otherwise (BusyBox find has no -printf).
//
// Output format: NUL-terminated fields only. A section starts with a marker, an empty field followed by the
// section's name; a record never starts with an empty field because paths are never empty, and each
// section's records have a fixed number of fields, so no file content or name can forge a record.
//   F  path, chunk   `grep -aHZz ''` on regular files: their content split at NULs. The chunks of one path
//                    are consecutive and rejoin with NUL. A final NUL is not represented, so contents never
//                    end in one (/proc/PID/cmdline reads `a\0b`); LocalTransport drops it the same way.
//   E  path          `grep -aLZz ''`: readable regular files with no content at all.
//   L  path, target  `find -printf '%p\0%l\0'` on symlinks only.
//   S  path, df out  `df -P -k -- path`.
//   P  pid           the /proc listing (only the perl and python readers, for processFacts.newFromListing).
//   C  seconds       the reader's own CPU time so far, user + system, its children's included, as it ends this
//                    answer (only the perl and python readers: what monitoring costs the target).
// DM-BATCH-1 starts the output (anything printed before it, e.g. by a noisy shell rc file, is skipped),
// END closes it; ERR is followed by one field: why the script could not run.
import { shellQuote } from '../validate';
import { tokenizeGlobSegment } from './glob';
import { MonitorError } from '../errors';
import type { BatchPlan, BatchResult, StatfsResult } from './types';

const BEGIN = 'DM-BATCH-1';
// Only glob characters are special to sh in this set; the rest is quoted anyway.
const PLAN_CHARS = /^[A-Za-z0-9_./*?[\]:@+-]+$/;
const MAX_PATH = 4096;
const MAX_PATTERN = 1000;
const MAX_KNOWN = 4_000_000;
const PROC_PID_STAT = /^\/proc\/[0-9]+\/stat$/;

function reject(what: string, value: unknown, why: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : value === null ? 'null' : typeof value;
  throw new MonitorError(`invalid batch plan${what ? ` ${what}` : ''} ${shown}: ${why}`, 'bad-argument');
}

function checkPath(what: string, p: unknown, kind: 'absolute' | 'relative', glob = true): string {
  if (typeof p !== 'string' || p === '') reject(what, p, 'expected a non-empty string');
  if (p.length > MAX_PATH) reject(what, p, `longer than ${MAX_PATH} characters`);
  if (!PLAN_CHARS.test(p)) reject(what, p, 'only letters, digits and _ . / * ? [ ] : @ + - are allowed');
  if (kind === 'absolute' && !p.startsWith('/')) reject(what, p, 'must be an absolute path');
  if (kind === 'relative' && (p.startsWith('/') || p.split('/').includes('..'))) {
    reject(what, p, 'must be a relative path without ..');
  }
  // Without a glob character there is nothing to tokenize: most of a plan's paths are literal.
  if (!/[*?[\]]/.test(p)) return p;
  for (const segment of p.split('/')) {
    const tokens = tokenizeGlobSegment(segment);
    if (tokens.some((t) => t.kind === 'literal' && t.text.includes('['))) reject(what, p, 'has an unclosed [');
    if (!glob && tokens.some((t) => t.kind !== 'literal')) reject(what, p, 'must not contain glob characters');
  }
  return p;
}

function checkList(what: string, list: unknown, kind: 'absolute' | 'relative'): string[] {
  if (!Array.isArray(list)) reject(what, list, 'expected a list of paths');
  return list.map((p) => checkPath(what, p, kind));
}

/**
 * Checks a plan against the rules both transports share: absolute paths (relative under `perNetns` and
 * cgroup `files`) made only of `[A-Za-z0-9_./*?[]:@+-]`, balanced brackets, and a one-line cgroup pattern
 * that compiles as a JS RegExp. Throws MonitorError('bad-argument') naming the first bad entry.
 */
export function validateBatchPlan(plan: BatchPlan): void {
  if (typeof plan !== 'object' || plan === null) reject('', plan, 'expected an object');
  checkList('file', plan.files, 'absolute');
  checkList('link', plan.links, 'absolute');
  checkList('statfs path', plan.statfs, 'absolute');
  if (plan.perNetns !== undefined) checkList('perNetns path', plan.perNetns, 'relative');
  if (plan.perNetnsSockets !== undefined) checkList('perNetnsSockets path', plan.perNetnsSockets, 'relative');
  if (plan.processFacts !== undefined) {
    const pf = plan.processFacts;
    if (typeof pf !== 'object' || pf === null) reject('processFacts', pf, 'expected an object');
    checkList('process fact file', pf.files, 'relative');
    checkList('process fact link', pf.links, 'relative');
    if (pf.newFromListing !== undefined && typeof pf.newFromListing !== 'boolean')
      reject('processFacts.newFromListing', String(pf.newFromListing), 'expected a boolean');
    if (!Array.isArray(pf.known) || pf.known.length > MAX_KNOWN)
      reject('processFacts.known', null, `expected at most ${MAX_KNOWN} pairs`);
    for (const pair of pf.known) {
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isSafeInteger(n) && n >= 0)) {
        reject('processFacts.known entry', String(pair), 'expected [pid, startTicks], non-negative integers');
      }
    }
  }
  if (plan.cgroups !== undefined) {
    if (typeof plan.cgroups !== 'object' || plan.cgroups === null)
      reject('cgroups', plan.cgroups, 'expected an object');
    const { root, pattern, files, paths, newPathFiles } = plan.cgroups;
    checkPath('cgroup root', root, 'absolute', false);
    checkList('cgroup file', files, 'relative');
    if (newPathFiles !== undefined) checkList('cgroup file', newPathFiles, 'relative');
    if (paths !== undefined) {
      if (!Array.isArray(paths)) reject('cgroup paths', paths, 'expected a list of paths');
      for (const p of paths) checkPath('cgroup path', p, 'absolute', false);
    }
    if (typeof pattern !== 'string' || pattern === '') reject('cgroup pattern', pattern, 'expected a non-empty string');
    if (pattern.length > MAX_PATTERN) reject('cgroup pattern', pattern, `longer than ${MAX_PATTERN} characters`);
    // grep -E reads a newline as a second pattern; a NUL cannot be passed at all.
    if (/[\0\n\r]/.test(pattern)) reject('cgroup pattern', pattern, 'must be a single line');
    try {
      new RegExp(pattern);
    } catch {
      reject('cgroup pattern', pattern, 'is not a valid regular expression');
    }
  }
}

/** True when a literal path may appear in a plan (see validateBatchPlan). */
export function isPlanLiteralPath(p: string): boolean {
  return p.length <= MAX_PATH && p.startsWith('/') && PLAN_CHARS.test(p) && !/[*?[\]]/.test(p);
}

/** A validated plan path as one sh word: glob characters bare, everything else single-quoted. */
function shWord(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      tokenizeGlobSegment(segment)
        .map((t) =>
          t.kind === 'literal' ? shellQuote(t.text) : t.kind === 'star' ? '*' : t.kind === 'any' ? '?' : t.source,
        )
        .join(''),
    )
    .join('/');
}

function words(paths: string[]): string {
  return paths.map(shWord).join(' ');
}

const PREAMBLE = `# Docker Monitor batch read (generated). Run as: sh -s <script
{
LC_ALL=C
export LC_ALL
unset GREP_OPTIONS GREP_COLOR GREP_COLORS POSIXLY_CORRECT
set +f
exec 2>/dev/null
dm_mark() { printf '\\000%s\\000' "$1"; }
# NUL-separated paths on stdin -> F records of their contents, then E records of the empty ones.
# Directories, FIFOs and devices are skipped: a FIFO planted in a container's root must not hang the read.
dm_read() {
  sort -zu | xargs -0r sh -c 'grep -aHZz -d skip -D skip "" -- "$@"; printf "\\000E\\000"
    grep -aLZz -d skip -D skip "" -- "$@"; printf "\\000F\\000"' sh
}
dm_mark ${BEGIN}
if ! { find / -maxdepth 0 -printf '' && printf 'x\\000' | sort -zu | grep -qaHZz -d skip -D skip x && xargs -0r true </dev/null && df -P -k / >/dev/null; }; then
  dm_mark ERR
  printf '%s\\000' 'the target lacks GNU grep, GNU find, sort -z, xargs -0 -r or df -P (BusyBox is not enough)'
  exit 0
fi
`;

/** The whole plan as one POSIX sh script: feed it to `sh -s` and give its stdout to parseBatchOutput. */
export function buildBatchScript(input: BatchPlan): string {
  validateBatchPlan(input);
  // sh cannot skip known processes without a fork per PID: it reads every process's facts (slower, same result).
  const plan = withFactsForEveryProcess(input);
  let s = PREAMBLE;

  s += `set -- ${words(plan.files)}\ndm_mark F\n[ $# -eq 0 ] || printf '%s\\000' "$@" | dm_read\n`;

  if (plan.cgroups && plan.cgroups.files.length > 0) {
    // Distinct cgroup paths (third field onwards, may hold ':') of the /proc/PID/cgroup files just read;
    // "$cg" stays quoted: cgroup names come from the target and may contain anything but a newline.
    const root = shellQuote(plan.cgroups.root);
    const reads = plan.cgroups.files
      .flatMap((f) => [`${root}"$cg"/${shWord(f)}`, `${root}/*"$cg"/${shWord(f)}`])
      .join(' ');
    s +=
      `dm_mark F\n` +
      `[ $# -eq 0 ] || printf '%s\\000' "$@" | grep -azE '^/proc/[0-9]+/cgroup$' | xargs -0r grep -ah '' -- |\n` +
      `  cut -s -d: -f3- | grep -aE -e ${shellQuote(plan.cgroups.pattern)} | sort -u |\n` +
      `  while IFS= read -r cg; do printf '%s\\000' ${reads}; done | dm_read\n`;
  }

  s +=
    `set -- ${words(plan.links)}\ndm_mark L\n` +
    `[ $# -eq 0 ] || printf '%s\\000' "$@" | sort -zu | xargs -0r sh -c 'exec find "$@" -maxdepth 0 -type l -printf "%p\\0%l\\0"' sh\n`;

  // The sh reader cannot tell which namespaces hold sockets: it reads perNetnsSockets in every one.
  const perNetns = [...(plan.perNetns ?? []), ...(plan.perNetnsSockets ?? [])];
  if (perNetns.length > 0) {
    // One process per network namespace, the lowest PID, from the ns/net links just listed:
    // lines `net:[inode]/proc/PID/ns/net` sorted by namespace, then PID.
    const reads = perNetns.map((p) => `'/proc/'"$pid"/${shWord(p)}`).join(' ');
    s +=
      `dm_mark F\n` +
      `[ $# -eq 0 ] || printf '%s\\000' "$@" | grep -azE '^/proc/[0-9]+/ns/net$' | sort -zu |\n` +
      `  xargs -0r sh -c 'exec find "$@" -maxdepth 0 -type l -printf "%l%p\\n"' sh | sort -t/ -k1,1 -k3,3n |\n` +
      `  { prev=; while IFS=/ read -r ns proc pid rest; do\n` +
      `    case $pid in ''|*[!0-9]*) continue;; esac\n` +
      `    [ -n "$ns" ] && [ "$ns" != "$prev" ] || continue\n` +
      `    prev=$ns\n` +
      `    printf '%s\\000' ${reads}\n` +
      `  done; } | dm_read\n`;
  }

  s +=
    `dm_mark S\n` +
    `for p in ${words(plan.statfs)}; do\n` +
    `  [ -e "$p" ] || continue\n` +
    `  printf '%s\\000' "$p"; df -P -k -- "$p"; printf '\\000'\n` +
    `done\n`;

  s += `dm_mark END\n} </dev/null\n`;
  return s;
}

/**
 * The plan with processFacts turned into `/proc/[0-9]*\/...` globs and newPathFiles read under every cgroup
 * path, for a reader that cannot tell known from new.
 */
export function withFactsForEveryProcess(input: BatchPlan): BatchPlan {
  const cg = input.cgroups;
  const plan = cg?.newPathFiles
    ? { ...input, cgroups: { ...cg, files: [...new Set([...cg.files, ...cg.newPathFiles])], newPathFiles: [] } }
    : input;
  const pf = plan.processFacts;
  if (!pf) return plan;
  const { processFacts: _pf, ...rest } = plan;
  // Every process's cgroup file is read again, so the known cgroup paths are found anyway.
  const glob = (rel: string) => `/proc/[0-9]*/${rel}`;
  // Every stat too when the plan named some only: the glob reads them, so the named ones are not read twice.
  const files = pf.newFromListing ? [...plan.files.filter((f) => !PROC_PID_STAT.test(f)), glob('stat')] : plan.files;
  return { ...rest, files: [...files, ...pf.files.map(glob)], links: [...plan.links, ...pf.links.map(glob)] };
}

// `df -P -k` data line: filesystem (may hold spaces), 1K-blocks, used, available, capacity, mount point.
const DF_LINE = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(.*)$/s;

function parseDf(out: string): StatfsResult | null {
  const nl = out.indexOf('\n');
  if (nl === -1) return null;
  const m = DF_LINE.exec(out.slice(nl + 1).trimEnd());
  if (!m) return null;
  const [total, used, avail] = [Number(m[2]), Number(m[3]), Number(m[4])];
  // df prints Used as blocks minus free blocks: more than the total is not df's output, and would make free negative.
  if (used > total) return null;
  return { totalBytes: total * 1024, freeBytes: (total - used) * 1024, availableBytes: avail * 1024 };
}

const NUL = Buffer.from([0]);

function joinChunks(chunks: Buffer[]): string {
  if (chunks.length === 1) return chunks[0].toString('utf8');
  const parts: Buffer[] = [];
  chunks.forEach((c, i) => {
    if (i > 0) parts.push(NUL);
    parts.push(c);
  });
  return Buffer.concat(parts).toString('utf8');
}

/** Parses the batch script's stdout. Throws MonitorError when the output is not the script's or is cut short. */
export function parseBatchOutput(stdout: Buffer | string, durationMs: number): BatchResult {
  const buf = typeof stdout === 'string' ? Buffer.from(stdout, 'utf8') : stdout;
  const result: BatchResult = { files: new Map(), links: new Map(), statfs: new Map(), durationMs };
  if (buf.length === 0)
    throw new MonitorError('the batch read printed nothing (is sh available on the target?)', 'internal');
  const start = buf.indexOf(`\0${BEGIN}\0`);
  if (start === -1) {
    throw new MonitorError('the batch read printed something unrecognizable (no start marker)', 'internal');
  }
  let pos = start + BEGIN.length + 2;
  const field = (): Buffer | null => {
    const end = buf.indexOf(0, pos);
    if (end === -1) return null;
    const f = buf.subarray(pos, end);
    pos = end + 1;
    return f;
  };

  let mode = '';
  let ended = false;
  let current: string | null = null;
  let chunks: Buffer[] = [];
  // Paths given content in the current read, so a racing second pass cannot blank them.
  let withContent = new Set<string>();
  const flush = (): void => {
    if (current !== null) result.files.set(current, joinChunks(chunks));
    current = null;
    chunks = [];
  };

  for (;;) {
    const first = field();
    if (first === null) break;
    if (first.length === 0) {
      const name = field()?.toString('utf8');
      if (name === undefined) break;
      flush();
      if (name === 'END') {
        ended = true;
        break;
      }
      if (name === 'ERR') {
        const why = field()?.toString('utf8') ?? 'no reason given';
        throw new MonitorError(`the batch read failed on the target: ${why}`, 'internal');
      }
      if (name !== 'F' && name !== 'E' && name !== 'L' && name !== 'S' && name !== 'P' && name !== 'C') {
        throw new MonitorError(
          `the batch read printed an unknown section ${JSON.stringify(name.slice(0, 40))}`,
          'internal',
        );
      }
      if (name === 'F') withContent = new Set();
      mode = name;
      continue;
    }
    const path = first.toString('utf8');
    if (mode === 'P') {
      // The /proc listing of a reader that was told which processes it knows (newFromListing).
      if (/^[0-9]{1,10}$/.test(path)) (result.pids ??= []).push(Number(path));
      continue;
    }
    if (mode === 'C') {
      if (/^[0-9]{1,12}(\.[0-9]{1,6})?$/.test(path)) result.readerCpuSeconds = Number(path);
      continue;
    }
    if (mode === 'E') {
      if (!withContent.has(path)) result.files.set(path, '');
      continue;
    }
    const second = field();
    if (second === null) break;
    if (mode === 'F') {
      if (path !== current) {
        flush();
        current = path;
        withContent.add(path);
      }
      chunks.push(second);
    } else if (mode === 'L') {
      // An empty target means readlink failed (e.g. EACCES); LocalTransport leaves those out too.
      if (second.length > 0) result.links.set(path, second.toString('utf8'));
    } else if (mode === 'S') {
      const st = parseDf(second.toString('utf8'));
      if (st) result.statfs.set(path, st);
    } else {
      throw new MonitorError('the batch read printed a record outside any section', 'internal');
    }
  }
  if (!ended) throw new MonitorError('the batch read output was cut short (no end marker)', 'internal');
  return result;
}
