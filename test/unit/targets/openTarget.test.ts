// A settings entry's identityFile and jump win over ~/.ssh/config; the rest of the config still applies.
import { describe, expect, it } from 'vitest';
import { applyTargetOverrides, expandHomePath, jumpSpecs } from '../../../src/core/transport/sshOverrides';
import { parseTargetSetting } from '../../../src/core/targets/settings/targetConfig';
import { resolveFromConfigText } from '../../../src/core/transport/sshConfig';
import type { SshTargetSpec } from '../../../src/core/transport/sshConfig';
import type { SshEnv } from '../../../src/core/transport/sshEnv';
import { MonitorError } from '../../../src/core/errors';

const env: SshEnv = { home: '/home/tester', user: 'tester', sshAuthSock: null };
const CONFIG = `
Host box
  HostName 192.0.2.10
  User admin
  IdentityFile ~/.ssh/box_key
  ProxyJump cfgjump
  UserKnownHostsFile ~/.ssh/box_known

Host bastion
  HostName 198.51.100.1
  User gate
  ProxyJump outer

Host outer
  HostName 198.51.100.254
`;
const spec = (host: string): SshTargetSpec => ({ kind: 'ssh', alias: host, host, user: null, port: null });
const resolve = (s: SshTargetSpec) => resolveFromConfigText(CONFIG, s, env);

describe('applyTargetOverrides', () => {
  it('keeps the config when the entry sets neither identityFile nor jump', () => {
    const def = parseTargetSetting({ host: 'box' });
    const r = resolve(spec('box'));
    expect(applyTargetOverrides(r, def, env.home, null)).toEqual(r);
  });

  it("replaces the identity files with the entry's one, expanded under HOME", () => {
    const def = parseTargetSetting({ host: 'box', identityFile: '~/.ssh/other' });
    const out = applyTargetOverrides(resolve(spec('box')), def, env.home, null);
    expect(out.identityFiles).toEqual(['/home/tester/.ssh/other']);
    expect(out.defaultIdentityFiles).toBe(false);
    // Everything else still comes from the config.
    expect(out).toMatchObject({ host: '192.0.2.10', user: 'admin', knownHostsFiles: ['/home/tester/.ssh/box_known'] });
  });

  it("replaces ProxyJump with the entry's hops; the first hop keeps its own ProxyJump (as ssh -J does)", () => {
    const def = parseTargetSetting({ host: 'box', jump: 'bastion,ops@inner.example:2022' });
    const hops = jumpSpecs(def.jump!).map(resolve);
    const out = applyTargetOverrides(resolve(spec('box')), def, env.home, hops);
    expect(out.jump.map((j) => `${j.user}@${j.host}:${j.port}`)).toEqual([
      'tester@198.51.100.254:22',
      'gate@198.51.100.1:22',
      'ops@inner.example:2022',
    ]);
    expect(out.jump.every((j) => j.jump.length === 0)).toBe(true);
  });
});

describe('helpers', () => {
  it('expands ~ and relative paths under HOME, never the working directory', () => {
    expect(expandHomePath('~', '/h')).toBe('/h');
    expect(expandHomePath('~/.ssh/k', '/h')).toBe('/h/.ssh/k');
    expect(expandHomePath('.ssh/k', '/h')).toBe('/h/.ssh/k');
    expect(expandHomePath('/abs/k', '/h')).toBe('/abs/k');
  });

  it('parses jump hops and refuses bad ones', () => {
    expect(jumpSpecs('a, bob@b:2022')).toEqual([
      { kind: 'ssh', alias: null, host: 'a', user: null, port: null },
      { kind: 'ssh', alias: null, host: 'b', user: 'bob', port: 2022 },
    ]);
    expect(() => jumpSpecs('a;b')).toThrow(MonitorError);
  });
});
