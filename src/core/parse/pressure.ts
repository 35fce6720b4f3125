// PSI files (kernel Documentation/accounting/psi.rst): /proc/pressure/{cpu,memory,io} and a cgroup v2's
// {cpu,memory,io}.pressure share one format, so the host and the containers are read by the same parser.
import type { Pressure, PressureLine, PressureSet } from '../model';
import { splitLines } from './text';

/** The PSI files of a cgroup v2 directory (on a v1 host, of the container's directory in the unified tree). */
export const CGROUP_PRESSURE_FILES: readonly string[] = ['cpu.pressure', 'memory.pressure', 'io.pressure'];

// psi_show() prints `%s avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu`; fields are matched by name
// and a fraction of any length is taken, so a kernel that prints more digits still reads.
const LINE =
  /^(some|full) avg10=(\d{1,3}(?:\.\d{1,6})?) avg60=(\d{1,3}(?:\.\d{1,6})?) avg300=(\d{1,3}(?:\.\d{1,6})?) total=(\d{1,20})$/;

/** An average is a share of wall time: above 100 the line is not the kernel's. */
const MAX_PERCENT = 100;

function lineOf(m: RegExpExecArray): PressureLine | null {
  const [avg10, avg60, avg300] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (![avg10, avg60, avg300].every((v) => v <= MAX_PERCENT)) return null;
  return { avg10, avg60, avg300, totalUs: Number(m[5]), totalPercent: null };
}

/**
 * One PSI file; null without a readable `some` line (a missing file, or not the kernel's format). A garbled or
 * missing `full` line leaves `full` null and keeps `some`. A line cut short by a reader has no `total=` or a cut
 * number: only a cut total still matches, and that total is then lower than the next refresh's (rates take no
 * negative delta). Never throws.
 */
export function parsePressure(text: string | undefined): Pressure | null {
  if (typeof text !== 'string') return null;
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  for (const raw of splitLines(text)) {
    const m = LINE.exec(raw.trim().replace(/\s+/g, ' '));
    if (!m) continue;
    const line = lineOf(m);
    if (m[1] === 'some') some ??= line;
    else full ??= line;
  }
  return some === null ? null : { some, full };
}

/** The three resources' files as one set (a resource whose file did not read is null); null when none read. */
export function pressureSet(
  cpu: string | undefined,
  memory: string | undefined,
  io: string | undefined,
): PressureSet | null {
  const set = { cpu: parsePressure(cpu), memory: parsePressure(memory), io: parsePressure(io) };
  return set.cpu === null && set.memory === null && set.io === null ? null : set;
}
