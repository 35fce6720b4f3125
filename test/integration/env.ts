// What the integration suites need from this machine, and independent ways to read it (the docker CLI, ip).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { otherContainers, sharedFactor } from './sharedMachine';
import { join } from 'node:path';

/** scripts/test-env.sh's state directory (DM_TEST_STATE), and its sshd's keys, config and state file. */
export const STATE_DIR = process.env.DM_TEST_STATE ?? '/tmp/docker-monitor-test';
export const SSHD_DIR = join(STATE_DIR, 'sshd');
/** The label test-env.sh puts on its containers: tests assert about these and ignore any others on the machine. */
export const TEST_LABEL = 'docker-monitor-test=1';
/** The user of the test sshd that logs in by password, and the root-only file holding that password. */
export const PASS_USER = 'dmpass';
export const PASS_FILE = join(SSHD_DIR, `${PASS_USER}.password`);

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

/** The port and pid test-env.sh wrote for its sshd, or null when it has not run (or wrote nothing usable). */
export function readSshdState(dir = SSHD_DIR): { port: number; pid: number } | null {
  let text: string;
  try {
    text = readFileSync(join(dir, 'state'), 'utf8');
  } catch {
    return null;
  }
  const port = Number(/^port=(\d+)$/m.exec(text)?.[1]);
  const pid = Number(/^pid=(\d+)$/m.exec(text)?.[1]);
  return port > 0 && port < 65536 ? { port, pid } : null;
}

