// Shell-style path globs (`*`, `?`, `[...]`), matched one path segment at a time the way POSIX sh expands
// them, so that LocalTransport and the remote sh batch script see the same set of paths.
// A backslash escapes the next character (used internally to embed literal cgroup paths); plans never
// contain one because batchScript.ts rejects it.
import { MonitorError } from '../errors';

export type GlobToken =
  | { kind: 'literal'; text: string }
  | { kind: 'star' }
  | { kind: 'any' }
  /** `source` is the bracket expression exactly as written, `regex` its JS RegExp equivalent. */
  | { kind: 'class'; source: string; regex: string };

const META = /[*?[\\]/;

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\r\\f\\v',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

/** True when the pattern needs expansion (has `*`, `?`, `[` or an escape). */
export function hasGlobMeta(pattern: string): boolean {
  return META.test(pattern);
}

/** Escapes a literal string so that it matches only itself inside a glob pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}

function escapeForClass(ch: string): string {
  return /[[\\\]^-]/.test(ch) ? `\\${ch}` : ch;
}

/** Parses a bracket expression starting at `start` (a `[`); null when it is not closed (then `[` is literal). */
function parseClass(s: string, start: number): { end: number; regex: string } | null {
  let i = start + 1;
  let negate = false;
  if (s[i] === '!' || s[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < s.length) {
    const ch = s[i];
    if (ch === ']' && !first) return { end: i + 1, regex: `[${negate ? '^' : ''}${body}]` };
    first = false;
    if (ch === '[' && s[i + 1] === ':') {
      const close = s.indexOf(':]', i + 2);
      if (close !== -1) {
        // An unknown class name matches nothing, as in dash.
        body += POSIX_CLASSES[s.slice(i + 2, close)] ?? '';
        i = close + 2;
        continue;
      }
    }
    let lo = ch;
    let next = i + 1;
    if (ch === '\\' && i + 1 < s.length) {
      lo = s[i + 1];
      next = i + 2;
    }
    if (s[next] === '-' && next + 1 < s.length && s[next + 1] !== ']') {
      let hi = s[next + 1];
      let after = next + 2;
      if (hi === '\\' && next + 2 < s.length) {
        hi = s[next + 2];
        after = next + 3;
      }
      if (hi >= lo) body += `${escapeForClass(lo)}-${escapeForClass(hi)}`;
      i = after;
      continue;
    }
    body += escapeForClass(lo);
    i = next;
  }
  return null;
}

/** Splits one path segment (no `/`) into glob tokens; adjacent literal characters are merged. */
export function tokenizeGlobSegment(segment: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  const literal = (text: string): void => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += text;
    else tokens.push({ kind: 'literal', text });
  };
  let i = 0;
  while (i < segment.length) {
    const ch = segment[i];
    if (ch === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
    } else if (ch === '?') {
      tokens.push({ kind: 'any' });
      i++;
    } else if (ch === '\\') {
      literal(segment[i + 1] ?? '\\');
      i += 2;
    } else if (ch === '[') {
      const cls = parseClass(segment, i);
      if (cls) {
        tokens.push({ kind: 'class', source: segment.slice(i, cls.end), regex: cls.regex });
        i = cls.end;
      } else {
        literal('[');
        i++;
      }
    } else {
      literal(ch);
      i++;
    }
  }
  return tokens;
}

const regexCache = new Map<string, RegExp>();

/** The RegExp for one segment; `.`-leading names only match a pattern that starts with a literal `.`. */
export function globSegmentToRegExp(segment: string): RegExp {
  let re = regexCache.get(segment);
  if (re) return re;
  const tokens = tokenizeGlobSegment(segment);
  const first = tokens[0];
  const explicitDot = first?.kind === 'literal' && first.text.startsWith('.');
  let src = explicitDot ? '^' : '^(?!\\.)';
  for (const t of tokens) {
    if (t.kind === 'literal') src += t.text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (t.kind === 'star') src += '[^/]*';
    else if (t.kind === 'any') src += '[^/]';
    else src += t.regex;
  }
  re = new RegExp(`${src}$`, 's');
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(segment, re);
  return re;
}

export function matchGlobSegment(segment: string, name: string): boolean {
  return globSegmentToRegExp(segment).test(name);
}

/** The plain text of a segment that matches only itself (escapes removed), or null when it has wildcards. */
function literalSegment(segment: string): string | null {
  if (!hasGlobMeta(segment)) return segment;
  const tokens = tokenizeGlobSegment(segment);
  if (tokens.length === 0) return '';
  return tokens.length === 1 && tokens[0].kind === 'literal' ? tokens[0].text : null;
}

export type ReadDir = (dir: string) => Promise<string[]>;

/**
 * The steps of expandGlob, for a caller that lists directories its own way (LocalTransport lists them
 * synchronously and pauses between slices). Yields the directories one wildcard segment needs listed
 * ('/' for the root), takes back their listings in the same order ([] for one that cannot be listed),
 * and returns the expanded paths.
 */
export function* globExpansion(pattern: string): Generator<string[], string[], string[][]> {
  if (!hasGlobMeta(pattern)) return [pattern];
  if (!pattern.startsWith('/'))
    throw new MonitorError(`glob pattern must be absolute: ${JSON.stringify(pattern.slice(0, 80))}`, 'bad-argument');
  const segments = pattern.split('/').slice(1);
  let prefixes = [''];
  for (const segment of segments) {
    const lit = literalSegment(segment);
    if (lit !== null) {
      prefixes = prefixes.map((p) => `${p}/${lit}`);
      continue;
    }
    const re = globSegmentToRegExp(segment);
    const listings = yield prefixes.map((p) => (p === '' ? '/' : p));
    prefixes = prefixes.flatMap((p, i) =>
      (listings[i] ?? [])
        .filter((n) => re.test(n))
        .sort()
        .map((n) => `${p}/${n}`),
    );
    if (prefixes.length === 0) break;
  }
  return prefixes;
}

/**
 * Expands an absolute pattern segment by segment, like sh: each segment with meta characters is matched
 * against a directory listing, literal segments are appended as they are. Paths whose trailing literal
 * segments do not exist may be returned: the caller's read fails on them and leaves them out.
 * A pattern without meta characters is returned unchanged. Directories that cannot be listed add nothing.
 */
export async function expandGlob(pattern: string, readdir: ReadDir): Promise<string[]> {
  const steps = globExpansion(pattern);
  let step = steps.next();
  while (!step.done) {
    const listings = await Promise.all(
      step.value.map(async (dir) => {
        try {
          return await readdir(dir);
        } catch {
          return [];
        }
      }),
    );
    step = steps.next(listings);
  }
  return step.value;
}
