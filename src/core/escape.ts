// Text read from a target (names, labels, command lines) is attacker-controlled. One escaper for every place that
// shows it: the CLI on a terminal, the tree, tooltips and QuickPicks in VS Code, and the panels' DOM text.

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), line/paragraph separators and the bidi overrides/isolates
// that make text display in another order than it is stored ("Trojan Source").
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/**
 * The most characters of one string a view shows. A command line can hold 2 MiB (128 KiB per argument): shown
 * whole it would make a hover, a QuickPick row or a table cell megabytes wide. JSON output is data and is never cut.
 */
export const MAX_SHOWN_CHARS = 4096;

/** What replaces the cut tail: says how much is missing, so a cut is never mistaken for the whole text. */
export function truncationMarker(moreChars: number): string {
  return `… [${moreChars} more characters]`;
}

function cut(text: string): string {
  if (text.length <= MAX_SHOWN_CHARS) return text;
  // Never split a surrogate pair: half of one is not a character.
  const end = /[\ud800-\udbff]/.test(text[MAX_SHOWN_CHARS - 1]) ? MAX_SHOWN_CHARS - 1 : MAX_SHOWN_CHARS;
  return text.slice(0, end) + truncationMarker(text.length - end);
}

/**
 * Every control or reordering character as a visible escape (`\n`, `\x1b`, `\u202e`); `names` adds short forms.
 * Text longer than MAX_SHOWN_CHARS is cut first (escapes are never cut in half) and ends with truncationMarker.
 */
export function escapeControlChars(text: string, names: Record<string, string> = {}): string {
  return cut(text).replace(UNSAFE, (ch) => {
    const named = names[ch] ?? NAMED[ch];
    if (named) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The five characters that matter in HTML text and attribute values (the panels' shells, serve's page). */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
