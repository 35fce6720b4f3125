// A fresh, throwaway VS Code profile for one run: user data, server data, extensions, an empty workspace folder,
// and a HOME whose ~/.ssh holds what a user of the SSH targets would have (config alias, known_hosts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD_DIR = process.env.DM_TEST_STATE
  ? join(process.env.DM_TEST_STATE, 'sshd')
  : '/tmp/docker-monitor-test/sshd';
/** The test sshd's port, from the state file scripts/test-env.sh writes (0 when there is none). */
export const SSH_PORT = (() => {
  try {
    const port = Number(/^port=(\d+)$/m.exec(readFileSync(join(SSHD_DIR, 'state'), 'utf8'))?.[1]);
    return port > 0 && port < 65536 ? port : 0;
  } catch {
    return 0;
  }
})();
/** Names of the SSH targets the settings declare; the suite finds them as target ids `ssh:<name>`. */
export const SSH_OK = 'ssh-ok';
export const SSH_BAD_KEY = 'ssh-badkey';
/** ~/.ssh/config alias whose UserKnownHostsFile holds a different key for the same host and port. */
const BAD_KEY_ALIAS = 'dm-badkey';

function portOpen(port) {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.setTimeout(2000, () => (s.destroy(), resolve(false)));
    s.once('connect', () => (s.end(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Why the SSH tests cannot run here, or null when the test sshd is up. */
export async function sshUnavailableReason() {
  if (!existsSync(join(SSHD_DIR, 'client_ed25519')) || !existsSync(join(SSHD_DIR, 'host_ed25519.pub'))) {
    return `no test sshd keys in ${SSHD_DIR}: run \`bash scripts/test-env.sh\` as root`;
  }
  if (SSH_PORT === 0)
    return `no state file ${join(SSHD_DIR, 'state')} naming the test sshd's port: run \`bash scripts/test-env.sh\` as root`;
  if (!(await portOpen(SSH_PORT)))
    return `nothing listens on 127.0.0.1:${SSH_PORT}: run \`bash scripts/test-env.sh\` as root`;
  // Another sshd on that port (another checkout's, another project's) would fail every SSH test with host-key errors.
  const ours = pubKey(join(SSHD_DIR, 'host_ed25519.pub')).split(' ')[1];
  let scan = '';
  try {
    scan = execFileSync('ssh-keyscan', ['-T', '5', '-t', 'ed25519', '-p', String(SSH_PORT), '127.0.0.1'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    /* judged below: no key seen */
  }
  const presented = scan
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[2])
    .filter(Boolean);
  if (!presented.includes(ours)) {
    return `the sshd on 127.0.0.1:${SSH_PORT} is not this test env's (it does not present ${join(SSHD_DIR, 'host_ed25519.pub')}): run \`bash scripts/test-env.sh\` as root`;
  }
  return null;
}

function pubKey(file) {
  return readFileSync(file, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

function makeHome(root, withSsh) {
  const home = join(root, 'home');
  const ssh = join(home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  if (!withSsh) return home;
  const identity = join(SSHD_DIR, 'client_ed25519');
  writeFileSync(join(ssh, 'known_hosts'), `[127.0.0.1]:${SSH_PORT} ${pubKey(join(SSHD_DIR, 'host_ed25519.pub'))}\n`, {
    mode: 0o600,
  });
  // A key the server does not have: what a user sees after the server was reinstalled, or under a MITM.
  const wrong = join(root, 'wrong_host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'not-the-server', '-f', wrong]);
  const badKnownHosts = join(ssh, 'known_hosts_badkey');
  writeFileSync(badKnownHosts, `[127.0.0.1]:${SSH_PORT} ${pubKey(`${wrong}.pub`)}\n`, { mode: 0o600 });
  writeFileSync(
    join(ssh, 'config'),
    [
      `Host ${BAD_KEY_ALIAS}`,
      '  HostName 127.0.0.1',
      `  Port ${SSH_PORT}`,
      '  User root',
      `  IdentityFile ${identity}`,
      `  UserKnownHostsFile ${badKnownHosts}`,
      '  IdentityAgent none',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return home;
}

function settingsFor(ssh, badKeyTarget) {
  return {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'dockerMonitor.refreshInterval': 2,
    'dockerMonitor.showLocalTarget': true,
    'dockerMonitor.targets': ssh
      ? [
          // Every field given in the setting itself...
          {
            name: SSH_OK,
            host: '127.0.0.1',
            port: SSH_PORT,
            user: 'root',
            identityFile: join(SSHD_DIR, 'client_ed25519'),
          },
          // ...and one that relies on ~/.ssh/config, whose known_hosts does not match the server.
          ...(badKeyTarget ? [{ name: SSH_BAD_KEY, host: BAD_KEY_ALIAS }] : []),
        ]
      : [],
  };
}

/**
 * Creates the profile of one run. `ssh` is true when the test sshd is up: the settings then declare the SSH
 * target, and unless `badKeyTarget` is false also the one whose known_hosts does not match. Settings go to the
 * user settings and, for the VS Code server, to its machine settings too, so that settings with `machine` scope
 * apply in the remote window as well.
 */
/** History files planted before VS Code starts: the extension deletes the stale one when it activates. */
export const PLANTED_HISTORY = { stale: 'removed-by-hand-0123456789.dmh', recent: 'recent-0123456789.dmh' };

/** Where the extension's history folder is under each runner (desktop user data, or the server's). */
export function historyDirs(p) {
  return [join(p.userDataDir, 'User'), join(p.serverDataDir, 'data', 'User')].map((d) =>
    join(d, 'globalStorage', 'docker-monitor.docker-monitor', 'history'),
  );
}

function plantHistory(p) {
  const now = Date.now() / 1000;
  for (const dir of historyDirs(p)) {
    mkdirSync(dir, { recursive: true });
    // 'DMH' and nothing else: either file would be read as empty were it loaded, which neither should be.
    for (const [name, hours] of [
      [PLANTED_HISTORY.stale, 30],
      [PLANTED_HISTORY.recent, 2],
    ]) {
      writeFileSync(join(dir, name), 'DMH');
      utimesSync(join(dir, name), now - hours * 3600, now - hours * 3600);
    }
  }
}

export function makeProfile(runner, { ssh, badKeyTarget = true }) {
  const root = mkdtempSync(join(tmpdir(), `dm-vscode-${runner}-`));
  const p = {
    root,
    userDataDir: join(root, 'user-data'),
    serverDataDir: join(root, 'server-data'),
    extensionsDir: join(root, 'extensions'),
    workspace: join(root, 'workspace'),
    home: makeHome(root, ssh),
    settings: settingsFor(ssh, badKeyTarget),
  };
  const text = `${JSON.stringify(p.settings, null, 2)}\n`;
  for (const dir of [join(p.userDataDir, 'User'), join(p.serverDataDir, 'data', 'Machine')]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'settings.json'), text);
  }
  mkdirSync(p.extensionsDir, { recursive: true });
  mkdirSync(p.workspace, { recursive: true });
  plantHistory(p);
  writeFileSync(join(p.workspace, 'README.txt'), 'Workspace of a Docker Monitor test run.\n');
  return p;
}

export function removeProfile(p) {
  rmSync(p.root, { recursive: true, force: true });
}

/** The environment of a process that runs VS Code for the tests: the profile's HOME, no agent, no outer VS Code. */
export function profileEnv(p) {
  const env = { ...process.env, HOME: p.home };
  delete env.SSH_AUTH_SOCK;
  delete env.ELECTRON_RUN_AS_NODE;
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_')) delete env[k];
  return env;
}
