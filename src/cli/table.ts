// Plain-text layout: aligned tables and label/value blocks. Every cell is sanitized here, so no printer can
// forget to escape a string that came from the target.
import { sanitizeForTerminal } from './sanitize';

export interface Column {
  header: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis (command lines). */
  maxWidth?: number;
  /** Longer cells are wrapped onto more lines of the same row (prose such as correlation cells). */
  wrapWidth?: number;
}

const GAP = '  ';

/** Length in code points: close enough to terminal columns for the text we print. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function truncate(text: string, maxWidth: number): string {
  if (width(text) <= maxWidth) return text;
  return [...text].slice(0, Math.max(0, maxWidth - 1)).join('') + '…';
}

/** Breaks text into lines of at most `maxWidth`, at spaces when possible, mid-word (long paths) when not. */
export function wrap(text: string, maxWidth: number): string[] {
  const limit = Math.max(1, maxWidth);
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (width(candidate) <= limit) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    let rest = [...word];
    while (rest.length > limit) {
      lines.push(rest.slice(0, limit).join(''));
      rest = rest.slice(limit);
    }
    current = rest.join('');
  }
  lines.push(current);
  return lines;
}

/** A cell as one or more lines: sanitized first, so escapes count towards the width. */
function cellLines(text: string, column: Column): string[] {
  const clean = sanitizeForTerminal(text);
  if (column.wrapWidth) return wrap(clean, column.wrapWidth);
  return [column.maxWidth ? truncate(clean, column.maxWidth) : clean];
}

/** Columns separated by two spaces, headers on the first line; trailing spaces trimmed. */
export function renderTable(columns: Column[], rows: string[][], indent = ''): string {
  const body = rows.map((row) => columns.map((c, i) => cellLines(row[i] ?? '', c)));
  const head = columns.map((c) => [sanitizeForTerminal(c.header)]);
  const widths = columns.map((_, i) => Math.max(...[head, ...body].flatMap((r) => r[i].map(width))));
  const render = (cells: string[][]) => {
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from(
      { length: height },
      (_, k) =>
        indent +
        cells
          .map((lines, i) => {
            const text = lines[k] ?? '';
            const pad = ' '.repeat(widths[i] - width(text));
            return columns[i].align === 'right' ? pad + text : text + pad;
          })
          .join(GAP)
          .trimEnd(),
    ).join('\n');
  };
  return [render(head), ...body.map(render)].join('\n');
}

/** "Label   value" lines with the values aligned. */
export function renderFields(fields: [label: string, value: string][], indent = ''): string {
  // Labels are sanitized too: container labels are printed as label/value pairs.
  const clean = fields.map(([label, value]) => [sanitizeForTerminal(label), sanitizeForTerminal(value)]);
  const labelWidth = Math.max(0, ...clean.map(([label]) => width(label)));
  return clean
    .map(([label, value]) => `${indent}${label}${' '.repeat(labelWidth - width(label))}${GAP}${value}`.trimEnd())
    .join('\n');
}

/** A section title followed by its body; the title is sanitized as it may hold a container name. */
export function section(title: string, body: string): string {
  return `${sanitizeForTerminal(title)}\n${body}`;
}
