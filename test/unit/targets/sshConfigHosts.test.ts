// The Host entries offered by "Add SSH Target": concrete names only, Includes followed, each resolved as
// OpenSSH resolves it (checked against `ssh -G` when openssh-client is installed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configHostAliases, listConfigHosts } from '../../../src/core/targets/settings/sshConfigHosts';
import type { SshEnv } from '../../../src/core/transport/sshEnv';

const CONFIG = `
# comment
Host web web-alias
  HostName 192.0.2.20
  User alice
  Port 2200
  IdentityFile ~/.ssh/web_key

Host *.prod !db.prod
  User ops

Host db?
  Port 1

Match host foo exec "false"
  User nobody

Host dmtest
  HostName 127.0.0.1
  Port 2222
  User root
  ProxyJump gate

Host gate
  HostName 198.51.100.1

Host web
  Port 9
`;

describe('configHostAliases', () => {
  it('lists concrete names in order, once each, and skips patterns and negations', () => {
    expect(configHostAliases({ path: '/nowhere/config', text: CONFIG, user: true }, '/nowhere')).toEqual([
      'web',
      'web-alias',
      'dmtest',
      'gate',
    ]);
  });
  it('gives nothing for an empty config', () => {
    expect(configHostAliases({ path: '/nowhere/config', text: '', user: true }, '/nowhere')).toEqual([]);
  });
});

function tempHome(): { home: string; env: SshEnv } {
  const home = mkdtempSync(join(tmpdir(), 'dm-hosts-'));
  mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
  return { home, env: { home, user: 'tester', sshAuthSock: null } };
}

describe('listConfigHosts', () => {
  it('follows Include (relative to ~/.ssh, globs) and resolves each alias', async () => {
    const { home, env } = tempHome();
    writeFileSync(join(home, '.ssh', 'config'), `Include conf.d/*.conf\n${CONFIG}`);
    writeFileSync(join(home, '.ssh', 'conf.d', 'a.conf'), 'Host included\n  HostName 203.0.113.5\n');
    writeFileSync(join(home, '.ssh', 'conf.d', 'skip.txt'), 'Host notincluded\n');

    const other = join(home, 'remote-ssh-config');
    writeFileSync(other, 'Host extra\n  HostName 203.0.113.9\n  User bob\nHost web\n  HostName 10.9.9.9\n');
    const hosts = await listConfigHosts([join(home, '.ssh', 'config'), other, join(home, 'missing')], env);
    expect(hosts.map((h) => h.alias)).toEqual(['included', 'web', 'web-alias', 'dmtest', 'gate', 'extra']);
    expect(hosts.find((h) => h.alias === 'web')).toMatchObject({
      file: join(home, '.ssh', 'config'),
      resolved: {
        host: '192.0.2.20',
        port: 2200,
        user: 'alice',
        identityFile: join(home, '.ssh', 'web_key'),
        jump: null,
      },
    });
    expect(hosts.find((h) => h.alias === 'dmtest')?.resolved).toMatchObject({
      host: '127.0.0.1',
      port: 2222,
      user: 'root',
      identityFile: null,
      jump: 'tester@198.51.100.1:22',
    });
    expect(hosts.find((h) => h.alias === 'extra')).toMatchObject({
      file: other,
      resolved: { host: '203.0.113.9', user: 'bob', port: 22 },
    });
  });

  it('reads a missing config as empty', async () => {
    const { home, env } = tempHome();
    expect(await listConfigHosts([join(home, '.ssh', 'config')], env)).toEqual([]);
  });

  const hasSsh = spawnSync('ssh', ['-V']).error === undefined;
  it.skipIf(!hasSsh)('agrees with `ssh -G` on where each alias leads (needs openssh-client)', async () => {
    const { home } = tempHome();
    // ssh -G takes the default User from this machine's account: resolve with the same.
    const env: SshEnv = { home, user: userInfo().username, sshAuthSock: null };
    const file = join(home, '.ssh', 'config');
    writeFileSync(file, CONFIG.replace(/\nMatch[^\n]*\n[^\n]*\n/, '\n'));
    const hosts = await listConfigHosts([file], env);
    expect(hosts).toHaveLength(4);
    for (const h of hosts) {
      const out = spawnSync('ssh', ['-G', '-F', file, h.alias], { encoding: 'utf8' }).stdout;
      const get = (k: string) => new RegExp(`^${k} (.*)$`, 'm').exec(out)?.[1];
      expect(h.resolved?.host).toBe(get('hostname'));
      expect(String(h.resolved?.port)).toBe(get('port'));
      expect(h.resolved?.user).toBe(get('user'));
    }
  });
});
