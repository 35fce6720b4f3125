// Tiered reads on the real daemon: a refresh that reads only what changes must give what a full read gives, pick
// up new processes and containers at once, and give fresh sockets when asked; locally and through the SSH target.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProcessInfo, Snapshot } from '../../src/core/model';
import { Collector } from '../../src/core/collect/collector';
import { LocalTransport } from '../../src/core/transport/local';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import { dockerReady, dockerSkipReason, inspect, makeSshHome, run, sshReady, sshSkipReason } from './env';

const TEST_CONTAINER = 'dm-tiers-probe';

/** The fields fixed for a process's life, and the ones a tiered refresh takes from this refresh's stat. */
function lifeFacts(p: ProcessInfo): unknown {
  return [
    p.pid,
    p.nsPid,
    p.ppid,
    p.name,
    p.command,
    p.exe,
    p.uid,
    p.user,
    p.containerId,
    p.cgroupPath,
    p.namespaces,
    p.startTime,
  ];
}

/**
 * Kernel threads rename themselves between any two reads (kworker/1:1-events, ...), and so do processes that
 * set their title or exec: those whose name differs between the two snapshots are left out by the caller.
 */
function stable(s: Snapshot, self: Set<number>): Map<number, unknown> {
  return new Map(
    s.processes.filter((p) => !self.has(p.pid) && p.ppid !== 2 && p.pid !== 2).map((p) => [p.pid, lifeFacts(p)]),
  );
}

/**
 * Whether the process is still the one the snapshot saw (same PID and start time): one that exited during the
 * reads lost its links halfway (the kernel drops them as it exits), so the two reads may differ about it.
 */
function stillRunning(s: Snapshot, pid: number): boolean {
  const p = s.processes.find((x) => x.pid === pid);
  if (!p || !existsSync(`/proc/${pid}/stat`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) === p.startTicks;
  } catch {
    return false;
  }
}

function nameOf(s: Snapshot, pid: number): string | undefined {
  return s.processes.find((p) => p.pid === pid)?.name;
}

function dockerTopPids(name: string): number[] {
  return run('docker', ['top', name, '-o', 'pid'])
    .split('\n')
    .slice(1)
    .map(Number)
    .sort((a, b) => a - b);
}

