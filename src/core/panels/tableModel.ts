// Sorting and filtering for the panels' tables. Pure: the webview renders what these return.
import { byText } from '../order';

type CellValue = number | string | null;

export interface Column<R> {
  key: string;
  label: string;
  /** What the column sorts by. */
  value(row: R): CellValue;
  /** What the cell shows (and what the filter searches). */
  text(row: R): string;
  numeric: boolean;
  /** Header tooltip. */
  title?: string;
}

export interface SortSpec {
  key: string;
  descending: boolean;
}

export function isSortSpec(v: unknown): v is SortSpec {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as SortSpec).key === 'string' &&
    typeof (v as SortSpec).descending === 'boolean'
  );
}

function compareCells(a: CellValue, b: CellValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return byText(String(a), String(b));
}

/**
 * Rows ordered by the column `sort.key`; rows without a value (null, NaN) come last in both directions, since
 * "unknown" is neither big nor small. Stable: equal rows keep their input order. An unknown key keeps the input order.
 */
export function sortRows<R>(rows: readonly R[], columns: readonly Column<R>[], sort: SortSpec | null): R[] {
  const col = sort ? columns.find((c) => c.key === sort.key) : undefined;
  if (!col || !sort) return [...rows];
  const keyed = rows.map((row, i) => {
    const v = col.value(row);
    return { row, i, v: typeof v === 'number' && Number.isNaN(v) ? null : v };
  });
  const dir = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
    return dir * compareCells(a.v, b.v) || a.i - b.i;
  });
  return keyed.map((k) => k.row);
}

/** The filter's words, lower-cased; quotes are not special (names and images have no spaces). */
export function filterTerms(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

/**
 * Rows where every word of `text` occurs (case-insensitively) in some cell's text or in `extra(row)` (fields that
 * have no column, e.g. the full id or labels).
 */
export function filterRows<R>(
  rows: readonly R[],
  columns: readonly Column<R>[],
  text: string,
  extra?: (row: R) => string[],
): R[] {
  const terms = filterTerms(text);
  if (terms.length === 0) return [...rows];
  return rows.filter((row) => {
    const hay = [...columns.map((c) => c.text(row)), ...(extra ? extra(row) : [])].join('\n').toLowerCase();
    return terms.every((t) => hay.includes(t));
  });
}

/** Clicking a header: a new column sorts in its natural direction (numbers biggest first), the same one flips. */
export function nextSort<R>(current: SortSpec | null, column: Column<R>): SortSpec {
  if (current && current.key === column.key) return { key: column.key, descending: !current.descending };
  return { key: column.key, descending: column.numeric };
}
