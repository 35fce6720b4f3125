// The test environment owns what it uses (scripts/test-env.sh, test/integration/env.ts): its sshd on a port of its
// own, recorded in a state file, and a check that the sshd answering there is ours. Another sshd on the port (another
// project's, another checkout's test env) must give one clear message, not host-key errors in every SSH test.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSHD_DIR, SSH_PORT, readSshdState, sshProblem, sshReady, startOwnSshd, testSshdProblem } from './env';

const ROOT = resolve(__dirname, '../..');
const isRoot = process.getuid?.() === 0;
const stateWritten = readSshdState() !== null;

describe.skipIf(!stateWritten)(`the test sshd of ${SSHD_DIR}`, () => {
  it('is the sshd answering on the port of its state file (else: why, in one message)', () => {
    expect(sshProblem, `${sshProblem}`).toBeNull();
    expect(sshReady).toBe(true);
    const pid = readSshdState()!.pid;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'latin1')).toContain(join(SSHD_DIR, 'sshd_config'));
    expect(execFileSync('ss', ['-Hltnp', `sport = :${SSH_PORT}`], { encoding: 'utf8' })).toContain(`pid=${pid},`);
  });
});

describe.skipIf(!sshReady || !isRoot)('a foreign sshd (another host key) is told apart from ours', () => {
  let foreign: { port: number; stop: () => void };
  const dir = mkdtempSync(join(tmpdir(), 'dm-foreign-sshd-'));
  beforeAll(async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
    // Our config with its host keys replaced: the same daemon, another machine's identity.
    foreign = await startOwnSshd((c) =>
      c
        .replace(/^HostKey .*\n/gm, '')
        .replace(/^ListenAddress .*$/m, (l) => `${l}\nHostKey ${join(dir, 'host_ed25519')}`),
    );
  });
  afterAll(() => {
    foreign?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the port and both fingerprints for the foreign sshd, and nothing for ours', () => {
    const problem = testSshdProblem(foreign.port);
    expect(problem).toMatch(
      new RegExp(
        `^the sshd on 127\\.0\\.0\\.1:${foreign.port} is not this test env's: it presents ssh-ed25519 SHA256:`,
      ),
    );
    const theirs = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_ed25519.pub')], {
      encoding: 'utf8',
    }).split(/\s+/)[1];
    const ours = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(SSHD_DIR, 'host_ed25519.pub')], {
      encoding: 'utf8',
    }).split(/\s+/)[1];
    expect(problem).toContain(theirs);
    expect(problem).toContain(ours);
    expect(problem).toContain('bash scripts/test-env.sh');
    expect(testSshdProblem(SSH_PORT)).toBeNull();
  });

  it('says nothing answers on a closed port, and that the state file is missing when it is', async () => {
    const closed = await startOwnSshd((c) => c);
    closed.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(testSshdProblem(closed.port)).toMatch(new RegExp(`^no sshd answers on 127\\.0\\.0\\.1:${closed.port} `));
    expect(testSshdProblem(null)).toMatch(/^no state file .*\/state saying which port/);
  });
});

describe.skipIf(!sshReady || !isRoot)(
  'scripts/test-env.sh with another state directory (a second checkout on this machine)',
  () => {
    const state = mkdtempSync(join(tmpdir(), 'dm-test-state-'));
    const sshd = join(state, 'sshd');
    let holder: ChildProcess | null = null;
    const env = { ...process.env, DM_TEST_STATE: state, DM_TEST_PASS_USER: '' }; // leaves the machine's dmpass alone
    afterAll(() => {
      holder?.kill();
      const s = readSshdState(sshd);
      if (s && existsSync(`/proc/${s.pid}`) && readFileSync(`/proc/${s.pid}/cmdline`, 'latin1').includes(sshd))
        process.kill(s.pid);
      rmSync(state, { recursive: true, force: true });
    });

    it('keeps off the ports in use (2222 and ours), records port and pid, and its sshd is its own', () => {
      // 2222 is in use here: by our test sshd (test-env.sh took it while free) or by whatever else holds it.
      let holds2222 = false;
      try {
        execFileSync('bash', ['-c', 'exec 3<>/dev/tcp/127.0.0.1/2222'], { stdio: 'ignore' });
        holds2222 = true;
      } catch {
        holder = spawn(process.execPath, ['-e', "require('net').createServer().listen(2222, '127.0.0.1')"], {
          stdio: 'ignore',
        });
        execFileSync('bash', [
          '-c',
          'for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/2222) 2>/dev/null && exit 0; sleep 0.1; done; exit 1',
        ]);
        holds2222 = true;
      }
      expect(holds2222).toBe(true);
      const out = execFileSync('bash', [join(ROOT, 'scripts/test-env.sh')], { env, encoding: 'utf8' });
      const s = readSshdState(sshd);
      expect(s, out).not.toBeNull();
      expect(s!.port).not.toBe(2222);
      expect(s!.port).not.toBe(SSH_PORT);
      expect(out).toContain(`started sshd on 127.0.0.1:${s!.port}`);
      expect(readFileSync(`/proc/${s!.pid}/cmdline`, 'latin1')).toContain(join(sshd, 'sshd_config'));
      expect(testSshdProblem(s!.port, sshd)).toBeNull();
      // Each env's sshd is told apart from the other's.
      expect(testSshdProblem(s!.port)).toMatch(/is not this test env's/);
      expect(testSshdProblem(SSH_PORT, sshd)).toMatch(/is not this test env's/);
      expect(readFileSync(join(sshd, 'sshd_config'), 'utf8')).not.toMatch(/^Match /m);

      // Run again: the same sshd, the same port.
      const again = execFileSync('bash', [join(ROOT, 'scripts/test-env.sh')], { env, encoding: 'utf8' });
      expect(again).not.toContain('started sshd');
      expect(readSshdState(sshd)).toEqual(s);
    }, 120_000);
  },
);
