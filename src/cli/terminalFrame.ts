// Redrawing in place on a terminal, as `docker stats` does: cursor home, each line written over the old one and
// cleared to its end, then everything below cleared. No full-screen clear between frames, so nothing flickers.
import { truncate } from './table';

const HOME = '\x1b[H';
const CLEAR_TO_LINE_END = '\x1b[K';
const CLEAR_TO_SCREEN_END = '\x1b[J';

/**
 * The lines of `text` that fit: at most `rows - 1` (a frame that scrolled would leave copies in the scrollback and
 * draw the next one off by the scrolled lines), each cut to `columns - 1` (a line reaching the last column puts the
 * terminal in its pending-wrap state, where clearing to the line end also erases that column's character).
 */
export function fitToTerminal(text: string, columns: number, rows: number): string[] {
  const lines = text.split('\n');
  const height = Math.max(1, rows - 1);
  const shown = lines.length <= height ? lines : lines.slice(0, height - 1);
  if (shown.length < lines.length) {
    shown.push(`… ${lines.length - shown.length} more lines (a taller terminal shows them; piped output has them all)`);
  }
  return shown.map((line) => truncate(line, Math.max(1, columns - 1)));
}

/** The bytes that replace the previous frame with `lines`, leaving the cursor on the line below them. */
export function redraw(lines: readonly string[]): string {
  return `${HOME}${lines.map((line) => `${line}${CLEAR_TO_LINE_END}\n`).join('')}${CLEAR_TO_SCREEN_END}`;
}