describe.skipIf(!dockerReady)(`tiered collection, locally (${dockerSkipReason})`, () => {
  const tiered = new Collector(new LocalTransport(), { slowEvery: 1000 });
  const full = new Collector(new LocalTransport(), { tiered: false });
  afterAll(() => {
    execFileSync('docker', ['rm', '-f', TEST_CONTAINER], { stdio: 'ignore' });
  });

  it('gives the same processes and containers as a full read, once the caches are filled', async () => {
    await tiered.sample(); // fills the caches (first refresh reads everything)
    const t = await tiered.sample();
    const f = await full.sample();
    expect(t.slowReadAt < t.collectedAt || t.slowReadAt === t.collectedAt).toBe(true);
    // Processes that came or went between the two reads are left out of the comparison.
    const both = new Set(t.processes.map((p) => p.pid).filter((pid) => f.processes.some((q) => q.pid === pid)));
    const a = stable(t, new Set([process.pid]));
    const b = stable(f, new Set([process.pid]));
    let compared = 0;
    for (const pid of both) {
      if (!a.has(pid) || !b.has(pid) || nameOf(t, pid) !== nameOf(f, pid)) continue;
      if (!stillRunning(t, pid)) continue;
      expect(a.get(pid), `pid ${pid}`).toEqual(b.get(pid));
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    const containers = (s: Snapshot) =>
      s.containers.map((c) => [c.id, c.network.hostVeth, c.network.bridge, c.memory.limitBytes, c.cgroupPath]);
    expect(containers(t)).toEqual(containers(f));
    // RSS and threads are this refresh's, not the cached status's: within a page of /proc read now.
    const yes = t.processes.find((p) => p.command.startsWith('sh -c yes'));
    expect(yes).toBeDefined();
    const statm = execFileSync('cat', [`/proc/${yes!.pid}/statm`], { encoding: 'utf8' }).split(' ');
    expect(Math.abs(Number(statm[1]) * 4096 - yes!.rssBytes)).toBeLessThanOrEqual(64 * 4096);
  });

  it('gives a process started after the caches filled its command, NSpid and container on the next refresh', async () => {
    await tiered.sample();
    // A duration no other process has, so that only this run's process can match.
    const duration = String(4_000_000 + Math.floor(Math.random() * 1_000_000));
    execFileSync('docker', ['exec', '-d', 'dm-multi', 'sleep', duration]);
    let found: ProcessInfo | undefined;
    try {
      for (let i = 0; i < 20 && !found; i++) {
        found = (await tiered.sample()).processes.find((p) => p.command === `sleep ${duration}`);
        if (!found) await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).toBeDefined();
      expect(found!.containerId).toBe(inspect('dm-multi').Id);
      expect(dockerTopPids('dm-multi')).toContain(found!.pid);
      expect(found!.nsPid[0]).toBe(found!.pid);
      expect(found!.nsPid).toHaveLength(2);
      // NSpid read another way: the last field of /proc/PID/status's NSpid line.
      const nspid = /^NSpid:\s+(.*)$/m
        .exec(execFileSync('cat', [`/proc/${found!.pid}/status`], { encoding: 'utf8' }))![1]
        .split(/\s+/)
        .map(Number);
      expect(found!.nsPid).toEqual(nspid);
    } finally {
      execFileSync('pkill', ['-f', `^sleep ${duration}$`], { stdio: 'ignore' });
    }
  });

  it('shows a container created between refreshes on the next one, and drops it once removed', async () => {
    await tiered.sample();
    const args = [
      'run',
      '-d',
      '--name',
      TEST_CONTAINER,
      '--memory',
      '48m',
      '--pids-limit',
      '20',
      'dm-busybox:test',
      'sleep',
      '100000',
    ];
    execFileSync('docker', args, { stdio: 'ignore' });
    const info = inspect(TEST_CONTAINER);
    const id = info.Id as string;
    const withIt = await tiered.sample();
    const c = withIt.containers.find((x) => x.id === id);
    expect(c?.name).toBe(TEST_CONTAINER);
    // Limits are read at once for a container seen for the first time, not at the next slow refresh.
    expect(c?.memory.limitBytes).toBe(info.HostConfig.Memory);
    expect(c?.pids.limit).toBe(info.HostConfig.PidsLimit);
    expect(c?.processes.map((p) => p.hostPid)).toEqual(dockerTopPids(TEST_CONTAINER));
    execFileSync('docker', ['rm', '-f', TEST_CONTAINER], { stdio: 'ignore' });
    const without = await tiered.sample();
    expect(without.containers.some((x) => x.id === id)).toBe(false);
    expect(without.processes.some((p) => p.containerId === id)).toBe(false);
  });

  it('reads sockets fresh when asked, and leaves them as of slowReadAt otherwise', async () => {
    await tiered.sample();
    const before = await tiered.sample();
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    execFileSync('docker', ['exec', '-d', 'dm-multi', 'nc', '-l', '-p', String(port)]);
    let listening = false;
    try {
      for (let i = 0; i < 20 && !listening; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const s = await tiered.sample({ full: true });
        const listener = s.processes.find((p) => p.command === `nc -l -p ${port}`);
        listening = listener?.sockets.some((x) => x.localPort === port && x.listening) ?? false;
        if (listening) expect(Date.parse(s.slowReadAt)).toBeGreaterThan(Date.parse(before.slowReadAt));
      }
      expect(listening).toBe(true);
    } finally {
      execFileSync('pkill', ['-f', `^nc -l -p ${port}$`], { stdio: 'ignore' });
    }
  });
});

describe.skipIf(!dockerReady || !sshReady)(
  `tiered collection through SSH, the remote reader (${sshSkipReason})`,
  () => {
    it('gives the same processes and containers as a full read over the same connection', async () => {
      const { home } = makeSshHome();
      const transport = await openTransport(parseTarget('dmtest'), { home });
      try {
        const tiered = new Collector(transport, { slowEvery: 1000 });
        const full = new Collector(transport, { tiered: false });
        await tiered.sample();
        const t = await tiered.sample();
        const f = await full.sample();
        const remoteShells = new Set(
          f.processes
            .filter((p) => p.command === 'sh -s' || p.name === 'sh' || p.name === 'perl' || p.name === 'python3')
            .map((p) => p.pid),
        );
        const a = stable(t, remoteShells);
        const b = stable(f, remoteShells);
        let compared = 0;
        for (const [pid, facts] of a) {
          if (!b.has(pid) || nameOf(t, pid) !== nameOf(f, pid)) continue;
          if (!stillRunning(t, pid)) continue;
          expect(facts, `pid ${pid}`).toEqual(b.get(pid));
          compared++;
        }
        expect(compared).toBeGreaterThan(20);
        expect(t.containers.map((c) => c.id).sort()).toEqual(f.containers.map((c) => c.id).sort());
      } finally {
        await transport.close();
      }
    });
  },
);
