// serve's options: safe defaults, and every bad value a usage error that names it before anything listens.
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/cli/args';
import { parseServeArgs } from '../../../src/cli/serveArgs';

describe('parseServeArgs', () => {
  it('defaults: loopback 9464, the local target, 15 s, no per-process series, no auth', () => {
    expect(parseServeArgs([])).toEqual({
      host: '127.0.0.1',
      port: 9464,
      targets: ['local'],
      targetsFile: null,
      intervalSeconds: 15,
      processes: 0,
      acceptNewHostKey: false,
      allowRemote: false,
      bearerTokenFile: null,
      basicAuthFile: null,
      tlsCert: null,
      tlsKey: null,
    });
  });

  it('takes several targets, IPv6 loopback, and = forms', () => {
    const o = parseServeArgs([
      '--target',
      'local',
      '--target=root@10.0.0.2:2222',
      '--target',
      'lab',
      '--listen=[::1]:9100',
    ]);
    expect(o.targets).toEqual(['local', 'root@10.0.0.2:2222', 'lab']);
    expect([o.host, o.port]).toEqual(['::1', 9100]);
    expect(parseServeArgs(['--targets-file', 'hosts.json']).targets).toEqual([]);
  });

  it('another address needs --allow-remote and then a token or basic auth file', () => {
    expect(() => parseServeArgs(['--listen', '0.0.0.0:9464'])).toThrow(/reachable from other machines/);
    expect(() => parseServeArgs(['--listen', '192.168.1.5:9464', '--allow-remote'])).toThrow(
      /needs --bearer-token-file/,
    );
    const o = parseServeArgs(['--listen', '0.0.0.0:9464', '--allow-remote', '--bearer-token-file', '/etc/dm/token']);
    expect([o.host, o.allowRemote, o.bearerTokenFile]).toEqual(['0.0.0.0', true, '/etc/dm/token']);
  });

  it.each([
    [['--listen', 'example.com:9464'], /the host must be an IP address or localhost/],
    [['--listen', '127.0.0.1'], /invalid --listen/],
    [['--listen', '127.0.0.1:70000'], /invalid --listen/],
    [['--listen', '[127.0.0.1]:9464'], /invalid --listen/],
    [['--interval', '0.5'], /invalid --interval "0.5"/],
    [['--interval', '1e3'], /invalid --interval "1e3"/],
    [['--processes', '-1'], /--processes needs a value|invalid --processes/],
    [['--processes', '1001'], /invalid --processes "1001"/],
    [['--target', 'a b'], /invalid target/],
    [['--target', '-oProxyCommand=x'], /--target needs a value|invalid target/],
    [['--target', 'local', '--target', 'local'], /--target local given twice/],
    [['--interval', '5', '--interval', '6'], /--interval given twice/],
    [['--bearer-token-file', 'a', '--basic-auth-file', 'b'], /not both/],
    [['--tls-key', 'k'], /go together/],
    [['--allow-remote=yes'], /takes no value/],
    [['--bearer-token-file', 'a\nb'], /invalid --bearer-token-file/],
    [['--frobnicate'], /unknown option "--frobnicate" for serve/],
    [['extra'], /unexpected argument "extra"/],
  ])('%j: usage error', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(message);
    try {
      parseServeArgs(argv);
    } catch (e) {
      expect((e as { code: string }).code).toBe('bad-argument');
    }
  });

  it('is what parseCliArgs gives for `serve`, and --help wins', () => {
    expect(parseCliArgs(['serve', '--interval', '5'])).toMatchObject({
      action: 'serve',
      options: { intervalSeconds: 5 },
    });
    expect(parseCliArgs(['serve', '--listen', 'nonsense', '--help'])).toEqual({ action: 'help' });
  });
});
