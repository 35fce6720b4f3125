// known_hosts verdicts with OpenSSH as the oracle (issue 9 §1): for each case, the same known_hosts files and
// the same ssh config are given to our transport and to the real `ssh -o BatchMode=yes kt true` against the test
// sshd, each in a folder of its own, and the outcomes must be equal: connects, refused as changed, refused as
// unknown, refused as revoked, and under accept-new whether (and what) was written. Key types and the quoted path
// with a space are in hostKeyTypes.test.ts; this battery covers names, patterns, hashes, markers and files.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import { MonitorError } from '../../src/core/errors';
import { SSHD_DIR, SSH_PORT, sshReady, sshSkipReason } from './env';

const CLIENT_KEY = `${SSHD_DIR}/client_ed25519`;
const hasEcdsa = existsSync(`${SSHD_DIR}/host_ecdsa.pub`);

type Mode = 'yes' | 'accept-new' | 'no';
/**
 * ok: connected; ok+written: connected and the first UserKnownHostsFile changed; else why it was refused
 * (refused: the config or a file it names was refused before any key was looked at).
 */
type Outcome = 'ok' | 'ok+written' | 'changed' | 'unknown' | 'revoked' | 'refused';
type Want = Record<Mode, Outcome>;
const all = (o: Outcome): Want => ({ yes: o, 'accept-new': o, no: o });
const OK = all('ok');
const CHANGED = all('changed');
const REVOKED = all('revoked');
const REFUSED = all('refused');
/** An unknown host: refused under `yes`, added (and connected) under accept-new and no. */
const NEW: Want = { yes: 'unknown', 'accept-new': 'ok+written', no: 'ok+written' };

interface Keys {
  /** The test sshd's host keys, and two keys it does not hold, each as `type base64`. */
  ED: string;
  EC: string;
  OTHER_ED: string;
  OTHER_EC: string;
  P: number;
  /** `[127.0.0.1]:PORT`, the name ssh looks up for this host. */
  HP: string;
  /** The line `ssh-keygen -H` makes of `name key`. */
  hashed: (name: string, key: string) => string;
}

interface Case {
  name: string;
  /** The UserKnownHostsFile files, in order; null: a file that does not exist. */
  user: (k: Keys) => Array<string | null>;
  /** GlobalKnownHostsFile contents (else `none`). */
  global?: (k: Keys) => string;
  /** ssh config lines, before the others in the Host block (so they win); FILE: the path of `file`'s file. */
  extra?: string[];
  /** Contents of one more file (RevokedHostKeys, a KRL, a KnownHostsCommand's list), at FILE in `extra`. */
  file?: (k: Keys, path: string) => string | Buffer;
  /** OpenSSH's outcome in each mode; ours must equal it, unless `deliberate`. */
  want: Want;
  /** Where we refuse on purpose what OpenSSH accepts: our outcome, and the error text that says why. */
  deliberate?: { ours: Outcome; why: RegExp };
}

function hashWithSalt(salt: Buffer, name: string): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

