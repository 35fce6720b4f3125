// An sshd of a suite's own that can be killed with everything it forked (a crash, a reboot of the target) and
// started again on the same port, for the fault tests and serve's target-down test.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSHD_DIR, descendants, freeLoopbackPort } from './env';

/** The test sshd's config on a free port. env.ts's startOwnSshd picks a new port each time. */
export class OwnSshd {
  readonly dir = mkdtempSync(join(tmpdir(), 'dm-sshd-fault-'));
  port = 0;
  private proc: ChildProcess | null = null;

  async start(): Promise<void> {
    if (this.port === 0) {
      this.port = await freeLoopbackPort();
      const config = readFileSync(`${SSHD_DIR}/sshd_config`, 'utf8')
        .replace(/^Port .*$/m, `Port ${this.port}`)
        .replace(/^PidFile .*$/m, `PidFile ${this.dir}/sshd.pid`);
      writeFileSync(join(this.dir, 'sshd_config'), config);
    }
    this.proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(this.dir, 'sshd_config')], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      if (spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${this.port}`]).status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`own sshd did not listen on ${this.port}`);
  }

  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  /** SIGKILL to the listener and every sshd process under it (the per-connection ones): sshd "crashed". */
  kill(): void {
    const tree = descendants(this.pid);
    for (const p of [this.pid, ...tree.filter((p) => p.comm.startsWith('sshd')).map((p) => p.pid)]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.proc = null;
  }

  stop(): void {
    if (this.pid) this.kill();
  }
}
