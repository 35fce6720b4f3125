// Human-readable units shared by the CLI and the VS Code views. Pure: no I/O, no vscode.
// Every helper takes null/undefined/non-finite input (a figure the collector could not read) and returns '-'.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** What the helpers print for a missing figure. */
export const MISSING = '-';

function isNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** One decimal, without a trailing ".0": "64 MiB", "1.5 KiB". */
function trimmed(value: number, decimals: number): string {
  const s = value.toFixed(decimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Binary units (KiB = 1024 B), as free -h and docker stats print them. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return MISSING;
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  // 1023.97 KiB would round to "1024 KiB": move up a unit instead.
  if (Number(value.toFixed(1)) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${trimmed(value, 1)} ${BYTE_UNITS[unit]}`;
}

/** A percentage with a fixed number of decimals: "12.3%". */
export function formatPercent(percent: number | null | undefined, decimals = 1): string {
  if (!isNumber(percent)) return MISSING;
  return `${percent.toFixed(decimals)}%`;
}

/** A byte rate: "1.5 KiB/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (!isNumber(bytesPerSecond)) return MISSING;
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * A duration in seconds, to the two largest units: "3d 4h", "5m 3s", "12s"; below 10 s with one decimal
 * ("1.5s") since CPU times are often that small.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) return MISSING;
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 10) return `${sign}${trimmed(s, 1)}s`;
  const total = Math.floor(s);
  const parts: [number, string][] = [
    [Math.floor(total / 86400), 'd'],
    [Math.floor((total % 86400) / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'm'],
    [total % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  const shown = parts.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0);
  return sign + shown.map(([n, u]) => `${n}${u}`).join(' ');
}

/**
 * ' (as of HH:MM:SS UTC)' when a snapshot's slow tier (open files, sockets) was read before its refresh, else ''.
 * A snapshot saved before tiered reads has no slowReadAt: everything in it was read at collectedAt.
 */
export function slowTierAge(s: { slowReadAt?: string; collectedAt: string }): string {
  return !s.slowReadAt || s.slowReadAt === s.collectedAt ? '' : ` (as of ${s.slowReadAt.slice(11, 19)} UTC)`;
}
