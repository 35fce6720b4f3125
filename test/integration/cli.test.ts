// The built CLI (node dist/cli.js) end to end: error paths without a connection, then against this machine's
// dockerd and the test sshd (its port from scripts/test-env.sh's state file). Expected values come from docker ps / docker inspect and os, never
// from the code under test.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOnTty, hasScript } from './tty';
import { SHARED_FACTOR, TEST_LABEL, readSshdState, testSshdProblem } from './env';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const STATE = process.env.DM_TEST_STATE ?? '/tmp/docker-monitor-test';
const SSHD = join(STATE, 'sshd');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

const hasCollector = existsSync(join(ROOT, 'src/core/collect/collector.ts'));
const isRoot = process.getuid?.() === 0;
const hasDocker =
  isRoot && spawnSync('sh', ['-c', 'command -v dockerd && command -v docker'], { encoding: 'utf8' }).status === 0;
const hasSshd = isRoot && existsSync('/usr/sbin/sshd');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Run {
  const { DOCKER_MONITOR_DEBUG: _debug, SSH_AUTH_SOCK: _agent, ...base } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...base, ...env },
    input: '', // stdin is a pipe, never a TTY: no prompt may wait for it
    timeout: 60_000 * SHARED_FACTOR, // a host-wide read also reads other projects' containers on this machine
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The failure contract: a status, exactly one "docker-monitor: ..." line on stderr, no stack, nothing on stdout. */
function expectOneLineFailure(r: Run, status: number, message?: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^docker-monitor: \S/);
  if (message) expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(status);
}

function json<T>(r: Run): T {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

beforeAll(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
});

describe('the bundle', () => {
  it('is an executable node script with a shebang and a sourcemap', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
    accessSync(CLI, constants.X_OK);
    expect(existsSync(`${CLI}.map`)).toBe(true);
  });

  it('runs through its shebang and prints the package version', () => {
    const out = execFileSync(CLI, ['--version'], { encoding: 'utf8' });
    expect(out).toBe(`${VERSION}\n`);
  });

  it('keeps ssh2 in a bundle of its own, required only when needed, with its native addons left out', () => {
    const cliText = readFileSync(CLI, 'utf8');
    expect(cliText).toContain('require("./ssh2.js")');
    // ssh2's own code (its transport protocol) is not in the CLI's bundle.
    expect(cliText).not.toContain('SSH-2.0-');
    const ssh2Text = readFileSync(join(dirname(CLI), 'ssh2.js'), 'utf8');
    expect(ssh2Text).toContain('SSH-2.0-');
    expect(ssh2Text).toContain('require("cpu-features")');
    expect(ssh2Text).toContain('require("./crypto/build/Release/sshcrypto.node")');
  });

  it('prints usage on --help with status 0', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: docker-monitor monitor/);
  });
});

describe('usage errors: status 2, one line, no stack', () => {
  it.each([
    [['monitor', 'process', 'abc'], /invalid PID/],
    [['monitor', 'process', '-1'], /invalid PID/],
    [['monitor', 'container', '$(id)'], /invalid container id or name/],
    [['monitor', 'host', '--interval', '0'], /invalid --interval/],
    [['monitor', 'host', '--interval', '61'], /invalid --interval/],
    [['status'], /unknown command/],
    [['monitor', 'correlation'], /missing container id or name/],
    [[], /missing command/],
    [['monitor', 'all', '--bogus'], /unknown option/],
    [['monitor', 'host', '--target', 'root@bad host'], /invalid/],
  ])('%j', (args, message) => {
    expectOneLineFailure(cli(args), 2, message);
  });

  it('still prints no stack with DOCKER_MONITOR_DEBUG=1 (a usage error is not a bug)', () => {
    expectOneLineFailure(cli(['monitor', 'process', 'abc'], { DOCKER_MONITOR_DEBUG: '1' }), 2, /invalid PID/);
  });
});

