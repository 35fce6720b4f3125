// Host keys of several types against the real test sshd (it holds an ED25519 and an ECDSA host key) and a second
// sshd of this suite's own that holds only the ED25519 one, with the real `ssh` client as the oracle on the same
// known_hosts files: a host known by one key type that presents another has CHANGED, in every mode.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import type { OpenOptions } from '../../src/core/transport/target';
import { MonitorError } from '../../src/core/errors';
import { SSHD_DIR, SSH_PORT, run, sshReady, sshSkipReason, startOwnSshd } from './env';

const CLIENT_KEY = `${SSHD_DIR}/client_ed25519`;
const hasEcdsa = existsSync(`${SSHD_DIR}/host_ecdsa.pub`);

function pub(file: string): string {
  return readFileSync(file, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}
function fingerprint(file: string): string {
  return run('ssh-keygen', ['-l', '-E', 'sha256', '-f', file]).split(/\s+/)[1];
}

/** A folder with a config for alias `kt` to 127.0.0.1:port and the given known_hosts file(s). */
function setup(
  port: number,
  knownHosts: Record<string, string>,
  extra = '',
): { dir: string; config: string; known: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'dm-keytypes-'));
  const known: string[] = [];
  for (const [name, text] of Object.entries(knownHosts)) {
    const f = join(dir, name);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, text);
    known.push(f);
  }
  const quoted = known.map((k) => `"${k}"`).join(' ');
  const config = join(dir, 'config');
  writeFileSync(
    config,
    `Host kt\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n  IdentityFile ${CLIENT_KEY}\n  IdentityAgent none\n` +
      `  UserKnownHostsFile ${quoted}\n  GlobalKnownHostsFile none\n${extra}`,
  );
  return { dir, config, known };
}

async function connect(s: { dir: string; config: string }, extra: OpenOptions = {}): Promise<MonitorError | null> {
  try {
    const t = await openTransport(parseTarget('kt'), { home: s.dir, sshConfigPath: s.config, ...extra });
    await t.close();
    return null;
  } catch (e) {
    if (!(e instanceof MonitorError)) throw e;
    return e;
  }
}

/**
 * What OpenSSH decides on the same files: 'changed' when it warns that the identification changed (under
 * `StrictHostKeyChecking no` it then connects anyway with password auth off; we refuse there, on purpose),
 * else 'ok', 'unknown' or the error text.
 */
function opensshVerdict(s: { config: string }, strict: string): string {
  const r = spawnSync(
    'ssh',
    ['-F', s.config, '-o', 'BatchMode=yes', '-o', `StrictHostKeyChecking=${strict}`, 'kt', 'true'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    },
  );
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(r.stderr)) return 'changed';
  if (r.status === 0) return 'ok';
  if (/Host key verification failed/.test(r.stderr)) return 'unknown';
  return r.stderr.trim();
}

function listing(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe.skipIf(!sshReady || !hasEcdsa)(`host keys of several types (${sshSkipReason})`, () => {
  it('asks the server for the known key type first: a host known only by its ECDSA key connects', async () => {
    const s = setup(SSH_PORT, { kh: `[127.0.0.1]:${SSH_PORT} ${pub(`${SSHD_DIR}/host_ecdsa.pub`)}\n` });
    const log: string[] = [];
    expect(await connect(s, { log: (l) => log.push(l) })).toBeNull();
    expect(log.some((l) => l.includes('host key ecdsa-sha2-nistp256') && l.includes('matches'))).toBe(true);
    expect(opensshVerdict(s, 'yes')).toBe('ok');
  });

  it('and a host known only by its ED25519 key connects too', async () => {
    const s = setup(SSH_PORT, { kh: `[127.0.0.1]:${SSH_PORT} ${pub(`${SSHD_DIR}/host_ed25519.pub`)}\n` });
    expect(await connect(s)).toBeNull();
    expect(opensshVerdict(s, 'yes')).toBe('ok');
  });

  it('refuses a quoted known_hosts path with a space holding another key, and writes no stray file', async () => {
    const other = mkdtempSync(join(tmpdir(), 'dm-otherkey-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(other, 'k')]);
    const s = setup(
      SSH_PORT,
      { 'my dir/known hosts': `[127.0.0.1]:${SSH_PORT} ${pub(join(other, 'k.pub'))}\n` },
      '  StrictHostKeyChecking accept-new\n',
    );
    const before = listing(s.dir);
    const e = await connect(s);
    expect(e?.code).toBe('host-key-changed');
    expect(e?.message).toContain(join(s.dir, 'my dir', 'known hosts'));
    expect(listing(s.dir)).toEqual(before); // nothing appended to a file named after the first word
    expect(readFileSync(s.known[0], 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(opensshVerdict(s, 'accept-new')).toBe('changed');
  });
});

/** A second sshd that holds only the ED25519 host key: it cannot present the ECDSA key known_hosts has. */
describe.skipIf(!sshReady || !hasEcdsa)(`a host known by ECDSA that presents ED25519 (${sshSkipReason})`, () => {
  let port = 0;
  let stop = (): void => undefined;
  beforeAll(async () => {
    ({ port, stop } = await startOwnSshd((config) => {
      const edited = config.replace(/^HostKey .*host_ecdsa\n/m, '');
      expect(edited).not.toContain('host_ecdsa');
      return edited;
    }));
  });
  afterAll(() => stop());

  const knownEcdsa = (): string =>
    `# known by its ECDSA key only\n[127.0.0.1]:${port} ${pub(`${SSHD_DIR}/host_ecdsa.pub`)}\n`;

  for (const mode of ['accept-new', 'no', 'ask', 'yes']) {
    it(`is refused as a changed key under StrictHostKeyChecking ${mode}, as OpenSSH refuses it`, async () => {
      const s = setup(port, { kh: knownEcdsa() }, `  StrictHostKeyChecking ${mode}\n`);
      let asked = false;
      const e = await connect(s, { confirmHostKey: async () => (asked = true) });
      expect(asked).toBe(false); // never the "authenticity can't be established" question
      expect(e?.code).toBe('host-key-changed');
      expect(e?.message).toContain('ecdsa-sha2-nistp256');
      expect(e?.message).toContain(`line 2 of ${s.known[0]}`);
      expect(e?.message).toContain(fingerprint(`${SSHD_DIR}/host_ed25519.pub`));
      expect(readFileSync(s.known[0], 'utf8')).toBe(knownEcdsa());
      expect(opensshVerdict(s, mode)).toBe('changed');
    });
  }

  it('is refused with --accept-new-host-key too', async () => {
    const s = setup(port, { kh: knownEcdsa() });
    const e = await connect(s, { acceptNewHostKey: true });
    expect(e?.code).toBe('host-key-changed');
    expect(readFileSync(s.known[0], 'utf8')).toBe(knownEcdsa());
  });

  it('still connects where known_hosts holds the ED25519 key it presents', async () => {
    const s = setup(port, { kh: `[127.0.0.1]:${port} ${pub(`${SSHD_DIR}/host_ed25519.pub`)}\n` });
    expect(await connect(s)).toBeNull();
    expect(opensshVerdict(s, 'yes')).toBe('ok');
  });
});
