// The ssh config resolver against OpenSSH itself: for each case, the same file goes to `ssh -G -F FILE` and to
// resolveFromFiles, and every field we use must agree; where ssh refuses the file, we must refuse it too.
// Cases marked `refuse` are ones we deliberately do not follow (Match exec, relative paths): we must refuse
// them with a clear error, never resolve them another way.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFromFiles } from '../../../src/core/transport/sshConfig';
import type { ResolvedSshTarget } from '../../../src/core/transport/sshConfig';
import type { SshEnv } from '../../../src/core/transport/sshEnv';
import { MonitorError } from '../../../src/core/errors';

const hasSsh = spawnSync('ssh', ['-V']).error === undefined;
// ssh expands ~ from the passwd entry, not HOME: resolve with the same home and user.
const me = userInfo();
const env: SshEnv = { home: me.homedir, user: me.username, sshAuthSock: null, vars: {} };
const dir = mkdtempSync(join(tmpdir(), 'dm-sshg-'));
mkdirSync(join(dir, 'conf.d'));

interface Case {
  name: string;
  config: string;
  /** The target as typed: host, and the command line's user and port. */
  host: string;
  user?: string;
  port?: number;
  /** Extra files, relative to `dir`, written before the case runs. */
  files?: Record<string, string>;
  /** We refuse on purpose what ssh accepts (the message must contain this). */
  refuse?: string;
}