describe.skipIf(!hasCollector)('against this machine (needs src/core/collect/collector.ts)', () => {
  it('monitor host --json describes this host', () => {
    const host = json<{ hostname: string; kernel: string; cpuCount: number }>(
      cli(['monitor', 'host', '--json', '--interval', '0.2']),
    );
    expect(host.hostname).toBe(hostname());
    expect(host.kernel).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
  });

  it('an unknown PID is one line and status 1', () => {
    // PID_MAX_LIMIT itself is never allocated (PIDs stay below pid_max <= 4194304).
    expect(existsSync('/proc/4194304')).toBe(false);
    expectOneLineFailure(
      cli(['monitor', 'process', '4194304', '--interval', '0.2']),
      1,
      /process with PID 4194304 not found on local/,
    );
  });

  it('an unknown container is one line and status 1', () => {
    expectOneLineFailure(
      cli(['monitor', 'container', 'no-such-container-dm', '--interval', '0.2']),
      1,
      /container "no-such-container-dm" not found/,
    );
  });
});

describe.skipIf(!hasCollector || !hasDocker)('with the test containers (needs the collector, dockerd and root)', () => {
  beforeAll(() => {
    execFileSync('bash', [join(ROOT, 'scripts/test-env.sh')], { stdio: 'pipe' });
  });

  it('monitor all --json lists the test containers as docker ps lists them', () => {
    // Only the test containers (test-env.sh's label): other containers on this machine are not ours to assert about.
    const own = () =>
      docker('ps', '-q', '--no-trunc', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean).sort();
    const ownAll = new Set(
      docker('ps', '-aq', '--no-trunc', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean),
    );
    for (let attempt = 0; ; attempt++) {
      const before = own();
      const snap = json<{
        target: string;
        collectedAt: string;
        host: unknown;
        containers: { id: string; state: string }[];
        processes: unknown[];
      }>(cli(['monitor', 'all', '--json', '--interval', '0.2']));
      const after = own();
      // Another suite may start or stop a container meanwhile: only a stable view is a fair comparison.
      if (before.join() !== after.join() && attempt < 3) continue;
      expect(Object.keys(snap)).toEqual(
        expect.arrayContaining([
          'target',
          'collectedAt',
          'host',
          'containers',
          'processes',
          'docker',
          'warnings',
          'durationMs',
        ]),
      );
      expect(snap.target).toBe('local');
      expect(after.length, `running containers labelled ${TEST_LABEL}: test-env.sh runs four`).toBeGreaterThanOrEqual(
        4,
      );
      expect(
        snap.containers
          .filter((c) => c.state === 'running' && ownAll.has(c.id))
          .map((c) => c.id)
          .sort(),
      ).toEqual(after);
      break;
    }
  });

  it('monitor container dm-limited --json matches docker inspect', () => {
    const inspect = JSON.parse(docker('inspect', 'dm-limited'))[0];
    const c = json<{
      id: string;
      name: string;
      initPid: number;
      memory: { limitBytes: number };
      cpu: { limitCpus: number };
      pids: { limit: number };
    }>(cli(['monitor', 'container', 'dm-limited', '--json', '--interval', '0.2']));
    expect(c.id).toBe(inspect.Id);
    expect(c.name).toBe('dm-limited');
    expect(c.initPid).toBe(inspect.State.Pid);
    expect(c.memory.limitBytes).toBe(inspect.HostConfig.Memory);
    expect(c.cpu.limitCpus).toBe(inspect.HostConfig.NanoCpus / 1e9);
    expect(c.pids.limit).toBe(inspect.HostConfig.PidsLimit);
  });

  it('monitor container by a 12-hex id prefix finds the same container', () => {
    const id = docker('inspect', '-f', '{{.Id}}', 'dm-multi');
    expect(json<{ id: string }>(cli(['monitor', 'container', id.slice(0, 12), '--json', '--interval', '0.2'])).id).toBe(
      id,
    );
  });

  it('monitor process <main PID of dm-multi> --json places it in the container as PID 1', () => {
    const [pid, id] = docker('inspect', '-f', '{{.State.Pid}} {{.Id}}', 'dm-multi').split(' ');
    const p = json<{ pid: number; nsPid: number[]; containerId: string; sockets: unknown[] }>(
      cli(['monitor', 'process', pid, '--json', '--interval', '0.2']),
    );
    expect(p.pid).toBe(Number(pid));
    expect(p.containerId).toBe(id);
    expect(p.nsPid[0]).toBe(Number(pid));
    expect(p.nsPid[p.nsPid.length - 1]).toBe(1);
    expect(Array.isArray(p.sockets)).toBe(true);
  });

  it('monitor correlation dm-limited --json ties the main PID to the container', () => {
    const [pid, id, merged, upper] = docker(
      'inspect',
      '-f',
      '{{.State.Pid}} {{.Id}} {{.GraphDriver.Data.MergedDir}} {{.GraphDriver.Data.UpperDir}}',
      'dm-limited',
    ).split(' ');
    const corr = json<{
      container: { id: string };
      hostPid: number;
      containerPid: number;
      mergedDir: string;
      upperDir: string;
      rows: { aspect: string }[];
    }>(cli(['monitor', 'correlation', 'dm-limited', '--json']));
    expect(corr.container.id).toBe(id);
    expect(corr.mergedDir).toBe(merged);
    expect(corr.upperDir).toBe(upper);
    expect(corr.hostPid).toBe(Number(pid));
    expect(corr.containerPid).toBe(1);
    expect(corr.rows.map((r) => r.aspect)).toEqual([
      'Spec',
      'On disk',
      'In memory',
      'In network',
      'Runtime context',
      'Isolation',
    ]);
  });

  it('monitor gap --json gives findings about real containers', () => {
    const all = docker('ps', '-aq', '--no-trunc').split('\n');
    const { findings } = json<{ findings: { subject: { kind: string; id: string } }[] }>(
      cli(['monitor', 'gap', '--json', '--interval', '0.2']),
    );
    all.push(...docker('ps', '-aq', '--no-trunc').split('\n')); // one created meanwhile (by anyone) is real too
    expect(Array.isArray(findings)).toBe(true);
    for (const f of findings.filter((x) => x.subject.kind === 'container')) expect(all).toContain(f.subject.id);
  });

  it('readable monitor all shows the test containers in a table', () => {
    const id = docker('inspect', '-f', '{{.Id}}', 'dm-limited');
    const r = cli(['monitor', 'all', '--interval', '0.2']);
    expect(r.status, r.stderr).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.startsWith('dm-limited '));
    expect(row).toContain(id.slice(0, 12));
    expect(row).toMatch(/\/ 64 MiB/);
  });
});

