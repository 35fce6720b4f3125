// Faults mid-collection over SSH, against real daemons (issue 9 §3): an sshd of this suite's own killed under a
// running session and started again later, and a remote reader stopped with SIGSTOP while another target keeps
// refreshing. Counts come from ps, ss and /proc, never from the code under test (except the ssh2 channel count).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openTarget } from '../../../src/core/targets/settings/openTarget';
import { TargetSession } from '../../../src/core/targets/session';
import { localTarget, parseTargetSetting } from '../../../src/core/targets/settings/targetConfig';
import type { TargetDefinition } from '../../../src/core/targets/settings/targetConfig';
import type { SshTransport } from '../../../src/core/transport/ssh';
import type { Transport } from '../../../src/core/transport/types';
import {
  SSHD_DIR,
  descendants,
  dockerReady,
  dockerSkipReason,
  makeSshHome,
  run,
  sshReady,
  sshSkipReason,
} from '../env';
import { OwnSshd } from '../ownSshd';

const KEY = `${SSHD_DIR}/client_ed25519`;
const sessions: TargetSession[] = [];
const tickers: ReturnType<typeof setInterval>[] = [];
afterEach(async () => {
  for (const t of tickers.splice(0)) clearInterval(t);
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false,
  timeoutMs = 20_000,
  log?: string[],
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${log ? `; log:\n${log.join('\n')}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the target side holds for our connection: sshd processes and remote readers under the listener. */
function remoteCounts(listener: number): { sshd: number; readers: number } {
  const tree = descendants(listener);
  return {
    sshd: tree.filter((p) => p.comm.startsWith('sshd')).length,
    readers: tree.filter((p) => p.comm === 'perl' || p.comm === 'python3').length,
  };
}

/** Established TCP connections of this very process to `port`. */
function localConnections(port: number): number {
  const out = run('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`]);
  return out.split('\n').filter((l) => l.includes(`pid=${process.pid},`)).length;
}

function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  // A zombie has exited; only its parent has not reaped it yet.
  return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