const D = dir; // absolute paths inside configs
const CASES: Case[] = [
  { name: 'plain alias', config: 'Host web\n  HostName 192.0.2.1\n  User alice\n  Port 2200\n', host: 'web' },
  {
    name: 'first value wins',
    config: 'Host web\n  User first\nHost *\n  User second\n  Port 1\nHost web\n  Port 2\n',
    host: 'web',
  },
  {
    name: 'command-line user and port win',
    config: 'Host web\n  User alice\n  Port 2200\n',
    host: 'web',
    user: 'bob',
    port: 2201,
  },
  {
    name: '? is exactly one character (Host web? does not match web)',
    config: 'Host web?\n  User wrong\n  HostName wrong.example\n',
    host: 'web',
  },
  { name: '? matches one character', config: 'Host web?\n  User right\n', host: 'web1' },
  { name: '* matches anything, also nothing', config: 'Host web*\n  User star\n', host: 'web' },
  { name: 'negation rules the line out', config: 'Host *.prod !db.prod\n  User ops\n', host: 'db.prod' },
  { name: 'negation leaves the others', config: 'Host *.prod !db.prod\n  User ops\n', host: 'web.prod' },
  { name: 'Host patterns are case-sensitive', config: 'Host web\n  User lower\n', host: 'WEB' },
  { name: 'HostName %h and lower case', config: 'Host web\n  HostName %h.Example.COM\n', host: 'web' },
  { name: 'quoted Host pattern with a space', config: 'Host "with space" other\n  User quoted\n', host: 'other' },
  {
    name: 'quoted UserKnownHostsFile with a space stays one path',
    config: `Host web\n  UserKnownHostsFile "${D}/a b/known hosts" ~/kh2\n`,
    host: 'web',
  },
  {
    name: 'quoted GlobalKnownHostsFile with a space',
    config: `Host web\n  GlobalKnownHostsFile "${D}/g k" /etc/x\n`,
    host: 'web',
  },
  { name: 'single-quoted path', config: `Host web\n  UserKnownHostsFile '${D}/single q'\n`, host: 'web' },
  { name: 'backslash-escaped space', config: `Host web\n  UserKnownHostsFile ${D}/esc\\ aped\n`, host: 'web' },
  {
    name: '# inside a word is not a comment',
    config: `Host web\n  GlobalKnownHostsFile ${D}/x#y  # a comment\n`,
    host: 'web',
  },
  { name: '# at the start of a word ends the line', config: 'Host web # comment\n  User hashed #no\n', host: 'web' },
  { name: 'keyword=value and keyword = value', config: 'Host=web\n  User=eq\n  Port = 2022\n', host: 'web' },
  { name: 'keywords are case-insensitive', config: 'HOST web\n  hOsTnAmE 192.0.2.7\n  USER caps\n', host: 'web' },
  { name: 'tabs and CRLF', config: 'Host web\r\n\tUser tabbed\r\n\tPort\t2023\r\n', host: 'web' },
  {
    name: 'IdentityFile accumulates, duplicates dropped',
    config:
      'Host web\n  IdentityFile ~/.ssh/a\n  IdentityFile ~/.ssh/b\n  IdentityFile ~/.ssh/a\nHost *\n  IdentityFile ~/.ssh/c\n',
    host: 'web',
  },
  { name: 'IdentityFile none', config: 'Host web\n  IdentityFile none\n', host: 'web' },
  { name: 'default IdentityFiles', config: 'Host web\n  User x\n', host: 'web' },
  {
    name: 'IdentityFile tokens',
    config: 'Host web\n  HostName h.example\n  User u1\n  Port 2024\n  IdentityFile ~/.ssh/%r@%h:%p-%n-%u\n',
    host: 'web',
  },
  {
    name: 'IdentitiesOnly and IdentityAgent',
    config: 'Host web\n  IdentitiesOnly yes\n  IdentityAgent ~/agent.sock\n',
    host: 'web',
  },
  { name: 'IdentityAgent none', config: 'Host web\n  IdentityAgent none\n', host: 'web' },
  {
    name: 'UserKnownHostsFile tokens',
    config: 'Host web\n  HostName h.example\n  UserKnownHostsFile ~/.ssh/kh_%h_%p\n',
    host: 'web',
  },
  { name: 'UserKnownHostsFile none', config: 'Host web\n  UserKnownHostsFile none\n', host: 'web' },
  { name: 'StrictHostKeyChecking true', config: 'Host web\n  StrictHostKeyChecking true\n', host: 'web' },
  { name: 'StrictHostKeyChecking accept-new', config: 'Host web\n  StrictHostKeyChecking accept-new\n', host: 'web' },
  { name: 'StrictHostKeyChecking off', config: 'Host web\n  StrictHostKeyChecking off\n', host: 'web' },
  { name: 'StrictHostKeyChecking bogus refused', config: 'Host web\n  StrictHostKeyChecking maybe\n', host: 'web' },
  {
    name: 'HashKnownHosts and HostKeyAlias',
    config: 'Host web\n  HashKnownHosts yes\n  HostKeyAlias webkey\n',
    host: 'web',
  },
  {
    name: 'ConnectTimeout and ServerAliveInterval with units',
    config: 'Host web\n  ConnectTimeout 1m30s\n  ServerAliveInterval 15\n',
    host: 'web',
  },
  { name: 'ProxyJump', config: 'Host web\n  ProxyJump bob@j1:2022,j2\n', host: 'web' },
  {
    name: 'ProxyCommand none before ProxyJump',
    config: 'Host web\n  ProxyCommand none\n  ProxyJump j1\n',
    host: 'web',
  },
  { name: 'ProxyJump none', config: 'Host web\n  ProxyJump none\nHost *\n  ProxyJump j1\n', host: 'web' },
  { name: 'misspelt keyword refuses the file', config: 'Host web\n  User x\nHost other\n  Usr y\n', host: 'web' },
  {
    name: 'IgnoreUnknown before an unknown keyword',
    config: 'IgnoreUnknown Frobnicate\nHost web\n  Frobnicate yes\n  User ok\n',
    host: 'web',
  },
  { name: 'unterminated quote refuses the file', config: 'Host web\n  UserKnownHostsFile "/tmp/x\n', host: 'web' },
  { name: 'extra arguments refuse the file', config: 'Host web\n  User a b\n', host: 'web' },
  {
    name: 'Match host (after HostName)',
    config: 'Host web\n  HostName real.example\nMatch host real.example\n  User matched\n',
    host: 'web',
  },
  {
    name: 'Match originalhost',
    config: 'Host web\n  HostName real.example\nMatch originalhost web\n  Port 2025\n',
    host: 'web',
  },
  { name: 'Match !host', config: 'Match !host web\n  User notweb\nHost *\n  User web\n', host: 'web' },
  { name: 'Match user', config: 'Host web\n  User deploy\nMatch user deploy\n  Port 2026\n', host: 'web' },
  { name: 'Match all', config: 'Match all\n  User everyone\n', host: 'web' },
  {
    name: 'Match final',
    config: 'Host web\n  HostName final.example\nMatch final host final.example\n  User finaluser\n',
    host: 'web',
  },
  {
    name: 'Match canonical (no canonicalisation: only the final pass)',
    config: 'Match canonical\n  User canon\nMatch final\n  Port 2027\n',
    host: 'web',
  },
  {
    name: 'Match exec is refused, not run',
    config: 'Match exec "true"\n  User exec\n',
    host: 'web',
    refuse: 'Match exec is not supported',
  },
  {
    name: 'Match exec skipped when an earlier criterion fails',
    config: 'Match host nomatch exec "true"\n  User exec\n',
    host: 'web',
  },
  {
    name: 'Include inside a Host block applies only there',
    config: `Host web\n  Include ${D}/conf.d/inc-user.conf\nHost other\n  User other\n`,
    host: 'web',
    files: { 'conf.d/inc-user.conf': 'User included\n' },
  },
  {
    name: 'Include inside a non-matching Host block does nothing',
    config: `Host nomatch\n  Include ${D}/conf.d/inc-user.conf\nHost *\n  User star\n`,
    host: 'web',
    files: { 'conf.d/inc-user.conf': 'User included\n' },
  },
  {
    name: 'top-level lines after an Include whose file ends in a Host block',
    config: `Include ${D}/conf.d/ends-in-host.conf\nUser toplevel\n`,
    host: 'web',
    files: { 'conf.d/ends-in-host.conf': 'Host elsewhere\n  Port 9\n' },
  },
  {
    name: 'Include glob, sorted, and a quoted Include path with a space',
    config: `Include ${D}/conf.d/g*.conf "${D}/conf.d/with space.conf"\n`,
    host: 'web',
    files: {
      'conf.d/g2.conf': 'Host web\n  Port 2028\n',
      'conf.d/g1.conf': 'Host web\n  User globbed\n',
      'conf.d/with space.conf': 'Host web\n  HostName spaced.example\n',
    },
  },
  {
    name: 'Include of a missing file',
    config: `Include ${D}/conf.d/missing.conf\nHost web\n  User after\n`,
    host: 'web',
  },
  {
    name: 'RevokedHostKeys with ~ and %h',
    config: 'Host web\n  HostName Rev.Example\n  RevokedHostKeys ~/.ssh/revoked-%h\n',
    host: 'web',
  },
  {
    name: 'RevokedHostKeys none',
    config: 'Host web\n  RevokedHostKeys none\nHost *\n  RevokedHostKeys /etc/ssh/revoked\n',
    host: 'web',
  },
  {
    name: 'RevokedHostKeys first value wins',
    config: 'Host *\n  RevokedHostKeys /etc/ssh/first\n  RevokedHostKeys /etc/ssh/second\n',
    host: 'web',
  },
  {
    name: 'relative IdentityFile refused',
    config: 'Host web\n  IdentityFile rel/key\n',
    host: 'web',
    refuse: 'relative path',
  },
];

