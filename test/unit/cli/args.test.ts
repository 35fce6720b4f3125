import { describe, expect, it } from 'vitest';
import { parseCliArgs, parseCount, parseInterval } from '../../../src/cli/args';
import { MonitorError } from '../../../src/core/errors';

function usageError(argv: string[]): MonitorError {
  try {
    parseCliArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('bad-argument');
    expect((err as MonitorError).message).not.toContain('\n');
    return err as MonitorError;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
}

function monitor(argv: string[]) {
  const r = parseCliArgs(argv);
  if (r.action !== 'monitor') throw new Error(`expected a monitor request, got ${r.action}`);
  return r;
}

describe('parseCliArgs: commands', () => {
  it.each(['host', 'all', 'gap'] as const)('monitor %s', (what) => {
    const r = monitor(['monitor', what]);
    expect(r.command).toEqual({ kind: what });
    expect(r.options).toMatchObject({
      targetText: 'local',
      target: { kind: 'local' },
      json: false,
      intervalSeconds: 1,
      acceptNewHostKey: false,
      watch: false,
      count: null,
    });
  });

  it('monitor process <PID>', () => {
    expect(monitor(['monitor', 'process', '4242']).command).toEqual({ kind: 'process', pid: 4242 });
  });

  it('monitor container by name, full id, short id and /name', () => {
    const id = 'a'.repeat(64);
    expect(monitor(['monitor', 'container', 'dm-limited']).command).toEqual({ kind: 'container', ref: 'dm-limited' });
    expect(monitor(['monitor', 'container', id]).command).toEqual({ kind: 'container', ref: id });
    expect(monitor(['monitor', 'container', '3f2a']).command).toEqual({ kind: 'container', ref: '3f2a' });
    expect(monitor(['monitor', 'container', '/dm-multi']).command).toEqual({ kind: 'container', ref: 'dm-multi' });
  });

  it('monitor correlation <id|name>', () => {
    expect(monitor(['monitor', 'correlation', 'dm-multi']).command).toEqual({ kind: 'correlation', ref: 'dm-multi' });
  });
});

describe('parseCliArgs: flags', () => {
  it('reads every flag, before or after the command, with a separate or an inline value', () => {
    const r = monitor([
      '--json',
      'monitor',
      '--interval',
      '2.5',
      'all',
      '--target=root@127.0.0.1:2222',
      '--accept-new-host-key',
    ]);
    expect(r.options.json).toBe(true);
    expect(r.options.intervalSeconds).toBe(2.5);
    expect(r.options.acceptNewHostKey).toBe(true);
    expect(r.options.targetText).toBe('root@127.0.0.1:2222');
    expect(r.options.target).toMatchObject({ kind: 'ssh', host: '127.0.0.1', user: 'root', port: 2222 });
    expect(monitor(['monitor', 'host', '--interval=60']).options.intervalSeconds).toBe(60);
  });

  it('takes an ~/.ssh/config alias as a target', () => {
    expect(monitor(['monitor', 'host', '--target', 'prod-box']).options.target).toMatchObject({
      kind: 'ssh',
      alias: 'prod-box',
    });
  });

  it('--help and -h win over everything, even bad arguments', () => {
    expect(parseCliArgs(['--help'])).toEqual({ action: 'help' });
    expect(parseCliArgs(['monitor', 'process', 'abc', '-h'])).toEqual({ action: 'help' });
    expect(parseCliArgs(['--version'])).toEqual({ action: 'version' });
  });

  it('treats everything after -- as positionals', () => {
    expect(monitor(['monitor', '--', 'container', 'dm-limited']).command).toEqual({
      kind: 'container',
      ref: 'dm-limited',
    });
  });
});

describe('parseCliArgs: --docker-socket', () => {
  it('takes an absolute socket path, and leaves the default alone without it', () => {
    expect(monitor(['monitor', 'all', '--docker-socket', '/run/user/1000/docker.sock']).options.dockerSocket).toBe(
      '/run/user/1000/docker.sock',
    );
    expect(monitor(['monitor', 'all', '--docker-socket=/tmp/d.sock']).options.dockerSocket).toBe('/tmp/d.sock');
    expect(monitor(['monitor', 'all']).options.dockerSocket).toBeUndefined();
  });

  it('refuses a relative path, control characters, an over-long path, a repeat, or no value', () => {
    for (const bad of ['docker.sock', '', '/tmp/a\nb', '/tmp/a\u0000b', `/${'x'.repeat(107)}`]) {
      expect(usageError(['monitor', 'all', '--docker-socket', bad]).message).toMatch(/^invalid --docker-socket/);
    }
    expect(usageError(['monitor', 'all', '--docker-socket', '/a', '--docker-socket', '/b']).message).toMatch(
      /given twice/,
    );
    expect(usageError(['monitor', 'all', '--docker-socket']).message).toMatch(/needs a value/);
  });
});

describe('parseCliArgs: bad input', () => {
  it('monitor process abc / -1 / 0 / too large', () => {
    expect(usageError(['monitor', 'process', 'abc']).message).toMatch(/^invalid PID: "abc"/);
    expect(usageError(['monitor', 'process', '-1']).message).toMatch(/^invalid PID: "-1"/);
    expect(usageError(['monitor', 'process', '0']).message).toMatch(/^invalid PID/);
    expect(usageError(['monitor', 'process', '4194305']).message).toMatch(/^invalid PID/);
    expect(usageError(['monitor', 'process', '12 ; rm']).message).toMatch(/^invalid PID/);
  });

  it("monitor container '$(id)' and other shell or path tricks", () => {
    expect(usageError(['monitor', 'container', '$(id)']).message).toBe('invalid container id or name: "$(id)"');
    usageError(['monitor', 'container', '../etc']);
    usageError(['monitor', 'correlation', 'a b']);
    usageError(['monitor', 'container', '']);
  });

  it('--interval 0, negative, above 60, not a number', () => {
    for (const bad of ['0', '0.0', '-1', '61', '60.5', 'abc', '1e1', '0x10', '', ' 1']) {
      expect(usageError(['monitor', 'host', '--interval', bad]).message).toMatch(/^invalid --interval/);
    }
    expect(() => parseInterval('0')).toThrow(/more than 0 and at most 60/);
    expect(parseInterval('0.25')).toBe(0.25);
    expect(parseInterval('.5')).toBe(0.5);
  });

  it('unknown command, unknown thing, unknown option', () => {
    expect(usageError(['status']).message).toBe('unknown command "status" (try --help)');
    expect(usageError(['monitor', 'disks']).message).toMatch(/^unknown thing to monitor "disks"/);
    expect(usageError(['monitor', 'host', '--verbose']).message).toBe('unknown option "--verbose" (try --help)');
    expect(usageError(['monitor', 'host', '-x']).message).toBe('unknown option "-x" (try --help)');
  });

  it('missing command, missing what, missing argument, missing option value', () => {
    expect(usageError([]).message).toBe('missing command (try --help)');
    expect(usageError(['monitor']).message).toMatch(/^missing what to monitor/);
    expect(usageError(['monitor', 'process']).message).toMatch(/^missing PID/);
    expect(usageError(['monitor', 'container']).message).toMatch(/^missing container id or name/);
    expect(usageError(['monitor', 'correlation']).message).toMatch(/^missing container id or name/);
    expect(usageError(['monitor', 'host', '--target']).message).toBe('--target needs a value (try --help)');
    expect(usageError(['monitor', 'host', '--interval', '--json']).message).toBe(
      '--interval needs a value (try --help)',
    );
  });

  it('extra arguments, repeated options, values on flags', () => {
    expect(usageError(['monitor', 'host', 'extra']).message).toBe('unexpected argument "extra" (try --help)');
    expect(usageError(['monitor', 'process', '1', '2']).message).toBe('unexpected argument "2" (try --help)');
    usageError(['monitor', 'host', '--target', 'a', '--target', 'b']);
    usageError(['monitor', 'host', '--json=yes']);
  });

  it('bad targets are refused before connecting', () => {
    usageError(['monitor', 'host', '--target', '']);
    usageError(['monitor', 'host', '--target', 'root@']);
    usageError(['monitor', 'host', '--target', 'root@host:99999']);
    usageError(['monitor', 'host', '--target', 'bad user@host']);
  });

  it('keeps an echoed argument on one short line', () => {
    const message = usageError(['monitor', `x\n\u001b[2J${'y'.repeat(200)}`]).message;
    expect(message).not.toMatch(/[\n\u001b]/);
    expect(message.length).toBeLessThan(200);
  });
});

describe('parseCliArgs: --watch and --count', () => {
  it.each(['host', 'all'] as const)('monitor %s --watch runs until stopped, every second by default', (what) => {
    const r = monitor(['monitor', what, '--watch']);
    expect(r.command).toEqual({ kind: what });
    expect(r.options).toMatchObject({ watch: true, count: null, intervalSeconds: 1, json: false });
  });

  it('watches a container or a process, with --count, --interval and --json in any order or form', () => {
    const c = monitor(['--count', '3', 'monitor', 'container', 'dm-limited', '--json', '--interval=0.3', '--watch']);
    expect(c.command).toEqual({ kind: 'container', ref: 'dm-limited' });
    expect(c.options).toMatchObject({ watch: true, count: 3, intervalSeconds: 0.3, json: true });
    expect(monitor(['monitor', 'process', '4242', '--watch', '--count=1']).options).toMatchObject({
      watch: true,
      count: 1,
    });
    expect(monitor(['monitor', 'host', '--watch', '--count', '007']).options.count).toBe(7);
  });

  it('allows an interval up to an hour with --watch, still only up to 60 s without', () => {
    expect(monitor(['monitor', 'host', '--watch', '--interval', '3600']).options.intervalSeconds).toBe(3600);
    expect(monitor(['monitor', 'host', '--watch', '--interval', '61']).options.intervalSeconds).toBe(61);
    expect(usageError(['monitor', 'host', '--interval', '61']).message).toMatch(
      /^invalid --interval "61": .*at most 60 /,
    );
    for (const bad of ['0', '0.0', '-1', '3600.5', '3601', 'abc', '1e3', '', ' 2']) {
      expect(usageError(['monitor', 'host', '--watch', '--interval', bad]).message).toMatch(
        /^invalid --interval .*at most 3600 \(try --help\)$/,
      );
    }
  });

  it('--count must be a whole number of at least 1', () => {
    for (const bad of ['0', '00', '-1', '1.5', '2.', 'abc', '', ' 3', '3 ', '1e2', '0x10', '99999999999999999999']) {
      expect(usageError(['monitor', 'host', '--watch', '--count', bad]).message).toMatch(/^invalid --count /);
    }
    expect(() => parseCount('0')).toThrow('invalid --count "0": a whole number of snapshots, at least 1 (try --help)');
    expect(parseCount('1')).toBe(1);
    expect(parseCount('86400')).toBe(86400);
  });

  it('--count without --watch, twice, or without a value is a usage error', () => {
    expect(usageError(['monitor', 'host', '--count', '3']).message).toBe('--count needs --watch (try --help)');
    expect(usageError(['monitor', 'host', '--watch', '--count', '3', '--count', '4']).message).toBe(
      '--count given twice (try --help)',
    );
    expect(usageError(['monitor', 'host', '--watch', '--count']).message).toBe('--count needs a value (try --help)');
    expect(usageError(['monitor', 'host', '--count', '--watch']).message).toBe('--count needs a value (try --help)');
    expect(usageError(['monitor', 'host', '--watch=yes']).message).toBe('--watch takes no value (try --help)');
  });

  it.each([
    [['monitor', 'gap', '--watch'], 'gap'],
    [['monitor', 'correlation', 'dm-limited', '--watch'], 'correlation'],
  ])('%j is refused: reports, not readings', (argv, what) => {
    expect(usageError(argv).message).toBe(
      `--watch works with monitor host, all, container, process, not "${what}" (try --help)`,
    );
  });

  it('--help still wins over a bad --count', () => {
    expect(parseCliArgs(['monitor', 'host', '--watch', '--count', '0', '--help'])).toEqual({ action: 'help' });
  });
});
