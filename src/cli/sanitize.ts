// Strings read from a target (container names, labels, command lines, interface names) are attacker-controlled:
// a process can name itself "\x1b]52;..." and rewrite the clipboard or the screen of whoever runs the CLI.

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\x1b': '\\e' };

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), line/paragraph separators and the bidi
// overrides/isolates that can make text display in a different order than it is stored ("Trojan Source").
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Escapes every character that could move the cursor, change colours or reorder text on a terminal. */
export function sanitizeForTerminal(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const named = NAMED[ch];
    if (named) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