function state(pid: number): string {
  return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

interface Started {
  session: TargetSession;
  log: string[];
  transports: Transport[];
  /** Most readBatch calls in flight at once, over all of this target's connections. */
  maxInFlight: () => number;
  snapshots: () => number;
}

/** A session ticked every `intervalMs` as the Poller would, recording its transports and concurrent reads. */
function start(
  def: TargetDefinition,
  home: string | undefined,
  intervalMs: number,
  refreshTimeoutMs?: number,
): Started {
  const log: string[] = [];
  const transports: Transport[] = [];
  let inFlight = 0;
  let max = 0;
  let snapshots = 0;
  let last: unknown = null;
  const session: TargetSession = new TargetSession({
    label: def.name,
    open: async () => {
      const t = await openTarget(def, { home, acceptNewHostKey: true });
      const read = t.readBatch.bind(t);
      t.readBatch = async (plan) => {
        inFlight++;
        max = Math.max(max, inFlight);
        try {
          return await read(plan);
        } finally {
          inFlight--;
        }
      };
      transports.push(t);
      return t;
    },
    onChange: () => {
      if (session.state.snapshot !== last && session.state.snapshot) snapshots++;
      last = session.state.snapshot;
    },
    log: (line) => log.push(`${new Date().toISOString().slice(17, 23)} ${line}`),
    refreshTimeoutMs: refreshTimeoutMs === undefined ? undefined : () => refreshTimeoutMs,
  });
  sessions.push(session);
  session.setActive(true);
  session.tick();
  tickers.push(setInterval(() => session.tick(), intervalMs));
  return { session, log, transports, maxInFlight: () => max, snapshots: () => snapshots };
}

describe.skipIf(!sshReady || !dockerReady)(`sshd killed mid-session (${sshSkipReason}; ${dockerSkipReason})`, () => {
  const sshd = new OwnSshd();
  afterAll(() => sshd.stop());

  it('shows the drop, retries with backoff while sshd is down, reconnects when it is back, and leaks nothing on either side', async () => {
    await sshd.start();
    const home = mkdtempSync(join(tmpdir(), 'dm-home-fault-'));
    const def = parseTargetSetting({
      name: 'own',
      host: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      identityFile: KEY,
    });
    const t = start(def, home, 500);
    await waitFor('two snapshots', () => t.snapshots() >= 2, 30_000, t.log);
    const first = t.transports[0] as SshTransport;
    const readerPid = first.readerPid!;
    expect(readerPid).toBeGreaterThan(0);
    const before = { remote: remoteCounts(sshd.pid), channels: first.openChannels, local: localConnections(sshd.port) };
    expect(before.remote.readers).toBe(1);
    expect(before.local).toBe(1);
    expect(before.channels).toBeGreaterThanOrEqual(1);

    sshd.kill();
    await waitFor('the drop', () => t.session.state.status === 'reconnecting', 10_000, t.log);
    expect(t.session.state.errorCode).toBe('unreachable');
    const shown = t.session.state.snapshot;
    expect(shown).not.toBeNull(); // the last snapshot stays on screen meanwhile
    // While sshd is down: refused attempts, each after a longer wait (1 s, then 2 s), none in between.
    await waitFor(
      'a second refused attempt',
      () => t.log.some((l) => l.endsWith('own: trying again in 2 s')),
      10_000,
      t.log,
    );
    expect(t.log.filter((l) => /own: cannot connect: .*connection refused/.test(l)).length).toBeGreaterThanOrEqual(1);
    expect(t.session.state.snapshot).toBe(shown);
    expect(first.isOpen).toBe(false);
    expect(first.openChannels).toBe(0);
    // The reader lost its stdin with the sshd that ran it, and exited on its own.
    await waitFor('the old reader gone', () => !alive(readerPid), 5_000);

    await sshd.start();
    await waitFor(
      'the reconnection',
      () => t.session.state.status === 'connected' && t.session.state.snapshot !== shown,
      20_000,
      t.log,
    );
    const n = t.snapshots();
    await waitFor('refreshing again', () => t.snapshots() >= n + 2, 10_000, t.log);
    const now = t.transports[t.transports.length - 1] as SshTransport;
    expect(now).not.toBe(first);
    expect(now.readerPid).not.toBe(readerPid);
    expect({ remote: remoteCounts(sshd.pid), channels: now.openChannels, local: localConnections(sshd.port) }).toEqual(
      before,
    );
    expect(t.maxInFlight()).toBe(1);
  });
});

describe.skipIf(!sshReady || !dockerReady)(
  `a hung target: its reader stopped with SIGSTOP (${sshSkipReason}; ${dockerSkipReason})`,
  () => {
    it('the refresh ends with a timeout at its deadline, never two reads at once, Local keeps refreshing, and it recovers', async () => {
      const { home } = makeSshHome();
      const remote = start(parseTargetSetting({ name: 'hung', host: 'dmtest' }), home, 500, 3_000);
      const local = start(localTarget(), undefined, 500);
      await waitFor('both connected', () => remote.snapshots() >= 2 && local.snapshots() >= 2, 30_000, remote.log);
      const transport = remote.transports[0] as SshTransport;
      const readerPid = transport.readerPid!;
      expect(readerPid).toBeGreaterThan(0);

      process.kill(readerPid, 'SIGSTOP');
      let stopped = true;
      try {
        const stalledAt = Date.now();
        const localBefore = local.snapshots();
        await waitFor('the deadline', () => remote.session.state.errorCode === 'timeout', 8_000, remote.log);
        const waited = Date.now() - stalledAt;
        // The deadline (3 s), not the transport's own 30 s, ended it.
        expect(waited).toBeLessThan(6_000);
        expect(remote.session.state.error).toMatch(/^hung did not answer within 3 s$/);
        expect(remote.session.state.status).toBe('reconnecting');
        expect(remote.session.state.snapshot).not.toBeNull();
        // Six ticks came and went during the stall: none started a second read behind the stuck one.
        expect(remote.maxInFlight()).toBe(1);
        // The other target never waited for this one.
        expect(local.snapshots() - localBefore).toBeGreaterThanOrEqual(4);
        // The stuck connection was dropped (its reader with it) rather than left to pile up requests.
        expect(transport.isOpen).toBe(false);
        expect(state(readerPid)).toBe('T');

        process.kill(readerPid, 'SIGCONT');
        stopped = false;
        // Released, the old reader finds its channel gone and exits; the target is back with a new one.
        await waitFor('the old reader gone', () => !alive(readerPid), 5_000);
        const shown = remote.session.state.snapshot;
        await waitFor(
          'recovery',
          () => remote.session.state.status === 'connected' && remote.session.state.snapshot !== shown,
          15_000,
          remote.log,
        );
        expect(remote.session.state.error).toBeNull();
        expect(remote.log.some((l) => l.endsWith('hung: trying again in 1 s'))).toBe(true);
        const n = remote.snapshots();
        await waitFor('refreshing again', () => remote.snapshots() >= n + 2, 10_000, remote.log);
        expect(remote.maxInFlight()).toBe(1);
      } finally {
        if (stopped) process.kill(readerPid, 'SIGCONT');
      }
    });
  },
);

describe.skipIf(!sshReady || !dockerReady)(
  `a blackholed connection: its sshd stopped with SIGSTOP (${sshSkipReason}; ${dockerSkipReason})`,
  () => {
    const sshd = new OwnSshd();
    afterAll(() => sshd.stop());

    it('the refresh times out at its deadline, the target reconnects, and once released the old server side goes away', async () => {
      await sshd.start();
      const home = mkdtempSync(join(tmpdir(), 'dm-home-fault-'));
      const def = parseTargetSetting({
        name: 'holed',
        host: '127.0.0.1',
        port: sshd.port,
        user: 'root',
        identityFile: KEY,
      });
      const t = start(def, home, 500, 3_000);
      await waitFor('two snapshots', () => t.snapshots() >= 2, 30_000, t.log);
      const first = t.transports[0] as SshTransport;
      const before = remoteCounts(sshd.pid);
      const readerPid = first.readerPid!;
      // The per-connection sshd processes: nothing this connection sends is answered any more, as if the link dropped packets.
      const frozen = descendants(sshd.pid)
        .filter((p) => p.comm.startsWith('sshd'))
        .map((p) => p.pid);
      expect(frozen.length).toBeGreaterThan(0);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      try {
        await waitFor('the deadline', () => t.session.state.errorCode === 'timeout', 8_000, t.log);
        expect(t.session.state.error).toBe('holed did not answer within 3 s');
        expect(t.maxInFlight()).toBe(1);
        // A new connection to the same (listening) sshd answers while the old one is still frozen.
        const shown = t.session.state.snapshot;
        await waitFor(
          'the reconnection',
          () => t.session.state.status === 'connected' && t.session.state.snapshot !== shown,
          20_000,
          t.log,
        );
        expect(first.isOpen).toBe(false);
        expect(first.openChannels).toBe(0);
        expect(localConnections(sshd.port)).toBe(1);
      } finally {
        for (const pid of frozen) process.kill(pid, 'SIGCONT');
      }
      // Released, the old server side finds its client gone and ends, and its reader with it: back to one of each.
      await waitFor(
        'the old connection gone on the server',
        () => frozen.every((pid) => !alive(pid)) && !alive(readerPid),
        15_000,
      );
      await waitFor(
        'the server side as before',
        () => JSON.stringify(remoteCounts(sshd.pid)) === JSON.stringify(before),
        5_000,
      );
      expect(t.maxInFlight()).toBe(1);
    });
  },
);
