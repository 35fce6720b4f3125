// OpenSSH's own pattern grammar (match.c: match_pattern, match_pattern_list), for Host and Match lines, IgnoreUnknown
// and known_hosts names: only `*` and `?` are special, a comma list may negate with `!`, host names compare in lower
// case. Not glob.ts: that is POSIX sh globbing of file paths (`[...]`, backslash escapes, one segment at a time), and a
// host pattern must match exactly what ssh matches, so the two grammars stay apart on purpose.

/**
 * OpenSSH's match_pattern(): `*` is any run of characters, `?` exactly one; nothing else is special. Matched by
 * the greedy two-pointer method (back to the last `*` on a mismatch), at most text x pattern steps: a regex or a
 * recursive matcher takes exponential time on patterns such as `*a*a*a*a*a*a*a*a*b`.
 */
export function matchPattern(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let star = -1; // position in pattern after the last `*` seen
  let starText = 0; // where in text that `*` currently ends
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = ++p;
      starText = t;
    } else if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * OpenSSH's match_pattern_list(): a comma list; a matching `!pattern` rules the text out whatever else
 * matches. Host names are compared in lower case (match_hostname).
 */
export function matchPatternList(text: string, list: string, lowerCase: boolean): boolean {
  const t = lowerCase ? text.toLowerCase() : text;
  let found = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const p = lowerCase ? (negated ? raw.slice(1) : raw).toLowerCase() : negated ? raw.slice(1) : raw;
    if (matchPattern(t, p)) {
      if (negated) return false;
      found = true;
    }
  }
  return found;
}

/** A Host word that is a pattern or a negation (`*`, `?` or `!` in it), not one concrete host name. */
export function isHostPattern(word: string): boolean {
  return /[*?!]/.test(word);
}
