// runCli paths that end before any connection: usage errors, help, version; and the host-key question.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { confirmHostKey, exitCodeFor, runCli } from '../../../src/cli/run';
import { errorLine } from '../../../src/cli/errors';
import type { CliIo } from '../../../src/cli/run';
import { MonitorError } from '../../../src/core/errors';

const packageVersion = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'))
  .version as string;

function capture(answers: (string | undefined)[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stdinIsTty: false,
    askHidden: async () => {
      throw new Error('no secret prompt expected');
    },
    askLine: async (prompt) => {
      asked.push(prompt);
      return answers.shift();
    },
    env: {},
  };
  return { io, out: () => out.join(''), err: () => err.join(''), asked };
}

describe('runCli before connecting', () => {
  it.each([
    [['monitor', 'process', 'abc'], /^docker-monitor: invalid PID: "abc"/],
    [['monitor', 'process', '-1'], /^docker-monitor: invalid PID: "-1"/],
    [['monitor', 'container', '$(id)'], /^docker-monitor: invalid container id or name: "\$\(id\)"$/],
    [['monitor', 'host', '--interval', '0'], /^docker-monitor: invalid --interval "0"/],
    [['frobnicate'], /^docker-monitor: unknown command "frobnicate"/],
    [['monitor', 'container'], /^docker-monitor: missing container id or name/],
    [['monitor', 'host', '--target', 'root@:22'], /^docker-monitor: invalid target/],
    [['monitor', 'host', '--watch', '--count', '0'], /^docker-monitor: invalid --count "0"/],
    [['monitor', 'host', '--count', '2'], /^docker-monitor: --count needs --watch/],
    [
      ['monitor', 'gap', '--watch'],
      /^docker-monitor: --watch works with monitor host, all, container, process, not "gap"/,
    ],
    [['monitor', 'all', '--watch', '--interval', '3601'], /^docker-monitor: invalid --interval "3601"/],
  ])('%j exits 2 with one line on stderr and nothing on stdout', async (argv, message) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(2);
    expect(c.out()).toBe('');
    const lines = c.err().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('prints the usage on --help and exits 0', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^Usage: docker-monitor monitor <what>/);
    for (const what of [
      'host',
      'all',
      'container',
      'process',
      'correlation',
      'gap',
      '--target',
      '--json',
      '--interval',
      '--accept-new-host-key',
      '--watch',
      '--count',
    ]) {
      expect(c.out()).toContain(what);
    }
    expect(c.err()).toBe('');
  });

  it('prints the package version', async () => {
    const c = capture();
    expect(await runCli(['--version'], c.io)).toBe(0);
    expect(c.out()).toBe(`${packageVersion}\n`);
  });
});

describe('error reporting', () => {
  it('keeps any message on one escaped line', () => {
    expect(errorLine(new Error('first\nsecond \u001b[31m'))).toBe('docker-monitor: first\\nsecond \\e[31m');
    expect(errorLine('plain string')).toBe('docker-monitor: plain string');
    expect(errorLine(new Error(''))).toBe('docker-monitor: Error');
  });

  it('maps bad arguments to 2 and everything else to 1', () => {
    expect(exitCodeFor(new MonitorError('x', 'bad-argument'))).toBe(2);
    expect(exitCodeFor(new MonitorError('x', 'not-found'))).toBe(1);
    expect(exitCodeFor(new MonitorError('x', 'host-key-changed'))).toBe(1);
    expect(exitCodeFor(new TypeError('x'))).toBe(1);
  });
});

describe('confirmHostKey', () => {
  const info = { host: '127.0.0.1', port: 2222, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' };

  it('accepts only "yes", asking again on anything but yes/no', async () => {
    const c = capture(['maybe', ' YES ']);
    expect(await confirmHostKey(c.io, info)).toBe(true);
    expect(c.asked).toHaveLength(2);
    expect(c.err()).toContain("The authenticity of host [127.0.0.1]:2222 can't be established.");
    expect(c.err()).toContain('ssh-ed25519 key fingerprint is SHA256:abc.');
  });

  it('refuses on "no" and at end of input', async () => {
    expect(await confirmHostKey(capture(['no']).io, info)).toBe(false);
    expect(await confirmHostKey(capture([undefined]).io, info)).toBe(false);
  });

  it('names a port-22 host without brackets and escapes a hostile name', async () => {
    const c = capture(['no']);
    await confirmHostKey(c.io, { ...info, host: 'box\u001b[2J', port: 22 });
    expect(c.err()).toContain('host box\\e[2J can');
  });
});