function pub(file: string): string {
  return readFileSync(file, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

function makeKeys(): Keys {
  const dir = mkdtempSync(join(tmpdir(), 'dm-khoracle-keys-'));
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'oed')]);
  spawnSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', '', '-f', join(dir, 'oec')]);
  let n = 0;
  return {
    ED: pub(`${SSHD_DIR}/host_ed25519.pub`),
    EC: pub(`${SSHD_DIR}/host_ecdsa.pub`),
    OTHER_ED: pub(join(dir, 'oed.pub')),
    OTHER_EC: pub(join(dir, 'oec.pub')),
    P: SSH_PORT,
    HP: `[127.0.0.1]:${SSH_PORT}`,
    hashed: (name, key) => {
      const f = join(dir, `h${n++}`);
      writeFileSync(f, `${name} ${key}\n`);
      const r = spawnSync('ssh-keygen', ['-H', '-f', f], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ssh-keygen -H: ${r.stderr}`);
      const line = readFileSync(f, 'utf8').trim();
      expect(line).toMatch(/^\|1\|[^|]+\|[^ ]+ /);
      return line;
    },
  };
}

const CASES: Case[] = [
  // Names
  { name: 'a plain [127.0.0.1]:PORT entry', user: (k) => [`${k.HP} ${k.ED}\n`], want: OK },
  { name: 'both host keys listed', user: (k) => [`${k.HP} ${k.EC}\n${k.HP} ${k.ED}\n`], want: OK },
  {
    name: 'a bare 127.0.0.1 entry (the port-22 name) for a non-22 port',
    user: (k) => [`127.0.0.1 ${k.ED}\n`],
    want: OK,
  },
  { name: 'a bare 127.0.0.1 entry holding another key', user: (k) => [`127.0.0.1 ${k.OTHER_ED}\n`], want: NEW },
  { name: 'a bare 127.0.0.1 entry holding the ECDSA key only', user: (k) => [`127.0.0.1 ${k.EC}\n`], want: NEW },
  {
    name: 'a bare 127.0.0.1 entry holding the key, and another key for [127.0.0.1]:PORT',
    user: (k) => [`127.0.0.1 ${k.ED}\n${k.HP} ${k.OTHER_ED}\n`],
    want: CHANGED,
  },
  {
    name: 'an entry for another port of the same address',
    user: (k) => [`[127.0.0.1]:${k.P + 1} ${k.ED}\n`],
    want: NEW,
  },
  {
    name: 'an entry for another port holding another key',
    user: (k) => [`[127.0.0.1]:${k.P + 1} ${k.OTHER_ED}\n`],
    want: NEW,
  },
  { name: 'several names on one line', user: (k) => [`name1.example,${k.HP} ${k.ED}\n`], want: OK },
  {
    name: 'several names on one line, another key',
    user: (k) => [`name1.example,${k.HP} ${k.OTHER_ED}\n`],
    want: CHANGED,
  },
  { name: 'a line with a trailing comment', user: (k) => [`${k.HP} ${k.ED} root@somewhere with spaces\n`], want: OK },
  {
    name: 'leading blanks and tabs between fields',
    user: (k) => [`   ${k.HP}\t${k.ED.replace(' ', '\t ')}\n`],
    want: OK,
  },
  // Hashed
  { name: 'a hashed [127.0.0.1]:PORT entry', user: (k) => [`${k.hashed(k.HP, k.ED)}\n`], want: OK },
  { name: 'a hashed bare 127.0.0.1 entry', user: (k) => [`${k.hashed('127.0.0.1', k.ED)}\n`], want: OK },
  { name: 'a hashed entry holding another key', user: (k) => [`${k.hashed(k.HP, k.OTHER_ED)}\n`], want: CHANGED },
  { name: 'a hashed entry of another host only', user: (k) => [`${k.hashed('other.example', k.ED)}\n`], want: NEW },
  // Patterns
  { name: 'a wildcard [127.0.0.*]:PORT', user: (k) => [`[127.0.0.*]:${k.P} ${k.ED}\n`], want: OK },
  { name: 'a ? wildcard [127.0.0.?]:PORT', user: (k) => [`[127.0.0.?]:${k.P} ${k.ED}\n`], want: OK },
  { name: 'a * entry', user: (k) => [`* ${k.ED}\n`], want: OK },
  { name: 'a * entry holding another key', user: (k) => [`* ${k.OTHER_ED}\n`], want: CHANGED },
  {
    name: 'a negated !127.0.0.1,* (the bare name does not cover the port)',
    user: (k) => [`!127.0.0.1,* ${k.ED}\n`],
    want: OK,
  },
  { name: 'a negated ![127.0.0.1]:PORT,*', user: (k) => [`![127.0.0.1]:${k.P},* ${k.ED}\n`], want: OK },
  {
    name: 'a negated line before a plain one',
    user: (k) => [`![127.0.0.1]:${k.P},* ${k.OTHER_ED}\n${k.HP} ${k.ED}\n`],
    want: OK,
  },
  // Markers
  { name: '@revoked on the presented key', user: (k) => [`@revoked ${k.HP} ${k.ED}\n`], want: REVOKED },
  {
    name: '@revoked * on the presented key, with a plain line for it',
    user: (k) => [`@revoked * ${k.ED}\n${k.HP} ${k.ED}\n`],
    want: REVOKED,
  },
  {
    name: '@revoked on another key, with a plain line for the presented one',
    user: (k) => [`@revoked ${k.HP} ${k.OTHER_ED}\n${k.HP} ${k.ED}\n`],
    want: OK,
  },
  {
    name: '@revoked on the ED25519 key, host known by ECDSA',
    user: (k) => [`@revoked ${k.HP} ${k.ED}\n${k.HP} ${k.EC}\n`],
    want: OK,
  },
  {
    name: '@revoked for another host name on the presented key',
    user: (k) => [`@revoked other.example ${k.ED}\n${k.HP} ${k.ED}\n`],
    want: OK,
    deliberate: {
      ours: 'revoked',
      why: /@revoked in \S+ line 1 for other\.example, not for \[127\.0\.0\.1\]:\d+; a revoked key is refused for every host/,
    },
  },
  {
    name: '@revoked for the bare 127.0.0.1 on the presented key, and a plain [127.0.0.1]:PORT line',
    user: (k) => [`@revoked 127.0.0.1 ${k.ED}\n${k.HP} ${k.ED}\n`],
    want: OK,
    deliberate: { ours: 'revoked', why: /@revoked in \S+ line 1 for 127\.0\.0\.1, not for \[127\.0\.0\.1\]:\d+/ },
  },
  {
    name: '@revoked for a hashed other name on the presented key',
    user: (k) => [`@revoked ${k.hashed('other.example', k.ED)}\n${k.HP} ${k.ED}\n`],
    want: OK,
    deliberate: { ours: 'revoked', why: /@revoked in \S+ line 1 for a hashed name, not for \[127\.0\.0\.1\]:\d+/ },
  },
  {
    name: '@revoked for the bare 127.0.0.1 on the presented key, alone',
    user: (k) => [`@revoked 127.0.0.1 ${k.ED}\n`],
    want: REVOKED,
  },
  {
    name: 'an upper-case @REVOKED marker (not a marker: the line is skipped)',
    user: (k) => [`@REVOKED ${k.HP} ${k.ED}\n`],
    want: NEW,
  },
  {
    name: '@cert-authority with the key, and a plain line with another key',
    user: (k) => [`@cert-authority ${k.HP} ${k.ED}\n${k.HP} ${k.OTHER_ED}\n`],
    want: CHANGED,
  },
  {
    name: '@revoked on the ECDSA key of a host known by both',
    user: (k) => [`${k.HP} ${k.EC}\n${k.HP} ${k.ED}\n@revoked ${k.HP} ${k.EC}\n`],
    want: OK,
  },
  {
    name: '@cert-authority with another key only',
    user: (k) => [`@cert-authority ${k.HP} ${k.OTHER_ED}\n`],
    want: NEW,
  },
  { name: '@cert-authority with the host key only', user: (k) => [`@cert-authority ${k.HP} ${k.ED}\n`], want: NEW },
  {
    name: '@cert-authority * with another key, and a plain line',
    user: (k) => [`@cert-authority * ${k.OTHER_ED}\n${k.HP} ${k.ED}\n`],
    want: OK,
  },
  { name: 'an unknown @marker line holding the key', user: (k) => [`@bogus ${k.HP} ${k.ED}\n`], want: NEW },
  // Keys
  { name: 'a different key of the same type', user: (k) => [`${k.HP} ${k.OTHER_ED}\n`], want: CHANGED },
  {
    name: 'a different key and then the right one',
    user: (k) => [`${k.HP} ${k.OTHER_ED}\n${k.HP} ${k.ED}\n`],
    want: OK,
  },
  {
    name: 'different keys of both types',
    user: (k) => [`${k.HP} ${k.OTHER_ED}\n${k.HP} ${k.OTHER_EC}\n`],
    want: CHANGED,
  },
  // Files
  { name: 'the key in a second UserKnownHostsFile', user: (k) => ['', `${k.HP} ${k.ED}\n`], want: OK },
  { name: 'another key in a second UserKnownHostsFile', user: (k) => ['', `${k.HP} ${k.OTHER_ED}\n`], want: CHANGED },
  { name: 'a first UserKnownHostsFile that does not exist', user: () => [null], want: NEW },
  { name: 'GlobalKnownHostsFile holding the key', user: () => [''], global: (k) => `${k.HP} ${k.ED}\n`, want: OK },
  {
    name: 'GlobalKnownHostsFile holding another key',
    user: () => [''],
    global: (k) => `${k.HP} ${k.OTHER_ED}\n`,
    want: CHANGED,
  },
  {
    name: 'another key in the user file, the key in the global file',
    user: (k) => [`${k.HP} ${k.OTHER_ED}\n`],
    global: (k) => `${k.HP} ${k.ED}\n`,
    want: OK,
  },
  // HostKeyAlias
  {
    name: 'HostKeyAlias with an entry for the alias',
    extra: ['HostKeyAlias kalias'],
    user: (k) => [`kalias ${k.ED}\n`],
    want: OK,
  },
  {
    name: 'HostKeyAlias with an entry for the address only',
    extra: ['HostKeyAlias kalias'],
    user: (k) => [`${k.HP} ${k.ED}\n`],
    want: NEW,
  },
  {
    name: 'HostKeyAlias with a [alias]:PORT entry',
    extra: ['HostKeyAlias kalias'],
    user: (k) => [`[kalias]:${k.P} ${k.ED}\n`],
    want: NEW,
  },
  {
    name: 'HostKeyAlias with a hashed alias entry',
    extra: ['HostKeyAlias kalias'],
    user: (k) => [`${k.hashed('kalias', k.ED)}\n`],
    want: OK,
  },
  {
    name: 'HostKeyAlias with another key for the alias',
    extra: ['HostKeyAlias kalias'],
    user: (k) => [`kalias ${k.OTHER_ED}\n`],
    want: CHANGED,
  },
  // Text
  {
    name: 'comments and blank lines, one a commented-out other key',
    user: (k) => [`# known hosts\n\n#${k.HP} ${k.OTHER_ED}\n   \n${k.HP} ${k.ED}\n`],
    want: OK,
  },
  {
    name: 'a malformed line before the good one',
    user: (k) => [`${k.HP} ssh-ed25519 not*base64\n${k.HP}\n${k.HP} ssh-rsa ${k.ED.split(' ')[1]}\n${k.HP} ${k.ED}\n`],
    want: OK,
  },
  {
    name: 'malformed lines only',
    user: (k) => [`${k.HP} ssh-ed25519 not*base64\n${k.HP} ssh-rsa ${k.ED.split(' ')[1]}\n`],
    want: NEW,
  },
  { name: 'CRLF line ends', user: (k) => [`# x\r\n${k.HP} ${k.ED}\r\n`], want: OK },
  { name: 'an entry written 127.0.0.1:PORT, without brackets', user: (k) => [`127.0.0.1:${k.P} ${k.ED}\n`], want: NEW },
  // OpenSSH compares a hashed field whole: a hashed name followed by `,name` names nobody.
  {
    name: 'a hashed name followed by a comma and a plain name, another key',
    user: (k) => [`${k.hashed(k.HP, k.OTHER_ED).replace(' ', `,${k.HP} `)}\n`],
    want: NEW,
  },
  {
    name: 'a hashed name followed by a comma and a plain name, the key',
    user: (k) => [`${k.hashed(k.HP, k.ED).replace(' ', `,${k.HP} `)}\n`],
    want: NEW,
  },
  {
    name: 'a hashed name with a 3-byte salt (OpenSSH takes 20 bytes only)',
    user: (k) => [`${hashWithSalt(Buffer.from('abc'), k.HP)} ${k.ED}\n`],
    want: NEW,
  },
  {
    name: 'a hashed name with a 20-byte salt made here',
    user: (k) => [`${hashWithSalt(Buffer.alloc(20, 7), k.HP)} ${k.ED}\n`],
    want: OK,
  },
  // HostKeyAlias in upper case: OpenSSH lower-cases the host name but takes the alias as written.
  {
    name: 'HostKeyAlias KAlias with a plain kalias entry',
    extra: ['HostKeyAlias KAlias'],
    user: (k) => [`kalias ${k.ED}\n`],
    want: OK,
  },
  {
    name: 'HostKeyAlias KAlias with an entry hashed from KAlias',
    extra: ['HostKeyAlias KAlias'],
    user: (k) => [`${k.hashed('KAlias', k.ED)}\n`],
    want: OK,
  },
  {
    name: 'HostKeyAlias KAlias with an entry hashed from kalias',
    extra: ['HostKeyAlias KAlias'],
    user: (k) => [`${k.hashed('kalias', k.ED)}\n`],
    want: OK,
  },
  { name: 'HostKeyAlias KAlias, unknown', extra: ['HostKeyAlias KAlias'], user: () => [''], want: NEW },
  // Options
  { name: 'UserKnownHostsFile none, unknown host', user: () => [], want: all('unknown') },
  {
    name: 'UserKnownHostsFile none, the key in the global file',
    user: () => [],
    global: (k) => `${k.HP} ${k.ED}\n`,
    want: OK,
  },
  {
    name: 'RevokedHostKeys listing the presented key',
    extra: ['RevokedHostKeys FILE'],
    file: (k) => `# revoked\n${k.ED} old key\n`,
    user: (k) => [`${k.HP} ${k.ED}\n`],
    want: REVOKED,
  },
  {
    name: 'RevokedHostKeys listing another key',
    extra: ['RevokedHostKeys FILE'],
    file: (k) => `${k.OTHER_ED}\n`,
    user: (k) => [`${k.HP} ${k.ED}\n`],
    want: OK,
  },
  {
    name: 'RevokedHostKeys naming a file that does not exist',
    extra: ['RevokedHostKeys FILE.missing'],
    file: () => '',
    user: (k) => [`${k.HP} ${k.ED}\n`],
    want: REFUSED,
  },
  {
    name: 'RevokedHostKeys as a binary KRL of another key',
    extra: ['RevokedHostKeys FILE'],
    file: (k, path) => krl(k.OTHER_ED, path),
    user: (k) => [`${k.HP} ${k.ED}\n`],
    want: OK,
    deliberate: { ours: 'refused', why: /RevokedHostKeys \S+ is a binary KRL, which Docker Monitor cannot read/ },
  },
  {
    name: 'KnownHostsCommand listing the key',
    extra: ['KnownHostsCommand /bin/cat FILE'],
    file: (k) => `${k.HP} ${k.ED}\n`,
    user: () => [''],
    want: OK,
    deliberate: {
      ours: 'refused',
      why: /KnownHostsCommand is not supported \(Docker Monitor does not run commands from an ssh config\)/,
    },
  },
  {
    name: 'CheckHostIP yes (the host is an address)',
    extra: ['CheckHostIP yes'],
    user: (k) => [`${k.HP} ${k.ED}\n`],
    want: OK,
  },
  { name: 'CheckHostIP yes with an unknown host', extra: ['CheckHostIP yes'], user: () => [''], want: NEW },
  { name: 'HashKnownHosts yes with an unknown host', extra: ['HashKnownHosts yes'], user: () => [''], want: NEW },
];

const MODES: Mode[] = ['yes', 'accept-new', 'no'];

/** A binary KRL (`ssh-keygen -k`) revoking `key`, written next to `path`. */
function krl(key: string, path: string): Buffer {
  writeFileSync(`${path}.pub`, `${key}\n`);
  const r = spawnSync('ssh-keygen', ['-q', '-k', '-f', `${path}.krl`, `${path}.pub`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen -k: ${r.stderr}`);
  return readFileSync(`${path}.krl`);
}

/** A folder with the known_hosts files and a config for alias `kt` to the test sshd. */
function setup(c: Case, k: Keys, mode: Mode): { dir: string; config: string; user: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'dm-khoracle-'));
  const user = c.user(k).map((text, i) => {
    const f = join(dir, `known_hosts${i}`);
    if (text !== null) writeFileSync(f, text);
    return f;
  });
  let global = 'none';
  if (c.global) {
    global = join(dir, 'global_known_hosts');
    writeFileSync(global, c.global(k));
  }
  const file = join(dir, 'extra_file');
  if (c.file) writeFileSync(file, c.file(k, file));
  const config = join(dir, 'config');
  writeFileSync(
    config,
    'Host kt\n' +
      (c.extra ?? []).map((l) => `  ${l.replace('FILE', file)}\n`).join('') +
      `  HostName 127.0.0.1\n  Port ${k.P}\n  User root\n  IdentityFile ${CLIENT_KEY}\n  IdentitiesOnly yes\n  IdentityAgent none\n` +
      `  UserKnownHostsFile ${user.length > 0 ? user.map((f) => `"${f}"`).join(' ') : 'none'}\n  GlobalKnownHostsFile ${global}\n` +
      `  StrictHostKeyChecking ${mode}\n  CheckHostIP no\n  HashKnownHosts no\n  UpdateHostKeys no\n`,
  );
  return { dir, config, user };
}

function read(f: string | undefined): string | null {
  if (f === undefined) return null;
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return null;
  }
}

async function ours(s: {
  dir: string;
  config: string;
  user: string[];
}): Promise<{ outcome: string; message?: string }> {
  const before = read(s.user[0]);
  try {
    const t = await openTransport(parseTarget('kt'), { home: s.dir, sshConfigPath: s.config });
    await t.close();
  } catch (e) {
    if (!(e instanceof MonitorError)) throw e;
    if (e.code === 'host-key-changed')
      return { outcome: /revoked/.test(e.message) ? 'revoked' : 'changed', message: e.message };
    if (e.code === 'host-key-unknown') return { outcome: 'unknown', message: e.message };
    if (e.code === 'bad-argument') return { outcome: 'refused', message: e.message };
    return { outcome: `error ${e.code}: ${e.message}`, message: e.message };
  }
  return { outcome: read(s.user[0]) === before ? 'ok' : 'ok+written' };
}

function openssh(s: { config: string; user: string[] }): string {
  const before = read(s.user[0]);
  const r = spawnSync('ssh', ['-F', s.config, '-o', 'BatchMode=yes', 'kt', 'true'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15_000,
  });
  if (/REVOKED HOST KEY|revoked by file/.test(r.stderr)) return 'revoked';
  if (/in revoked keys file/.test(r.stderr)) return 'refused';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(r.stderr)) return 'changed';
  if (r.status === 0) return read(s.user[0]) === before ? 'ok' : 'ok+written';
  if (/Host key verification failed/.test(r.stderr)) return 'unknown';
  return `error: ${r.stderr.trim()}`;
}

/** The written file less its first `lines` lines. */
function added(f: string, before: string | null): string[] {
  const now = (read(f) ?? '').split('\n').filter(Boolean);
  return now.slice((before ?? '').split('\n').filter(Boolean).length);
}

describe.skipIf(!sshReady || !hasEcdsa)(`known_hosts verdicts equal OpenSSH's (${sshSkipReason})`, () => {
  let k: Keys;
  beforeAll(() => {
    k = makeKeys();
  });

  for (const c of CASES) {
    for (const mode of MODES) {
      it(`${c.name}, StrictHostKeyChecking ${mode}`, async () => {
        const a = setup(c, k, mode);
        const b = setup(c, k, mode);
        const initial = read(a.user[0]);
        const mine = await ours(a);
        const theirs = openssh(b);
        expect(theirs).toBe(c.want[mode]);
        if (c.deliberate) {
          expect(mine.outcome).toBe(c.deliberate.ours);
          expect(mine.message).toMatch(c.deliberate.why);
          return;
        }
        expect(mine.outcome).toBe(theirs);
        if (mine.outcome === 'ok+written') {
          // One line each, for the same name (hashed or not), that the other side then accepts in strict mode.
          const mineAdded = added(a.user[0], initial);
          const theirsAdded = added(b.user[0], initial);
          expect(mineAdded).toHaveLength(theirsAdded.length);
          if (!/\|1\|/.test(theirsAdded.join('\n'))) expect(mineAdded).toEqual(theirsAdded);
          else expect(mineAdded.every((l) => l.startsWith('|1|'))).toBe(true);
          writeFileSync(
            a.config,
            readFileSync(a.config, 'utf8').replace(/StrictHostKeyChecking \S+/, 'StrictHostKeyChecking yes'),
          );
          writeFileSync(
            b.config,
            readFileSync(b.config, 'utf8').replace(/StrictHostKeyChecking \S+/, 'StrictHostKeyChecking yes'),
          );
          expect(openssh(a)).toBe('ok'); // OpenSSH accepts what we wrote
          expect((await ours(b)).outcome).toBe('ok'); // and we accept what OpenSSH wrote
        }
      }, 40_000);
    }
  }
});
