// ~/.ssh/config resolution, checked by hand and against OpenSSH's own reading of the same text (`ssh -G`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUserHostPort, resolveFromConfigText, resolveSshTarget } from '../../../src/core/transport/sshConfig';
import type { SshTargetSpec } from '../../../src/core/transport/sshConfig';
import type { SshEnv } from '../../../src/core/transport/sshEnv';
import { MonitorError } from '../../../src/core/errors';

const env: SshEnv = {
  home: '/home/tester',
  user: 'tester',
  sshAuthSock: '/run/agent.sock',
  vars: { MYAGENT: '/run/other.sock' },
};
const spec = (host: string, user: string | null = null, port: number | null = null): SshTargetSpec => ({
  kind: 'ssh',
  alias: user === null && port === null ? host : null,
  host,
  user,
  port,
});

const CONFIG = `
# A realistic config: specific hosts first, defaults under Host * last.
Host dmtest
  HostName 127.0.0.1
  Port 2222
  User root
  IdentityFile ~/.ssh/dm_ed25519
  IdentityFile /keys/dm_rsa
  UserKnownHostsFile ~/.ssh/dm_known_hosts
  StrictHostKeyChecking accept-new

Host web
  User alice
  IdentityFile ~/.ssh/%r@%h

Host *.prod !db.prod
  Port 2200
  StrictHostKeyChecking yes

Host target
  HostName 10.1.1.1
  ProxyJump j1,bob@j2:2022

Host j1
  HostName 10.0.0.1
  User jumper
  ProxyJump j0

Host j0
  HostName 10.0.0.254

Host loop1
  ProxyJump loop2
Host loop2
  ProxyJump loop1

Host agentless
  IdentityAgent none
Host otheragent
  IdentityAgent $MYAGENT
Host pathagent
  IdentityAgent ~/.agent.sock
Host proxied
  ProxyCommand nc %h %p
Host evil
  HostName $(id)

Host *
  User bob
  Port 2022
  IdentityFile %d/.ssh/common
  IdentitiesOnly yes
`;

const resolve = (s: SshTargetSpec, text = CONFIG) => resolveFromConfigText(text, s, env);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MonitorError) return e.code;
    throw e;
  }
  return undefined;
}