function fingerprint(blob: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Why the sshd answering on 127.0.0.1:`port` is not the test sshd whose keys are in `dir`, or null when it is:
 * it must present the ed25519 host key of `dir` (ssh-keyscan, compared with host_ed25519.pub). Another sshd on
 * that port (another project's, another checkout's test env) would otherwise fail every SSH test with host-key errors.
 */
export function testSshdProblem(port: number | null, dir = SSHD_DIR): string | null {
  const rerun = 'run `bash scripts/test-env.sh` as root (it picks a free port for its sshd)';
  if (!existsSync(join(dir, 'client_ed25519')) || !existsSync(join(dir, 'host_ed25519.pub')))
    return `no test sshd keys in ${dir}: ${rerun}`;
  if (port === null) return `no state file ${join(dir, 'state')} saying which port the test sshd listens on: ${rerun}`;
  const ours = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/)[1];
  const scan = spawnSync('ssh-keyscan', ['-T', '5', '-t', 'ed25519', '-p', String(port), '127.0.0.1'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (scan.error) return `cannot run ssh-keyscan (${scan.error.message}) to check the sshd on 127.0.0.1:${port}`;
  const presented = scan.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && !f[0].startsWith('#'))
    .map((f) => f[2]);
  if (presented.length === 0)
    return `no sshd answers on 127.0.0.1:${port} (the port in ${join(dir, 'state')}): ${rerun}`;
  if (!presented.includes(ours)) {
    return (
      `the sshd on 127.0.0.1:${port} is not this test env's: it presents ssh-ed25519 ${fingerprint(presented[0])}, ` +
      `but ${join(dir, 'host_ed25519.pub')} is ${fingerprint(ours)} (another sshd holds the port); ${rerun}`
    );
  }
  return null;
}

/** Other running containers on this machine, and the factor time bounds are multiplied by (sharedMachine.ts). */
export const OTHER_CONTAINERS = otherContainers();
export const SHARED_FACTOR = sharedFactor(OTHER_CONTAINERS);

export const dockerReady = works('docker', ['inspect', 'dm-limited', 'dm-multi', 'dm-unlimited', 'dm-hostnet']);
export const dockerSkipReason = 'needs dockerd and the dm-* test containers: run `bash scripts/test-env.sh` as root';
const sshdState = readSshdState();
/** The test sshd's port, from test-env.sh's state file (0 when there is none: the SSH suites are skipped then). */
export const SSH_PORT = sshdState?.port ?? 0;
/** Null when the test sshd is up and is ours; else what is wrong, for skip messages and test/integration/testEnv.test.ts. */
export const sshProblem = testSshdProblem(sshdState?.port ?? null);
export const sshReady = sshProblem === null;
export const sshSkipReason = sshProblem === null ? `the test sshd on 127.0.0.1:${SSH_PORT}` : `skipped: ${sshProblem}`;

/** The containers test-env.sh makes (dm-stopped is never started). */
export const TEST_CONTAINERS = ['dm-limited', 'dm-unlimited', 'dm-hostnet', 'dm-multi', 'dm-stopped'];

/**
 * The test containers' ids (`docker ps` with `-a` when `all`): what tests compare with, never every container here.
 * Throws when one of test-env.sh's containers lacks the label, so that a comparison is never with nothing.
 */
export function ownContainerIds(all = true): string[] {
  const rows = run('docker', [
    'ps',
    ...(all ? ['-a'] : []),
    '--no-trunc',
    '--filter',
    `label=${TEST_LABEL}`,
    '--format',
    '{{.ID}} {{.Names}}',
  ])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '));
  const missing = TEST_CONTAINERS.filter((n) => (all || n !== 'dm-stopped') && !rows.some((r) => r[1] === n));
  if (missing.length > 0)
    throw new Error(
      `${missing.join(', ')} not listed with label ${TEST_LABEL}: run \`bash scripts/test-env.sh\` as root`,
    );
  return rows.map((r) => r[0]).sort();
}

export function inspect<T = any>(name: string): T {
  return JSON.parse(run('docker', ['inspect', name]))[0] as T;
}

/**
 * A HOME with an ~/.ssh/config alias `dmtest` for the test sshd and a known_hosts that trusts its host key:
 * the setup a user would have.
 */
/** An ssh home whose config reaches the test sshd (or one on `port` with its keys) as `dmtest`. */
export function makeSshHome(port = SSH_PORT): { home: string; knownHosts: string } {
  const home = mkdtempSync(join(tmpdir(), 'dm-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  const knownHosts = join(home, '.ssh', 'known_hosts');
  const hostKey = readFileSync(`${SSHD_DIR}/host_ed25519.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`, { mode: 0o600 });
  writeFileSync(
    join(home, '.ssh', 'config'),
    [
      'Host dmtest',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
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

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it), for a server of a suite's own. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/**
 * A second sshd of the calling suite's own, on a free loopback port, from the test sshd's config as `edit`
 * changes it (Port and PidFile are set here). Stop it with the returned `stop`.
 */
export async function startOwnSshd(
  edit: (config: string) => string,
): Promise<{ port: number; pid: number; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-sshd-own-'));
  const port = await freeLoopbackPort();
  // `edit` sees the global part: a line it appends must not land in the trailing Match block.
  const text = readFileSync(`${SSHD_DIR}/sshd_config`, 'utf8');
  const match = text.search(/^Match /m);
  const [global, matchPart] = match < 0 ? [text, ''] : [text.slice(0, match), text.slice(match)];
  const edited = edit(global)
    .replace(/^Port .*$/m, `Port ${port}`)
    .replace(/^PidFile .*$/m, `PidFile ${dir}/sshd.pid`);
  const config = matchPart ? `${edited.replace(/\n*$/, '\n')}${matchPart}` : edited;
  writeFileSync(join(dir, 'sshd_config'), config);
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, pid: sshd.pid ?? 0, stop: () => sshd.kill() };
}

export interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  args: string;
}

function processes(): Proc[] {
  return run('ps', ['-eo', 'pid=,ppid=,comm=,args='])
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), comm: m[3], args: m[4] }));
}

/** Every process below `root` (not `root` itself), from `ps`: what a connection holds under an sshd. */
export function descendants(root: number): Proc[] {
  const all = processes();
  const out: Proc[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    out.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return out;
}
