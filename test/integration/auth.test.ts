// Authentication against the real test sshd (scripts/test-env.sh): by agent (a real ssh-agent started here), by
// password (the test sshd's user dmpass, password in a root-only file), by an encrypted key with a passphrase.
// Each failure must be a clear 'auth-failed' MonitorError at once, well under the connect timeout; and no secret
// (password, passphrase, key material) may appear in anything a session emits: log lines, error messages and
// stacks, or the CLI's terminal with DOCKER_MONITOR_DEBUG=1.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import type { OpenOptions } from '../../src/core/transport/target';
import { MonitorError } from '../../src/core/errors';
import type { Transport } from '../../src/core/transport/types';
import { cliOnTty, hasScript } from './tty';
import { PASS_FILE, PASS_USER, SSHD_DIR, SSH_PORT, makeSshHome, sshReady, sshSkipReason } from './env';

const ROOT = resolve(__dirname, '../..');
const CLIENT_KEY = join(SSHD_DIR, 'client_ed25519');
/** Connect timeout of every attempt here; a clear failure must come long before it. */
const TIMEOUT_MS = 15_000;
/** "At once": auth failures against a local sshd take milliseconds; this leaves room for a loaded machine. */
const PROMPT_MS = 5_000;
const passwordReady = sshReady && existsSync(PASS_FILE);
const PASSPHRASE = 'dm-Passphrase-9c1e5b';
const WRONG_PASSWORD = 'dm-Wrong-Password-4d2a';
const WRONG_PASSPHRASE = 'dm-Wrong-Passphrase-77b0';

/** Everything a session emitted: log lines, then the error's message, stack and JSON form. */
interface Outcome {
  transport: Transport | null;
  error: MonitorError | null;
  ms: number;
  emitted: string;
}

async function attempt(target: string, home: string, options: OpenOptions = {}): Promise<Outcome> {
  const lines: string[] = [];
  const started = performance.now();
  try {
    const transport = await openTransport(parseTarget(target), {
      home,
      readyTimeoutMs: TIMEOUT_MS,
      log: (l) => lines.push(l),
      ...options,
    });
    return { transport, error: null, ms: performance.now() - started, emitted: lines.join('\n') };
  } catch (e) {
    const ms = performance.now() - started;
    const err = e as Error;
    lines.push(err.message, err.stack ?? '', JSON.stringify(err), String(err));
    if (!(e instanceof MonitorError)) throw new Error(`not a MonitorError: ${err.stack}`);
    return { transport: null, error: e, ms, emitted: lines.join('\n') };
  }
}

/** The home of makeSshHome with the alias `dmtest`'s identity and agent lines replaced. */
function homeWith(lines: { identityFile?: string; agent?: string; user?: string }): string {
  const { home } = makeSshHome();
  const path = join(home, '.ssh', 'config');
  let config = readFileSync(path, 'utf8');
  if (lines.identityFile !== undefined)
    config = config.replace(/^ {2}IdentityFile .*$/m, `  IdentityFile ${lines.identityFile}`);
  if (lines.agent !== undefined) config = config.replace(/^ {2}IdentityAgent .*$/m, `  IdentityAgent ${lines.agent}`);
  if (lines.user !== undefined) config = config.replace(/^ {2}User .*$/m, `  User ${lines.user}`);
  writeFileSync(path, config);
  return home;
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) {
    // The failure message shows where, with the secret masked: a failing test must not print it either.
    const where = text
      .split('\n')
      .filter((l) => l.includes(s))
      .map((l) => l.split(s).join('<SECRET>'));
    expect(where, `a secret appears in what the session emitted`).toEqual([]);
  }
}

/** Key material of a private key file: its base64 body lines (any of them would leak part of the key). */
function keyMaterial(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .map((l) => l.slice(0, 40));
}