describe('resolveFromConfigText', () => {
  it('resolves an alias: HostName, Port, User, IdentityFiles with ~, known_hosts, StrictHostKeyChecking', () => {
    const r = resolve(spec('dmtest'));
    expect(r).toMatchObject({
      alias: 'dmtest',
      host: '127.0.0.1',
      port: 2222,
      user: 'root',
      identityFiles: ['/home/tester/.ssh/dm_ed25519', '/keys/dm_rsa', '/home/tester/.ssh/common'],
      defaultIdentityFiles: false,
      identitiesOnly: true,
      agentSocket: '/run/agent.sock',
      knownHostsFiles: ['/home/tester/.ssh/dm_known_hosts'],
      acceptNew: true,
      refuseUnknown: false,
      jump: [],
    });
  });

  it('keeps the first value of single-valued options and accumulates IdentityFile in order', () => {
    const r = resolve(spec('web'));
    expect(r.user).toBe('alice'); // Host web comes before Host *
    expect(r.port).toBe(2022); // only Host * sets it
    expect(r.host).toBe('web');
    expect(r.identityFiles).toEqual(['/home/tester/.ssh/alice@web', '/home/tester/.ssh/common']);
  });

  it('lets user and port given on the command line win over the config', () => {
    const r = resolve(spec('web', 'carol', 2500));
    expect(r.user).toBe('carol');
    expect(r.port).toBe(2500);
    expect(r.identityFiles[0]).toBe('/home/tester/.ssh/carol@web'); // %r is the user actually used
  });

  it('applies wildcard and negated Host patterns', () => {
    expect(resolve(spec('api.prod'))).toMatchObject({ port: 2200, refuseUnknown: true, acceptNew: false });
    expect(resolve(spec('db.prod'))).toMatchObject({ port: 2022, refuseUnknown: false });
  });

  it('falls back to OpenSSH defaults without a config', () => {
    const r = resolve(spec('example.org'), '');
    expect(r).toMatchObject({
      host: 'example.org',
      port: 22,
      user: 'tester',
      defaultIdentityFiles: true,
      identitiesOnly: false,
      agentSocket: '/run/agent.sock',
      knownHostsFiles: ['/home/tester/.ssh/known_hosts', '/home/tester/.ssh/known_hosts2'],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      acceptNew: false,
      refuseUnknown: false,
      hostKeyAlias: null,
      connectTimeoutMs: null,
    });
    expect(r.identityFiles).toContain('/home/tester/.ssh/id_ed25519');
    expect(r.identityFiles).toContain('/home/tester/.ssh/id_rsa');
  });

  it('resolves a ProxyJump chain, each hop through the config, the first hop with its own ProxyJump', () => {
    const r = resolve(spec('target'));
    expect(r.host).toBe('10.1.1.1');
    expect(r.jump.map((j) => [j.user, j.host, j.port])).toEqual([
      ['bob', '10.0.0.254', 2022], // j0: j1's own ProxyJump
      ['jumper', '10.0.0.1', 2022], // j1
      ['bob', 'j2', 2022], // bob@j2:2022
    ]);
    expect(r.jump.every((j) => j.jump.length === 0)).toBe(true);
    expect(r.jump[1].identityFiles).toEqual(['/home/tester/.ssh/common']);
  });

  it("resolves a wide ProxyJump web once per hop: later hops' own ProxyJump is not followed (ssh -J a,b dials b through a)", () => {
    // 8 levels of 7 hosts, each jumping through a plain first hop and then the 7 hosts of the next level: following
    // every later hop's own chain would be 7^7 resolutions (minutes); as ssh does it, it is 8, and a valid chain.
    const host = (d: number, k: number) => `n${d}x${k}`;
    let text = 'Host leaf\n  HostName 10.255.0.1\n';
    for (let d = 0; d < 8; d++) {
      for (let k = 0; k < 7; k++) {
        text += `Host ${host(d, k)}\n  HostName 10.${d}.${k}.1\n`;
        if (d < 7) text += `  ProxyJump leaf,${Array.from({ length: 7 }, (_, j) => host(d + 1, j)).join(',')}\n`;
      }
    }
    const web = resolve(spec(host(0, 0)), text);
    expect(web.jump.map((j) => j.host)).toEqual(['10.255.0.1', ...Array.from({ length: 7 }, (_, j) => `10.1.${j}.1`)]);
    // A later hop with a ProxyJump of its own is reached through the hop before it, as ssh does.
    const r = resolve(spec('t'), 'Host t\n  ProxyJump a,b\nHost b\n  ProxyJump c\n  User bee\n');
    expect(r.jump.map((j) => [j.user, j.host])).toEqual([
      ['tester', 'a'],
      ['bee', 'b'],
    ]);
    // Nine hops in one line are refused before any is resolved.
    expect(code(() => resolve(spec('t'), `Host t\n  ProxyJump ${'a,'.repeat(8)}a\n`))).toBe('bad-argument');
  });

  it('refuses a ProxyJump loop, ProxyCommand and a hostile HostName', () => {
    expect(code(() => resolve(spec('loop1')))).toBe('bad-argument');
    expect(code(() => resolve(spec('proxied')))).toBe('bad-argument');
    expect(code(() => resolve(spec('evil')))).toBe('bad-argument');
    expect(code(() => resolve(spec('x'), 'Host x\n  StrictHostKeyChecking maybe\n'))).toBe('bad-argument');
    expect(code(() => resolve(spec('x'), 'Host x\n  Port 99999\n'))).toBe('bad-argument');
    expect(code(() => resolve(spec('x'), 'Host x\n  IdentityFile ~/.ssh/%Z\n'))).toBe('bad-argument');
  });

  it('reads IdentityAgent: none, $VAR, a path, or SSH_AUTH_SOCK by default', () => {
    expect(resolve(spec('agentless')).agentSocket).toBeNull();
    expect(resolve(spec('otheragent')).agentSocket).toBe('/run/other.sock');
    expect(resolve(spec('pathagent')).agentSocket).toBe('/home/tester/.agent.sock');
    expect(resolve(spec('dmtest')).agentSocket).toBe('/run/agent.sock');
    expect(resolveFromConfigText('', spec('h'), { ...env, sshAuthSock: null }).agentSocket).toBeNull();
  });

  it('reads several known_hosts files, none, HostKeyAlias, HashKnownHosts and timeouts', () => {
    const text =
      'Host h\n  UserKnownHostsFile ~/.ssh/a /etc/b\n  HostKeyAlias hk\n  HashKnownHosts yes\n  ConnectTimeout 7\n  ServerAliveInterval 30\n  StrictHostKeyChecking no\nHost n\n  UserKnownHostsFile none\n';
    expect(resolve(spec('h'), text)).toMatchObject({
      knownHostsFiles: ['/home/tester/.ssh/a', '/etc/b'],
      hostKeyAlias: 'hk',
      hashKnownHosts: true,
      connectTimeoutMs: 7000,
      serverAliveIntervalMs: 30000,
      acceptNew: true,
    });
    expect(resolve(spec('n'), text).knownHostsFiles).toEqual([]);
  });
});

