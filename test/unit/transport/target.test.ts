// What a user may type as a target, and what must never get through to ssh or a shell.
import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../../src/core/transport/target';
import { MonitorError } from '../../../src/core/errors';

describe('parseTarget', () => {
  it('accepts local, user@host[:port], host[:port], [ipv6]:port, ssh:// and aliases', () => {
    expect(parseTarget('local')).toEqual({ kind: 'local' });
    expect(parseTarget('root@127.0.0.1:2222')).toEqual({
      kind: 'ssh',
      alias: null,
      host: '127.0.0.1',
      user: 'root',
      port: 2222,
    });
    expect(parseTarget('deploy@web-1.example.com')).toEqual({
      kind: 'ssh',
      alias: null,
      host: 'web-1.example.com',
      user: 'deploy',
      port: null,
    });
    expect(parseTarget('web-1.example.com:2200')).toEqual({
      kind: 'ssh',
      alias: null,
      host: 'web-1.example.com',
      user: null,
      port: 2200,
    });
    expect(parseTarget('[::1]:2222')).toEqual({ kind: 'ssh', alias: null, host: '::1', user: null, port: 2222 });
    expect(parseTarget('admin@[fe80::1%eth0]:22')).toEqual({
      kind: 'ssh',
      alias: null,
      host: 'fe80::1%eth0',
      user: 'admin',
      port: 22,
    });
    expect(parseTarget('ssh://ops@10.0.0.2:2022')).toEqual({
      kind: 'ssh',
      alias: null,
      host: '10.0.0.2',
      user: 'ops',
      port: 2022,
    });
    expect(parseTarget('dmtest')).toEqual({ kind: 'ssh', alias: 'dmtest', host: 'dmtest', user: null, port: null });
    expect(parseTarget('my_server.lan')).toEqual({
      kind: 'ssh',
      alias: 'my_server.lan',
      host: 'my_server.lan',
      user: null,
      port: null,
    });
    // A bare IP address is an address, not an alias.
    expect(parseTarget('192.0.2.1')).toEqual({ kind: 'ssh', alias: null, host: '192.0.2.1', user: null, port: null });
  });

  it.each([
    ['a;rm -rf /'],
    ['$(id)'],
    ['`id`'],
    ['-oProxyCommand=x'],
    ['root@-oProxyCommand=x'],
    [''],
    [' '],
    ['host name'],
    [' dmtest'],
    ['dmtest\n'],
    ['user@'],
    ['@host'],
    ['host:'],
    ['host:0'],
    ['host:65536'],
    ['host:22x'],
    ['us er@host'],
    ['root@host@x;y'],
    ['[::1'],
    ['[not-ipv6]:x'],
    ['a|b'],
    ['host/../etc'],
    ['a\0b'],
    ['x'.repeat(300)],
  ])('rejects %j', (text) => {
    let err: unknown;
    try {
      parseTarget(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('bad-argument');
    expect((err as MonitorError).message).not.toContain('\n');
  });
});
