// Text read from a target (names, labels, command lines) is attacker-controlled. One escaper for every place that
// shows it: the CLI on a terminal, the tree and tooltips in VS Code.

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), line/paragraph separators and the bidi overrides/isolates
// that make text display in another order than it is stored ("Trojan Source").
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/** Every control or reordering character as a visible escape (`\n`, `\x1b`, `\u202e`); `names` adds short forms. */
export function escapeControlChars(text: string, names: Record<string, string> = {}): string {
  return text.replace(UNSAFE, (ch) => {
    const named = names[ch] ?? NAMED[ch];
    if (named) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
