// How an ssh_config line splits into a keyword and its words, as OpenSSH's readconf.c (strdelim) and argv_split() do:
// the lexing, kept apart from what the keywords mean (sshConfigRead.ts), which changes with every OpenSSH release.

/**
 * Splits the rest of a config line into words as OpenSSH's argv_split(..., terminate_on_comment=1) does:
 * blanks separate words, `"` and `'` quote, a backslash escapes a quote, a backslash or (outside quotes) a
 * space, and a `#` at the start of a word ends the line. Null for an unterminated quote.
 */
export function splitConfigWords(s: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    let quote = '';
    let word = '';
    for (; i < s.length; i++) {
      const ch = s[i];
      if (ch === '\\') {
        const nx = s[i + 1];
        if (nx === "'" || nx === '"' || nx === '\\' || (quote === '' && nx === ' ')) {
          word += nx;
          i++;
        } else {
          word += ch;
        }
      } else if (quote === '' && (ch === ' ' || ch === '\t')) {
        break;
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== '' && ch === quote) {
        quote = '';
      } else {
        word += ch;
      }
    }
    if (quote !== '') return null;
    words.push(word);
  }
  return words;
}

/**
 * Splits a line into its keyword and the rest, as readconf's strdelim(): the keyword ends at a blank, a quote
 * or one `=`, which may have blanks around it. Null for a blank or comment line.
 */
export function splitKeyword(line: string): { keyword: string; rest: string } | null {
  const trimmed = trimEndOf(line, ' \t\r\n\f').replace(/^[ \t\r\n]+/, '');
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const m = /^([^ \t\r\n"=]*)(?:[ \t]*=[ \t]*|[ \t]+|(?=")|$)/.exec(trimmed);
  if (!m || m[1] === '') return null;
  return { keyword: m[1].toLowerCase(), rest: trimmed.slice(m[0].length) };
}

/**
 * `s` without the trailing characters in `chars`. A loop, not /[...]+$/: that regex retries the whole run of
 * blanks from each of its positions, quadratic on a long line of blanks followed by anything else.
 */
export function trimEndOf(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1])) end--;
  return s.slice(0, end);
}
