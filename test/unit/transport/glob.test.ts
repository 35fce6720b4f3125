import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  escapeGlob,
  expandGlob,
  hasGlobMeta,
  matchGlobSegment,
  tokenizeGlobSegment,
} from '../../../src/core/transport/glob';
import { MonitorError } from '../../../src/core/errors';

describe('tokenizeGlobSegment', () => {
  it('splits wildcards, classes and literals', () => {
    expect(tokenizeGlobSegment('[0-9]*')).toEqual([
      { kind: 'class', source: '[0-9]', regex: '[0-9]' },
      { kind: 'star' },
    ]);
    expect(tokenizeGlobSegment('a?b')).toEqual([
      { kind: 'literal', text: 'a' },
      { kind: 'any' },
      { kind: 'literal', text: 'b' },
    ]);
    expect(tokenizeGlobSegment('a**b')).toEqual([
      { kind: 'literal', text: 'a' },
      { kind: 'star' },
      { kind: 'literal', text: 'b' },
    ]);
  });
  it('reads an unclosed [ as a literal, like sh', () => {
    expect(tokenizeGlobSegment('a[0-9')).toEqual([{ kind: 'literal', text: 'a[0-9' }]);
  });
  it('reads an escaped character as a literal', () => {
    expect(tokenizeGlobSegment('a\\*b')).toEqual([{ kind: 'literal', text: 'a*b' }]);
  });
});

describe('matchGlobSegment', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'stat', true],
    ['*', '.hidden', false],
    ['.*', '.hidden', true],
    ['?', 'a', true],
    ['?', 'ab', false],
    ['?', '.', false],
    ['[0-9]*', '1234', true],
    ['[0-9]*', 'self', false],
    ['[0-9]', '12', false],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[!a-c]x', 'dx', true],
    ['[!a-c]x', 'ax', false],
    ['[^a-c]x', 'ax', false],
    ['[]a]', ']', true],
    ['[]a]', 'a', true],
    ['[a-]', '-', true],
    ['[[:digit:]][[:alpha:]]', '7q', true],
    ['[[:digit:]][[:alpha:]]', 'q7', false],
    ['[[:xdigit:]]', 'F', true],
    ['[[:upper:]]', 'f', false],
    ['a.b', 'axb', false],
    ['a.b', 'a.b', true],
    ['(x)+', '(x)+', true],
    ['(x)+', 'xx', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'aXb', false],
    ['eth*', 'eth0', true],
    ['*@*', 'a@b', true],
    ['*', 'line\nbreak', true],
  ];
  it.each(cases)('%j against %j is %s', (pattern, name, expected) => {
    expect(matchGlobSegment(pattern, name)).toBe(expected);
  });
});

describe('hasGlobMeta / escapeGlob', () => {
  it('tells patterns from plain paths', () => {
    expect(hasGlobMeta('/proc/stat')).toBe(false);
    expect(hasGlobMeta('/proc/[0-9]*/stat')).toBe(true);
    expect(hasGlobMeta('/a?b')).toBe(true);
  });
  it('makes any string match only itself', () => {
    for (const s of ['a*b', 'x[0-9]', 'q?', 'back\\slash', 'br]ack']) {
      expect(matchGlobSegment(escapeGlob(s), s)).toBe(true);
    }
    expect(matchGlobSegment(escapeGlob('a*b'), 'aXXb')).toBe(false);
  });
});

describe('expandGlob on a real directory tree, checked against dash', () => {
  let dir = '';
  const names = [
    '1',
    '12',
    '123',
    'self',
    '.hidden',
    'a b',
    'star*',
    'q?x',
    'br[x]',
    'eth0',
    'eth1',
    'lo',
    'x@y',
    'under_score',
  ];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dm-glob-'));
    for (const n of names) {
      mkdirSync(join(dir, n));
      writeFileSync(join(dir, n, 'stat'), n);
    }
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'stat'), 'real');
    symlinkSync('real', join(dir, 'link'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const dashExpand = (pattern: string): string[] =>
    execFileSync('dash', ['-c', `for f in ${pattern}; do [ -e "$f" ] && printf '%s\\0' "$f"; done; true`], { cwd: dir })
      .toString('utf8')
      .split('\0')
      .filter((s) => s !== '')
      .sort();

  const patterns = [
    '*/stat',
    '[0-9]*/stat',
    '[0-9]/stat',
    '?/stat',
    '??/stat',
    'eth[0-9]/stat',
    '*[0-9]/stat',
    '.*/stat',
    '[[:alpha:]]*/stat',
    'l*/stat',
    '*@*/stat',
  ];
  it.each(patterns)('%s', async (p) => {
    const ours = (await expandGlob(`${dir}/${p}`, (d) => readdir(d))).map((f) => f.slice(dir.length + 1)).sort();
    // dash leaves the word as is when nothing matches; the [ -e ] filter drops such words and non-existent tails.
    expect(ours.filter((f) => existsSync(join(dir, f)))).toEqual(dashExpand(p));
    expect(ours.length).toBeGreaterThan(0);
  });

  it('follows a symlinked directory in the middle of a pattern', async () => {
    expect(await expandGlob(`${dir}/lin?/stat`, (d) => readdir(d))).toEqual([`${dir}/link/stat`]);
  });
  it('returns a pattern without wildcards unchanged, even when missing', async () => {
    expect(await expandGlob(`${dir}/nope/stat`, (d) => readdir(d))).toEqual([`${dir}/nope/stat`]);
  });
  it('adds nothing for a directory that cannot be listed', async () => {
    expect(await expandGlob(`${dir}/nope/*`, (d) => readdir(d))).toEqual([]);
  });
  it('keeps escaped wildcards literal', async () => {
    expect(await expandGlob(`${dir}/${escapeGlob('star*')}/stat`, (d) => readdir(d))).toEqual([`${dir}/star*/stat`]);
    expect(await expandGlob(`${dir}/${escapeGlob('br[x]')}/*`, (d) => readdir(d))).toEqual([`${dir}/br[x]/stat`]);
  });
  it('rejects a relative pattern', async () => {
    await expect(expandGlob('proc/*', (d) => readdir(d))).rejects.toBeInstanceOf(MonitorError);
  });
});
