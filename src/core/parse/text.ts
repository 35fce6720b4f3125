// Helpers for kernel text. Numbers are parsed strictly: `Number()` alone would accept "", " ", "0x1f", "1e3"
// and "Infinity", which no /proc or /sys file ever prints, so such input is garbage (null) instead.

const UNSIGNED = /^\d{1,20}$/;
const SIGNED = /^-?\d{1,20}$/;
const DECIMAL = /^\d{1,20}(?:\.\d{1,20})?$/;

/** A non-negative decimal integer (values above 2^53 lose precision but stay usable for comparisons). */
export function parseUnsigned(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const s = text.trim();
  return UNSIGNED.test(s) ? Number(s) : null;
}

/** A decimal integer that may be negative (e.g. cpu.cfs_quota_us = -1). */
export function parseSigned(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const s = text.trim();
  return SIGNED.test(s) ? Number(s) : null;
}

/** A non-negative decimal with an optional fraction (loadavg, uptime). */
export function parseDecimal(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const s = text.trim();
  return DECIMAL.test(s) ? Number(s) : null;
}

/** Lines of a file without the empty trailing one a final newline leaves. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Lines the kernel finished: when the text does not end with a newline its last line may have been cut
 * (a cut number still parses, to a wrong value), so it is dropped. Only for files whose last line is never
 * one a caller needs, which keeps them safe from a reader that strips the final newline.
 */
export function completeLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop(); // '' after a final newline, or the unfinished line
  return lines;
}

/** A record without a prototype, so hostile keys such as `__proto__` are stored as plain data. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
