// The Docker socket denied to a non-root SSH user (issue 9 §3): a user of this suite's own (created here, not in the
// docker group) on an sshd of its own. The monitor still sees the running containers from their cgroups, with their
// metrics, and the gap analysis says docker-api-unreachable. Expected values come from the docker CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeGaps } from '../../../src/core/analyze/gaps';
import { Collector } from '../../../src/core/collect/collector';
import { openTarget } from '../../../src/core/targets/settings/openTarget';
import { parseTargetSetting } from '../../../src/core/targets/settings/targetConfig';
import { DEFAULT_DOCKER_SOCKET as DOCKER_SOCKET } from '../../../src/core/docker/engineApi';
import { SSHD_DIR, dockerReady, dockerSkipReason, run, sshReady, sshSkipReason, startOwnSshd } from '../env';

const USER = 'dmfaultuser';
const isRoot = process.getuid?.() === 0;

describe.skipIf(!sshReady || !dockerReady || !isRoot)(
  `Docker socket denied to a non-root SSH user (${sshSkipReason}; ${dockerSkipReason}; root)`,
  () => {
    let sshd: { port: number; stop: () => void };
    let collector: Collector | null = null;

    beforeAll(async () => {
      spawnSync('userdel', [USER], { stdio: 'ignore' });
      // No home (the test sshd's AuthorizedKeysFile is one absolute file for every user), a POSIX shell, no docker group.
      execFileSync('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', USER]);
      // Its password field is '!' (locked): OpenSSH without PAM refuses even key logins to a locked account.
      execFileSync('usermod', ['-p', '*', USER]);
      sshd = await startOwnSshd((c) => c);
    });
    afterAll(async () => {
      await collector?.close();
      sshd?.stop();
      // userdel refuses while the user's session is still winding down: wait for it, then end what is left (by PID).
      for (let i = 0; i < 50; i++) {
        const pids = spawnSync('pgrep', ['-u', USER], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter(Boolean)
          .map(Number);
        if (pids.length === 0) break;
        if (i === 49) for (const pid of pids) process.kill(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 100));
      }
      spawnSync('userdel', [USER], { stdio: 'ignore' });
      expect(spawnSync('id', [USER]).status).not.toBe(0);
    });

    it('containers come from cgroups with their metrics, the snapshot says why Docker is unreachable, and the gap analysis says docker-api-unreachable', async () => {
      // Independently: this user may not write to the socket.
      expect(spawnSync('su', ['-s', '/bin/sh', USER, '-c', `test -w ${DOCKER_SOCKET}`]).status).not.toBe(0);
      const home = mkdtempSync(join(tmpdir(), 'dm-home-denied-'));
      const def = parseTargetSetting({
        name: 'denied',
        host: '127.0.0.1',
        port: sshd.port,
        user: USER,
        identityFile: `${SSHD_DIR}/client_ed25519`,
      });
      const transport = await openTarget(def, { home, acceptNewHostKey: true });
      collector = new Collector(transport);
      const s = await collector.sampleWithRates(500);
      expect((await transport.exec(['id', '-un'])).stdout.trim()).toBe(USER);

      expect(s.docker.reachable).toBe(false);
      expect(s.docker.reason).toContain('permission denied');
      expect(s.docker.reason).toContain(DOCKER_SOCKET);
      const running = run('docker', ['ps', '-q', '--no-trunc']).split('\n').filter(Boolean);
      const byId = new Map(s.containers.map((c) => [c.id, c]));
      for (const id of running) {
        const c = byId.get(id);
        expect(c, `container ${id} from cgroups`).toBeDefined();
        expect(c!.memory.usageBytes).not.toBeNull();
        expect(c!.cpu.usageNs ?? null).not.toBeNull();
      }
      const limited = byId.get(run('docker', ['inspect', '-f', '{{.Id}}', 'dm-limited']))!;
      expect(limited.memory.limitBytes).toBe(
        Number(run('docker', ['inspect', '-f', '{{.HostConfig.Memory}}', 'dm-limited'])),
      );

      const finding = analyzeGaps(s).find((f) => f.rule === 'docker-api-unreachable');
      expect(finding).toBeDefined();
      expect(finding!.evidence).toMatchObject({
        reachable: false,
        socketPath: DOCKER_SOCKET,
        containersFromCgroups: s.containers.length,
      });
    });
  },
);