async function runCommand(t: Transport, argv: string[]): Promise<string> {
  const r = await t.exec(argv, { timeoutMs: 10_000 });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe.skipIf(!sshReady)(`authentication (${sshSkipReason})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-auth-'));
  let agent: ChildProcess | null = null;
  const agentSock = join(dir, 'agent.sock');
  const lockedKey = join(dir, 'locked_key');
  const strangerKey = join(dir, 'stranger_key');

  beforeAll(async () => {
    // The test client key, encrypted with a known passphrase (ssh-keygen -p), and a key the server does not know.
    copyFileSync(CLIENT_KEY, lockedKey);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', PASSPHRASE, '-f', lockedKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
    // A real ssh-agent of our own, in the foreground so that it ends with the test.
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(agentSock), 'ssh-agent did not create its socket').toBe(true);
  });
  afterAll(() => {
    agent?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const agentKeys = (): string =>
    spawnSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, encoding: 'utf8' }).stdout;
  const agentAdd = (key: string) =>
    execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'pipe' });
  const agentClear = () =>
    execFileSync('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'pipe' });

  it('a key the server does not know: auth-failed at once, naming the key tried', async () => {
    const home = homeWith({ identityFile: strangerKey });
    const r = await attempt('dmtest', home);
    expect(r.error?.code, r.emitted).toBe('auth-failed');
    expect(r.ms).toBeLessThan(PROMPT_MS);
    expect(r.error!.message).toMatch(
      new RegExp(`authentication to root@127\\.0\\.0\\.1:${SSH_PORT} failed; tried key ${strangerKey}`),
    );
    expectNoSecret(r.emitted, keyMaterial(strangerKey));
  });

  it('an agent that holds no key: auth-failed at once, saying the agent was tried', async () => {
    agentClear();
    expect(agentKeys()).not.toMatch(/ED25519/);
    const home = homeWith({ identityFile: 'none', agent: agentSock });
    const r = await attempt('dmtest', home);
    expect(r.error?.code, r.emitted).toBe('auth-failed');
    expect(r.ms).toBeLessThan(PROMPT_MS);
    expect(r.error!.message).toContain('tried agent');
  });

  it('an agent that holds the client key: authenticates with it, and runs a command', async () => {
    agentAdd(CLIENT_KEY);
    try {
      expect(agentKeys()).toMatch(/ED25519/);
      const home = homeWith({ identityFile: 'none', agent: agentSock });
      const r = await attempt('dmtest', home);
      expect(r.error, r.emitted).toBeNull();
      try {
        expect(r.emitted).toMatch(
          new RegExp(
            `authenticated to root@127\\.0\\.0\\.1:${SSH_PORT} with agent \\(${agentSock.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`,
          ),
        );
        expect(await runCommand(r.transport!, ['id', '-un'])).toBe('root');
      } finally {
        await r.transport!.close();
      }
      expectNoSecret(r.emitted, keyMaterial(CLIENT_KEY));
    } finally {
      agentClear();
    }
  });

  it('an encrypted key: the right passphrase authenticates; it is asked once and never emitted', async () => {
    const home = homeWith({ identityFile: lockedKey });
    const asked: string[] = [];
    const r = await attempt('dmtest', home, { askPassphrase: async (k) => (asked.push(k), PASSPHRASE) });
    expect(r.error, r.emitted).toBeNull();
    try {
      expect(asked).toEqual([lockedKey]);
      expect(await runCommand(r.transport!, ['id', '-un'])).toBe('root');
    } finally {
      await r.transport!.close();
    }
    expectNoSecret(r.emitted, [PASSPHRASE, ...keyMaterial(CLIENT_KEY)]);
  });

  it('an encrypted key with a wrong passphrase: auth-failed at once, saying so, without the passphrase', async () => {
    const home = homeWith({ identityFile: lockedKey });
    let asked = 0;
    const r = await attempt('dmtest', home, { askPassphrase: async () => (asked++, WRONG_PASSPHRASE) });
    expect(r.error?.code, r.emitted).toBe('auth-failed');
    // Each wrong passphrase costs a bcrypt key derivation (CPU, not waiting): allow three of them as ssh-keygen takes.
    const kdf = performance.now();
    spawnSync('ssh-keygen', ['-y', '-P', WRONG_PASSPHRASE, '-f', lockedKey], { stdio: 'ignore' });
    expect(r.ms).toBeLessThan(PROMPT_MS + 3 * (performance.now() - kdf));
    expect(r.ms).toBeLessThan(TIMEOUT_MS);
    expect(asked).toBe(3);
    expect(r.error!.message).toContain(`key ${lockedKey}: wrong passphrase`);
    expectNoSecret(r.emitted, [WRONG_PASSPHRASE, PASSPHRASE, ...keyMaterial(lockedKey), ...keyMaterial(CLIENT_KEY)]);
  });

  describe.skipIf(!passwordReady)(
    `password user ${PASS_USER} (${passwordReady || !sshReady ? PASS_FILE : `no ${PASS_FILE}: run scripts/test-env.sh`})`,
    () => {
      const password = () => readFileSync(PASS_FILE, 'utf8').trim();
      const target = () => `${PASS_USER}@127.0.0.1:${SSH_PORT}`;
      const home = () => makeSshHome().home; // known_hosts trusts the test sshd; no key of this user's

      it('the right password authenticates; it is asked once and never emitted', async () => {
        const prompts: string[] = [];
        const r = await attempt(target(), home(), { askPassword: async (p) => (prompts.push(p), password()) });
        expect(r.error, r.emitted).toBeNull();
        try {
          expect(prompts).toEqual([`Password for ${target()}`]);
          expect(r.emitted).toContain(`authenticated to ${target()} with password`);
          expect(await runCommand(r.transport!, ['id', '-un'])).toBe(PASS_USER);
        } finally {
          await r.transport!.close();
        }
        expectNoSecret(r.emitted, [password()]);
      });

      it('a wrong password: auth-failed at once after three prompts, without the password', async () => {
        const prompts: string[] = [];
        const r = await attempt(target(), home(), { askPassword: async (p) => (prompts.push(p), WRONG_PASSWORD) });
        expect(r.error?.code, r.emitted).toBe('auth-failed');
        expect(r.ms).toBeLessThan(PROMPT_MS);
        expect(prompts).toEqual([
          `Password for ${target()}`,
          `Password for ${target()} (attempt 2 of 3)`,
          `Password for ${target()} (attempt 3 of 3)`,
        ]);
        expect(r.error!.message).toMatch(/tried password/);
        expectNoSecret(r.emitted, [WRONG_PASSWORD, password()]);
      });

      it('no password prompt available (the CLI without a terminal): auth-failed at once, saying so', async () => {
        const r = await attempt(target(), home());
        expect(r.error?.code, r.emitted).toBe('auth-failed');
        expect(r.ms).toBeLessThan(PROMPT_MS);
        expect(r.error!.message).toContain('no password prompt available');
      });
    },
  );
});

describe.skipIf(!passwordReady || !hasScript)(
  `the CLI with DOCKER_MONITOR_DEBUG=1 never shows a secret (${!hasScript ? 'skipped: needs util-linux script' : !passwordReady && sshReady ? `skipped: no ${PASS_FILE}` : sshSkipReason})`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-auth-cli-'));
    const lockedKey = join(dir, 'locked_key');
    const password = () => readFileSync(PASS_FILE, 'utf8').trim();
    beforeAll(() => {
      execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
      copyFileSync(CLIENT_KEY, lockedKey);
      execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', PASSPHRASE, '-f', lockedKey]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function cliHome(identityFile: string | null): string {
      const home = mkdtempSync(join(dir, 'home-'));
      mkdirSync(join(home, '.ssh'), { mode: 0o700 });
      const hostKey = readFileSync(join(SSHD_DIR, 'host_ed25519.pub'), 'utf8').split(/\s+/).slice(0, 2).join(' ');
      writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${SSH_PORT} ${hostKey}\n`);
      if (identityFile) {
        writeFileSync(
          join(home, '.ssh', 'config'),
          `Host dmtest\n  HostName 127.0.0.1\n  Port ${SSH_PORT}\n  User root\n  IdentityFile ${identityFile}\n  IdentitiesOnly yes\n`,
        );
      }
      return home;
    }
    const debug = (home: string) => ({ HOME: home, DOCKER_MONITOR_DEBUG: '1' });

    it('password: right, then wrong three times', async () => {
      const target = `${PASS_USER}@127.0.0.1:${SSH_PORT}`;
      const ok = await cliOnTty(
        ['monitor', 'host', '--json', '--interval', '0.2', '--target', target],
        debug(cliHome(null)),
        [[`Password for ${target}`, password()]],
      );
      expect(ok.status, ok.screen).toBe(0);
      expect(ok.screen).toContain(`debug: ssh: authenticated to ${target} with password`);
      expect(ok.screen).toContain('"hostname": ');
      expectNoSecret(ok.screen, [password()]);

      const bad = await cliOnTty(['monitor', 'host', '--target', target], debug(cliHome(null)), [
        [`Password for ${target}`, WRONG_PASSWORD],
        ['(attempt 2 of 3)', WRONG_PASSWORD],
        ['(attempt 3 of 3)', WRONG_PASSWORD],
      ]);
      expect(bad.status, bad.screen).toBe(1);
      expect(bad.screen).toMatch(
        new RegExp(`docker-monitor: authentication to ${target.replace(/\./g, '\\.')} failed; tried password`),
      );
      expectNoSecret(bad.screen, [WRONG_PASSWORD, password()]);
    });

    it('passphrase: right, then wrong three times', async () => {
      const ok = await cliOnTty(
        ['monitor', 'host', '--json', '--interval', '0.2', '--target', 'dmtest'],
        debug(cliHome(lockedKey)),
        [[`Passphrase for ${lockedKey}: `, PASSPHRASE]],
      );
      expect(ok.status, ok.screen).toBe(0);
      expect(ok.screen).toContain(`debug: ssh: authenticated to root@127.0.0.1:${SSH_PORT} with key ${lockedKey}`);
      expectNoSecret(ok.screen, [PASSPHRASE, ...keyMaterial(lockedKey), ...keyMaterial(CLIENT_KEY)]);

      const prompt = `Passphrase for ${lockedKey}: `;
      const bad = await cliOnTty(['monitor', 'host', '--target', 'dmtest'], debug(cliHome(lockedKey)), [
        [prompt, WRONG_PASSPHRASE],
        // The same prompt again: wait for its second and third showing.
        [`${prompt}\r\n${prompt}`, WRONG_PASSPHRASE],
        [`${prompt}\r\n${prompt}\r\n${prompt}`, WRONG_PASSPHRASE],
      ]);
      expect(bad.status, bad.screen).toBe(1);
      expect(bad.screen).toContain(`key ${lockedKey}: wrong passphrase`);
      expectNoSecret(bad.screen, [WRONG_PASSPHRASE, PASSPHRASE, ...keyMaterial(lockedKey)]);
    });
  },
);