const hasSsh = spawnSync('ssh', ['-V']).error === undefined;

describe.skipIf(!hasSsh)('agrees with OpenSSH (`ssh -G`, needs openssh-client)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-sshcfg-'));
  const file = join(dir, 'config');
  writeFileSync(file, CONFIG.replace(/\nHost (loop1|loop2|proxied|evil)\n[^\n]*\n/g, '\n'));

  function openssh(host: string, user?: string): Map<string, string[]> {
    const args = ['-G', '-F', file, ...(user ? ['-l', user] : []), host];
    const out = spawnSync('ssh', args, { encoding: 'utf8' }).stdout;
    const m = new Map<string, string[]>();
    for (const line of out.split('\n')) {
      const i = line.indexOf(' ');
      if (i > 0) m.set(line.slice(0, i), [...(m.get(line.slice(0, i)) ?? []), line.slice(i + 1)]);
    }
    return m;
  }

  it.each([['dmtest'], ['web'], ['api.prod'], ['db.prod'], ['target'], ['j1'], ['plain.example']])('%s', (host) => {
    const o = openssh(host);
    const r = resolve(spec(host));
    expect(r.host).toBe(o.get('hostname')?.[0]);
    expect(String(r.port)).toBe(o.get('port')?.[0]);
    expect(r.user).toBe(o.get('user')?.[0]);
    expect(r.acceptNew).toBe(['accept-new', 'false'].includes(o.get('stricthostkeychecking')?.[0] ?? ''));
    // ssh -G prints IdentityFile unexpanded; expand the few tokens used here to compare order and content.
    const ids = (o.get('identityfile') ?? []).map((f) =>
      f.replace(/^~/, env.home).replace('%d', env.home).replace('%r', r.user).replace('%h', r.host),
    );
    expect(r.identityFiles).toEqual(ids);
    const jump = o.get('proxyjump')?.[0];
    if (jump === undefined) expect(r.jump).toEqual([]);
    else expect(r.jump.length).toBeGreaterThanOrEqual(jump.split(',').length);
  });
});

describe('resolveSshTarget', () => {
  it('reads the config from HOME, expands Include, and applies knownHostsPath and acceptNewHostKey', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dm-home-'));
    mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Include conf.d/*.conf\nHost *\n  User fallback\n');
    writeFileSync(
      join(home, '.ssh', 'conf.d', 'a.conf'),
      'Host inc\n  HostName 192.0.2.7\n  User included\n  IdentityFile ~/.ssh/inc_key\n  ProxyJump hop\n',
    );
    writeFileSync(join(home, '.ssh', 'conf.d', 'ignored.txt'), 'Host inc\n  Port 1\n');
    const r = await resolveSshTarget(spec('inc'), { home });
    expect(r).toMatchObject({
      host: '192.0.2.7',
      user: 'included',
      port: 22,
      identityFiles: [join(home, '.ssh', 'inc_key')],
    });
    expect(r.jump[0]).toMatchObject({ host: 'hop', user: 'fallback' });
    expect(r.knownHostsFiles[0]).toBe(join(home, '.ssh', 'known_hosts'));
    const o = await resolveSshTarget(spec('inc'), { home, knownHostsPath: '/tmp/kh', acceptNewHostKey: true });
    expect(o.knownHostsFiles).toEqual(['/tmp/kh']);
    expect(o.acceptNew).toBe(true);
    expect(o.jump[0].knownHostsFiles).toEqual(['/tmp/kh']);
  });

  it('uses sshConfigPath instead of ~/.ssh/config and tolerates a missing file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dm-home-'));
    const cfg = join(home, 'alt_config');
    writeFileSync(cfg, 'Host alt\n  HostName 198.51.100.3\n  Port 2201\n');
    expect(await resolveSshTarget(spec('alt'), { home, sshConfigPath: cfg })).toMatchObject({
      host: '198.51.100.3',
      port: 2201,
    });
    expect(await resolveSshTarget(spec('alt'), { home, sshConfigPath: join(home, 'missing') })).toMatchObject({
      host: 'alt',
      port: 22,
    });
  });
});

describe('parseUserHostPort', () => {
  it('splits user, host and port, with IPv6 in brackets', () => {
    expect(parseUserHostPort('bob@j2:2022')).toEqual({ user: 'bob', host: 'j2', port: 2022 });
    expect(parseUserHostPort('[::1]:2222')).toEqual({ user: null, host: '::1', port: 2222 });
    expect(parseUserHostPort('ssh://root@host.example:22')).toEqual({ user: 'root', host: 'host.example', port: 22 });
    expect(() => parseUserHostPort('host:0')).toThrow(MonitorError);
  });
});
