// What the integration suites need from this machine, and independent ways to read it (the docker CLI, ip).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD_DIR = '/tmp/docker-monitor-test/sshd';
export const SSH_PORT = 2222;

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function works(cmd: string, args: string[]): boolean {
  try {
    run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

export const dockerReady = works('docker', ['inspect', 'dm-limited', 'dm-multi', 'dm-unlimited', 'dm-hostnet']);
export const dockerSkipReason = 'needs dockerd and the dm-* test containers: run `bash scripts/test-env.sh` as root';
export const sshReady = existsSync(`${SSHD_DIR}/client_ed25519`) && works('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${SSH_PORT}`]);
export const sshSkipReason = 'needs the test sshd on 127.0.0.1:2222: run `bash scripts/test-env.sh` as root';

export function inspect<T = any>(name: string): T {
  return JSON.parse(run('docker', ['inspect', name]))[0] as T;
}

/**
 * A HOME with an ~/.ssh/config alias `dmtest` for the test sshd and a known_hosts that trusts its host key:
 * the setup a user would have.
 */
export function makeSshHome(): { home: string; knownHosts: string } {
  const home = mkdtempSync(join(tmpdir(), 'dm-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  const knownHosts = join(home, '.ssh', 'known_hosts');
  const hostKey = readFileSync(`${SSHD_DIR}/host_ed25519.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  writeFileSync(knownHosts, `[127.0.0.1]:${SSH_PORT} ${hostKey}\n`, { mode: 0o600 });
  writeFileSync(
    join(home, '.ssh', 'config'),
    [
      'Host dmtest',
      '  HostName 127.0.0.1',
      `  Port ${SSH_PORT}`,
      '  User root',
      `  IdentityFile ${SSHD_DIR}/client_ed25519`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  IdentityAgent none',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { home, knownHosts };
}

/**
 * A second sshd of the calling suite's own, on a free loopback port, from the test sshd's config as `edit`
 * changes it (Port and PidFile are set here). Stop it with the returned `stop`.
 */
export async function startOwnSshd(edit: (config: string) => string): Promise<{ port: number; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-sshd-own-'));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const config = edit(readFileSync(`${SSHD_DIR}/sshd_config`, 'utf8'))
    .replace(/^Port .*$/m, `Port ${port}`)
    .replace(/^PidFile .*$/m, `PidFile ${dir}/sshd.pid`);
  writeFileSync(join(dir, 'sshd_config'), config);
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, stop: () => sshd.kill() };
}