describe.skipIf(!hasCollector || !hasSshd)('over SSH to the test sshd (needs the collector, sshd and root)', () => {
  let home = '';
  let port = 0;
  const knownHosts = () => join(home, '.ssh', 'known_hosts');

  beforeAll(() => {
    execFileSync('bash', [join(ROOT, 'scripts/test-env.sh')], { stdio: 'pipe' });
    port = readSshdState(SSHD)?.port ?? 0;
    const problem = testSshdProblem(port || null, SSHD);
    if (problem) throw new Error(problem);
    home = mkdtempSync(join(tmpdir(), 'dm-cli-home-'));
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(
      join(home, '.ssh', 'config'),
      `Host dmtest\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n  IdentityFile ${join(SSHD, 'client_ed25519')}\n  IdentitiesOnly yes\n`,
    );
  });
  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('refuses an unknown host key without --accept-new-host-key (no TTY to ask on)', () => {
    expectOneLineFailure(cli(['monitor', 'host', '--target', 'dmtest'], { HOME: home }), 1);
    expect(existsSync(knownHosts()) && readFileSync(knownHosts(), 'utf8').includes('ssh-ed25519')).toBe(false);
  });

  it('--accept-new-host-key connects, records the key and reads this host', () => {
    const host = json<{ hostname: string }>(
      cli(['monitor', 'host', '--json', '--interval', '0.2', '--target', 'dmtest', '--accept-new-host-key'], {
        HOME: home,
      }),
    );
    expect(host.hostname).toBe(hostname());
    const blob = readFileSync(join(SSHD, 'host_ed25519.pub'), 'utf8').split(' ')[1];
    expect(readFileSync(knownHosts(), 'utf8')).toContain(blob);
  });

  it('then connects without the flag, and sees the same containers as docker ps', () => {
    const snap = json<{ target: string; containers: { id: string; state: string }[] }>(
      cli(['monitor', 'all', '--json', '--interval', '0.2', '--target', 'dmtest'], { HOME: home }),
    );
    expect(snap.target).toMatch(/127\.0\.0\.1|dmtest/);
    if (hasDocker) {
      const own = new Set(
        docker('ps', '-aq', '--no-trunc', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean),
      );
      const running = docker('ps', '-q', '--no-trunc', '--filter', `label=${TEST_LABEL}`)
        .split('\n')
        .filter(Boolean)
        .sort();
      expect(running.length, `running containers labelled ${TEST_LABEL}: test-env.sh runs four`).toBeGreaterThanOrEqual(
        4,
      );
      expect(
        snap.containers
          .filter((c) => c.state === 'running' && own.has(c.id))
          .map((c) => c.id)
          .sort(),
      ).toEqual(running);
    }
  });

  it('refuses a changed host key', () => {
    const other = join(home, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherLine = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(knownHosts(), `[127.0.0.1]:${port} ${otherLine}\n`);
    expectOneLineFailure(
      cli(['monitor', 'host', '--target', 'dmtest', '--accept-new-host-key'], { HOME: home }),
      1,
      /chang|mismatch|does not match/i,
    );
  });

  it('an unreachable target is one line and status 1', () => {
    expectOneLineFailure(cli(['monitor', 'host', '--target', 'root@127.0.0.1:1'], { HOME: home }), 1);
  });

  describe.skipIf(!hasScript)('on a terminal (needs util-linux script)', () => {
    let ttyHome = '';
    const passphrase = 'dm-pass-7f3a';
    beforeAll(() => {
      ttyHome = mkdtempSync(join(tmpdir(), 'dm-cli-tty-'));
      mkdirSync(join(ttyHome, '.ssh'), { mode: 0o700 });
      // A passphrase-protected key first: the client must decrypt it, so it asks for the passphrase.
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', join(ttyHome, 'locked_key')]);
      writeFileSync(
        join(ttyHome, '.ssh', 'config'),
        `Host dmtest\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n  IdentityFile ${join(ttyHome, 'locked_key')}\n` +
          `  IdentityFile ${join(SSHD, 'client_ed25519')}\n  IdentitiesOnly yes\n`,
      );
    });
    afterAll(() => {
      if (ttyHome) rmSync(ttyHome, { recursive: true, force: true });
    });

    it('answering "no" to the host-key question refuses the connection', async () => {
      const r = await cliOnTty(
        ['monitor', 'host', '--target', 'dmtest'],
        { HOME: ttyHome },
        [['(yes/no)? ', 'no']],
        30_000 * SHARED_FACTOR,
      );
      expect(r.screen).toContain(`The authenticity of host [127.0.0.1]:${port} can't be established.`);
      expect(r.status).toBe(1);
      expect(existsSync(join(ttyHome, '.ssh', 'known_hosts'))).toBe(false);
    });

    it('asks about the host key, then for the passphrase without echoing it', async () => {
      const r = await cliOnTty(
        ['monitor', 'host', '--json', '--interval', '0.2', '--target', 'dmtest'],
        { HOME: ttyHome },
        [
          ['(yes/no)? ', 'yes'],
          [`Passphrase for ${join(ttyHome, 'locked_key')}: `, passphrase],
        ],
        30_000 * SHARED_FACTOR,
      );
      expect(r.status, r.screen).toBe(0);
      expect(r.screen).toContain('"hostname": ');
      expect(r.screen).not.toContain(passphrase);
      const blob = readFileSync(join(SSHD, 'host_ed25519.pub'), 'utf8').split(' ')[1];
      expect(readFileSync(join(ttyHome, '.ssh', 'known_hosts'), 'utf8')).toContain(blob);
    });
  });
});
