// Property tests (fast-check, seeded) for ssh_config reading: arbitrary lines never throw anything but a
// MonitorError, and nothing takes more than linear-ish time on large or pathological input (patterns with many
// `*`, lines of 100 KB of blanks). matchPattern is checked against a plain dynamic-programming oracle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveFromConfigText } from '../../../src/core/transport/sshConfig';
import type { SshEnv } from '../../../src/core/transport/sshEnv';
import { hostPatterns, readSshConfig } from '../../../src/core/transport/sshConfigRead';
import { splitConfigWords, splitKeyword } from '../../../src/core/transport/sshConfigWords';
import { matchPattern, matchPatternList } from '../../../src/core/transport/sshPattern';
import type { ConfigFs } from '../../../src/core/transport/sshConfigRead';
import { MonitorError } from '../../../src/core/errors';

const SEED = 20240907;
const RUNS = 1000;

/** `*` any run, `?` one character: the textbook table over (text prefix, pattern prefix). */
function oracleMatch(text: string, pattern: string): boolean {
  let row = [true, ...Array<boolean>(text.length).fill(false)];
  for (const c of pattern) {
    const next = [c === '*' && row[0], ...Array<boolean>(text.length).fill(false)];
    for (let i = 1; i <= text.length; i++) {
      next[i] = c === '*' ? row[i] || next[i - 1] : row[i - 1] && (c === '?' || c === text[i - 1]);
    }
    row = next;
  }
  return row[text.length];
}

const fs: ConfigFs = { readFile: () => null, glob: () => [] };
const env: SshEnv = { home: '/home/u', user: 'u', sshAuthSock: null, vars: {} };
const ctx = { host: 'myhost', user: null, port: null, localUser: 'u', home: '/home/u' };

/** Throws only a MonitorError, or nothing; resolves within `ms`. */
function survives(fn: () => unknown, ms = 1000): void {
  const started = performance.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof MonitorError)) throw e;
  }
  expect(performance.now() - started).toBeLessThan(ms);
}

const KEYWORDS = [
  'Host',
  'Match',
  'Include',
  'HostName',
  'User',
  'Port',
  'IdentityFile',
  'IdentityAgent',
  'ProxyJump',
  'ProxyCommand',
  'StrictHostKeyChecking',
  'UserKnownHostsFile',
  'IgnoreUnknown',
  'ConnectTimeout',
  'ServerAliveInterval',
  'HostKeyAlias',
  'IdentitiesOnly',
  'Bogus',
];
const word = fc.oneof(
  fc.constantFrom(
    'myhost',
    '*',
    '?',
    '!myhost',
    'all',
    'final',
    'canonical',
    'host',
    'exec',
    'user',
    '%h',
    '%%',
    '%x',
    '~',
    '~/k',
    'none',
    'yes',
    'accept-new',
    '"',
    "'",
    '\\',
    '#',
    '=',
    'a,b',
    '${HOME}',
    '${NOPE}',
    '1m30s',
    '22',
    'u@h:2',
    '[::1]:22',
  ),
  fc.string({ maxLength: 6 }),
);
const line = fc
  .tuple(
    fc.constantFrom('', ' ', '\t'),
    fc.oneof(fc.constantFrom(...KEYWORDS), fc.string({ maxLength: 5 })),
    fc.constantFrom(' ', '=', ' = ', '\t', ''),
    fc.array(word, { maxLength: 4 }),
  )
  .map(([indent, k, sep, words]) => `${indent}${k}${sep}${words.join(' ')}`);
const config = fc.array(line, { maxLength: 14 }).map((l) => l.join('\n'));

describe('ssh config (fuzz)', () => {
  it('matchPattern agrees with the textbook oracle', () => {
    const s = (chars: string[], max: number) =>
      fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(s(['a', 'b', '.', '['], 10), s(['a', 'b', '*', '?', '.', '['], 8), (text, pattern) => {
        expect(matchPattern(text, pattern)).toBe(oracleMatch(text, pattern));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('splitConfigWords gives back any words written in double quotes', () => {
    const w = fc.string({ unit: 'binary', maxLength: 10 }).map((x) => x.replace(/[\r\n]/g, ''));
    fc.assert(
      fc.property(fc.array(w, { maxLength: 5 }), (words) => {
        const text = words.map((x) => `"${x.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(' ');
        expect(splitConfigWords(text)).toEqual(words);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary config text: readSshConfig, resolveFromConfigText and hostPatterns throw nothing but MonitorError', () => {
    fc.assert(
      fc.property(config, (text) => {
        survives(() => readSshConfig([{ path: '/home/u/.ssh/config', text, user: true }], ctx, fs));
        survives(() =>
          resolveFromConfigText(
            text,
            { kind: 'ssh', alias: 'myhost', host: 'myhost', user: null, port: null },
            env,
            fs,
          ),
        );
        survives(() => hostPatterns({ path: '/home/u/.ssh/config', text, user: true }, '/home/u', fs));
        survives(() => splitKeyword(text));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  // Sizes grow step by step, so that a matcher gone exponential or quadratic fails on a small case within a
  // second instead of hanging the suite on a big one.
  it('patterns with many * against long names stay fast (growing, then random sizes)', () => {
    const check = (stars: number, len: number): void => {
      const name = 'a'.repeat(len);
      const pattern = `${'*a'.repeat(stars)}b`;
      survives(() => expect(matchPattern(name, pattern)).toBe(false), 200);
      survives(() => matchPatternList(name, `${pattern},!${pattern}`, true), 200);
      survives(
        () =>
          readSshConfig(
            [{ path: 'c', text: `Host ${pattern}\n  HostName x\nMatch host ${pattern}\n  User y\n`, user: true }],
            { ...ctx, host: name },
            fs,
          ),
        200,
      );
    };
    for (let stars = 1; stars <= 40; stars++) check(stars, 60);
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 250 }), check), {
      seed: SEED,
      numRuns: 60,
    });
  });

  it('lines of up to 100 KB of blanks stay fast (growing sizes)', () => {
    for (const blank of [' ', '\t', ' \t']) {
      for (let size = 1000; size <= 100_000; size *= 2) {
        const pad = blank.repeat(size / blank.length);
        const text = [`Host${pad}x`, `Host x${pad}#`, `ProxyCommand nc${pad}%h${pad}`, `  HostName y${pad}`].join('\n');
        survives(() => readSshConfig([{ path: 'c', text, user: true }], ctx, fs), 300);
        survives(() => splitKeyword(`a${pad}b`), 300);
      }
    }
  });
});
