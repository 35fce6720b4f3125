// Strings read from a target (container names, labels, command lines, interface names) are attacker-controlled:
// a process can name itself "\x1b]52;..." and rewrite the clipboard or the screen of whoever runs the CLI.
import { escapeControlChars } from '../core/escape';

/** Escapes every character that could move the cursor, change colours or reorder text on a terminal. */
export function sanitizeForTerminal(text: string): string {
  return escapeControlChars(text, { '\x1b': '\\e' });
}