type Fields = Record<string, string>;

/** What `ssh -G` prints for the fields we use; null when ssh refuses the file. */
function sshG(file: string, c: Case): { fields: Fields; error: string } {
  const args = ['-G', '-F', file];
  if (c.user !== undefined) args.push('-l', c.user);
  if (c.port !== undefined) args.push('-p', String(c.port));
  const r = spawnSync('ssh', [...args, c.host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const fields: Fields = {};
  if (r.status !== 0) return { fields, error: r.stderr };
  for (const line of r.stdout.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const k = line.slice(0, sp);
    const v = line.slice(sp + 1);
    fields[k] = k === 'identityfile' && fields[k] !== undefined ? `${fields[k]}\n${v}` : v;
  }
  return { fields, error: '' };
}

/** ssh -G's identityfile lines are as written: expand ~ and the tokens the cases use, independently of the code. */
function expandLikeSsh(p: string, f: Fields, host: string): string {
  const tokens: Record<string, string> = {
    h: f.hostname,
    p: f.port,
    r: f.user,
    n: host,
    u: me.username,
    d: me.homedir,
    '%': '%',
  };
  return p.replace(/^~(?=\/|$)/, me.homedir).replace(/%(.)/g, (_, t: string) => tokens[t] ?? `%${t}`);
}

function strictOf(r: ResolvedSshTarget, raw: string): string {
  // ssh -G prints yes as true and no/off as false; we keep accept-new apart from no in behaviour only.
  if (r.refuseUnknown) return 'true';
  if (r.acceptNew) return raw === 'accept-new' ? 'accept-new' : 'false';
  return 'ask';
}

describe.skipIf(!hasSsh)('ssh config resolution agrees with `ssh -G` (needs openssh-client)', () => {
  it('has a battery of at least 50 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  for (const [i, c] of CASES.entries()) {
    it(c.name, () => {
      for (const [rel, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, rel), text);
      const file = join(dir, `case-${i}.conf`);
      writeFileSync(file, c.config);
      const oracle = sshG(file, c);
      let ours: ResolvedSshTarget | null = null;
      let ourError: MonitorError | null = null;
      try {
        ours = resolveFromFiles(
          [{ path: file, user: true }],
          {
            kind: 'ssh',
            alias: c.user === undefined && c.port === undefined ? c.host : null,
            host: c.host,
            user: c.user ?? null,
            port: c.port ?? null,
          },
          env,
        );
      } catch (e) {
        if (!(e instanceof MonitorError)) throw e;
        ourError = e;
      }
      if (c.refuse !== undefined) {
        expect(ourError?.message).toContain(c.refuse);
        expect(ourError?.message).toMatch(/line \d+|ssh config for/);
        return;
      }
      if (oracle.error !== '') {
        // ssh refused the file: so must we, and say where.
        expect(ourError, `ssh said: ${oracle.error.trim()}`).not.toBeNull();
        expect(ourError!.code).toBe('bad-argument');
        return;
      }
      expect(ourError, ourError?.message).toBeNull();
      const f = oracle.fields;
      const r = ours!;
      expect(r.host).toBe(f.hostname);
      expect(r.user).toBe(f.user);
      expect(String(r.port)).toBe(f.port);
      const ids = (f.identityfile ?? '').split('\n').filter((s) => s !== '' && s !== 'none');
      expect(r.identityFiles).toEqual(ids.map((p) => expandLikeSsh(p, f, c.host)));
      expect(r.identitiesOnly ? 'yes' : 'no').toBe(f.identitiesonly);
      expect(r.knownHostsFiles.join(' ')).toBe(f.userknownhostsfile === 'none' ? '' : f.userknownhostsfile);
      expect(r.globalKnownHostsFiles.join(' ')).toBe(f.globalknownhostsfile === 'none' ? '' : f.globalknownhostsfile);
      expect(strictOf(r, f.stricthostkeychecking)).toBe(f.stricthostkeychecking);
      expect(r.hashKnownHosts ? 'yes' : 'no').toBe(f.hashknownhosts);
      expect(r.hostKeyAlias ?? undefined).toBe(f.hostkeyalias);
      expect(r.connectTimeoutMs === null ? 'none' : String(r.connectTimeoutMs / 1000)).toBe(f.connecttimeout);
      expect(String((r.serverAliveIntervalMs ?? 0) / 1000)).toBe(f.serveraliveinterval);
      expect(r.revokedHostKeys).toBe(
        f.revokedhostkeys === undefined ? undefined : expandLikeSsh(f.revokedhostkeys, f, c.host),
      );
      if (f.identityagent !== undefined)
        expect(r.agentSocket ?? 'none').toBe(f.identityagent === 'none' ? 'none' : f.identityagent);
      expect(f.proxycommand).toBeUndefined(); // no case uses a real ProxyCommand
      const jumps = r.jump.map((j) => `${j.host}:${j.port}`).join(',');
      if (f.proxyjump === undefined) expect(jumps).toBe('');
      else expect(r.jump.length).toBe(f.proxyjump.split(',').length);
    });
  }
});
