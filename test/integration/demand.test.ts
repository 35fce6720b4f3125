// Reading what the views show, on the real daemon: with every container collapsed a refresh reads one process per
// container and the cgroup files of a container row, and what it shows still equals docker inspect, ip link and
// /proc; expanding a container or the host processes brings their processes on the next refresh.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/core/model';
import { Collector } from '../../src/core/collect/collector';
import { ROW_DEMAND } from '../../src/core/collect/demand';
import { buildTieredPlan } from '../../src/core/collect/plan';
import { LocalTransport } from '../../src/core/transport/local';
import type { BatchPlan, BatchResult } from '../../src/core/transport/types';
import type { SshTransport } from '../../src/core/transport/ssh';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import {
  dockerReady,
  dockerSkipReason,
  ownContainerIds,
  inspect,
  makeSshHome,
  run,
  sshReady,
  sshSkipReason,
} from './env';

const PROBE = `dm-demand-probe-${process.pid}`;

/** The real local transport, recording what each refresh asked for and got before the cache filled it in. */
class RecordingTransport extends LocalTransport {
  plans: BatchPlan[] = [];
  reads: Array<{ files: string[]; links: string[] }> = [];
  override async readBatch(plan: BatchPlan): Promise<BatchResult> {
    const r = await super.readBatch(plan);
    this.plans.push(plan);
    this.reads.push({ files: [...r.files.keys()], links: [...r.links.keys()] });
    return r;
  }
}

function statsRead(files: string[]): number[] {
  return files.flatMap((f) => {
    const m = /^\/proc\/(\d+)\/stat$/.exec(f);
    return m ? [Number(m[1])] : [];
  });
}

function procCount(): number {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}

const row = (s: Snapshot, name: string) => s.containers.find((c) => c.name === name);

describe.skipIf(!dockerReady)(`refreshes read what the views show (${dockerSkipReason})`, () => {
  const transport = new RecordingTransport();
  const collector = new Collector(transport, { slowEvery: 1000 });
  afterAll(() => {
    execFileSync('docker', ['rm', '-f', PROBE], { stdio: 'ignore' });
  });

  it('reads one process per container, not every process, for collapsed rows', async () => {
    await collector.sample({ demand: ROW_DEMAND }); // the first refresh reads everything
    await collector.sample({ demand: ROW_DEMAND }); // learns each container's main PID from Docker
    const runningNow = () => run('docker', ['ps', '-q']).split('\n').filter(Boolean).length;
    const before = runningNow();
    const s = await collector.sample({ demand: ROW_DEMAND });
    const after = runningNow();
    const read = transport.reads.at(-1)!;
    const stats = statsRead(read.files);
    // One per running container and PID 1, plus any process that started since (read with its facts). Other
    // projects' containers on this machine may start or stop meanwhile: the bounds take both counts.
    expect(stats.length).toBeGreaterThanOrEqual(Math.min(before, after));
    expect(stats.length).toBeLessThan(Math.max(before, after) + 1 + 15);
    expect(procCount()).toBeGreaterThan(stats.length + 20);
    // No block I/O or swap files: those are detail.
    expect(read.files.some((f) => /blkio\.|memsw|usage_percpu|io\.stat/.test(f))).toBe(false);
    expect(s.partial).toEqual({ processes: [], containerDetail: false });
    expect(s.processes.every((p) => p.containerId !== null)).toBe(true);
  });

  it('still shows each container row as docker inspect, ip link and /proc say', async () => {
    const s = await collector.sample({ demand: ROW_DEMAND });
    for (const name of ['dm-limited', 'dm-multi', 'dm-unlimited']) {
      const c = row(s, name)!;
      const info = inspect(name);
      expect(c.initPid, name).toBe(info.State.Pid);
      expect(c.memory.limitBytes, name).toBe(info.HostConfig.Memory || null);
      expect(c.pids.limit, name).toBe(info.HostConfig.PidsLimit > 0 ? info.HostConfig.PidsLimit : null);
      // The host end of its veth, read another way: the interface whose ifindex the container's eth0 names.
      const iflink = readFileSync(`/proc/${info.State.Pid}/root/sys/class/net/eth0/iflink`, 'utf8').trim();
      const peer = run('ip', ['-o', 'link'])
        .split('\n')
        .find((l) => l.startsWith(`${iflink}: `))!;
      expect(c.network.hostVeth, name).toBe(peer.split(': ')[1].split('@')[0]);
      expect(c.memory.usageBytes, name).toBeGreaterThan(0);
      expect(
        c.processes.map((p) => p.hostPid),
        name,
      ).toEqual([info.State.Pid]);
    }
    // CPU figures come from the cgroup: dm-limited is always runnable (how much of a core it gets meanwhile depends
    // on what else wants the two cores, so no lower bound but that).
    expect(row(s, 'dm-limited')!.cpu.percent).toBeGreaterThan(0);
    expect(row(s, 'dm-limited')!.cpu.limitCpus).toBe(0.5);
    expect(row(s, 'dm-limited')!.blockIo.readBytes).toBeNull();
  });

  it('shows a container started between refreshes on the next one, with its main process', async () => {
    await collector.sample({ demand: ROW_DEMAND });
    execFileSync(
      'docker',
      ['run', '-d', '--name', PROBE, '--memory', '48m', 'dm-busybox:test', 'sh', '-c', 'sleep 100000 & sleep 100001'],
      { stdio: 'ignore' },
    );
    const s = await collector.sample({ demand: ROW_DEMAND });
    const c = row(s, PROBE);
    expect(c, 'the new container').toBeDefined();
    const pid = inspect(PROBE).State.Pid;
    expect(s.processes.find((p) => p.pid === pid)?.containerId).toBe(c!.id);
    expect(c!.memory.limitBytes).toBe(48 * 1024 * 1024);
  });

  it('reads every process of an expanded container, the ones started after the caches filled too', async () => {
    const id = inspect(PROBE).Id as string;
    execFileSync('docker', ['exec', '-d', PROBE, 'sleep', '100042']);
    await new Promise((r) => setTimeout(r, 300));
    const demand = { processes: [id], containerDetail: false };
    const s = await collector.sample({ demand });
    const top = run('docker', ['top', PROBE, '-o', 'pid'])
      .split('\n')
      .slice(1)
      .map(Number)
      .sort((a, b) => a - b);
    const mine = s.processes.filter((p) => p.containerId === id);
    expect(mine.map((p) => p.pid).sort((a, b) => a - b)).toEqual(top);
    expect(mine.find((p) => p.command === 'sleep 100042')).toBeDefined();
    // Others stay at their main process.
    expect(row(s, 'dm-multi')!.processes).toHaveLength(1);
  });

  it('reads every process when the host processes are shown, and detail when a panel asks', async () => {
    const s = await collector.sample({ demand: { processes: 'all', containerDetail: true } });
    expect(s.partial).toBeUndefined();
    expect(statsRead(transport.reads.at(-1)!.files).length).toBeGreaterThan(procCount() - 20);
    expect(row(s, 'dm-limited')!.blockIo.readBytes).not.toBeNull();
    expect(s.processes.some((p) => p.containerId === null)).toBe(true);
  });
});

describe.skipIf(!dockerReady)(`container traffic from the host's veth counters (${dockerSkipReason})`, () => {
  it("leaves out each namespace's net/dev on row refreshes, and shows what the container's own net/dev says", async () => {
    // Traffic both ways, more one way than the other, so that a swapped rx/tx would show.
    const ip = inspect('dm-unlimited').NetworkSettings.IPAddress as string;
    execFileSync('docker', [
      'exec',
      'dm-multi',
      'sh',
      '-c',
      `for i in 1 2 3; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc ${ip} 8080 >/dev/null; done`,
    ]);
    const transport = new RecordingTransport();
    const collector = new Collector(transport, { slowEvery: 1000 });
    for (let i = 0; i < 3; i++) await collector.sample({ demand: ROW_DEMAND });
    const s = await collector.sample({ demand: ROW_DEMAND });
    expect(transport.plans.at(-1)!.perNetns ?? []).not.toContain('net/dev');
    for (const name of ['dm-multi', 'dm-unlimited']) {
      const own = readFileSync(`/proc/${inspect(name).State.Pid}/net/dev`, 'utf8')
        .split('\n')
        .find((l) => l.trim().startsWith('eth0:'))!;
      const f = own.split(':')[1].trim().split(/\s+/).map(Number);
      const net = row(s, name)!.network;
      expect([net.rxBytes, net.rxPackets, net.txBytes, net.txPackets], name).toEqual([f[0], f[1], f[8], f[9]]);
      expect(net.rxBytes, name).not.toBe(net.txBytes);
    }
    // A panel's refresh reads them again.
    await collector.sample({ demand: { processes: [], containerDetail: true } });
    expect(transport.plans.at(-1)!.perNetns).toContain('net/dev');
  });
});

describe.skipIf(!dockerReady || !sshReady)(`a warm SSH refresh of the default view (${sshSkipReason})`, () => {
  it('is one request and one answer, with no Engine API request, and shows what the local read shows', async () => {
    const transport = (await openTransport(parseTarget('dmtest'), { home: makeSshHome().home })) as SshTransport;
    const remote = new Collector(transport, { slowEvery: 1000 });
    const local = new Collector(new LocalTransport(), { slowEvery: 1000 });
    try {
      for (let i = 0; i < 3; i++) await remote.sample({ demand: ROW_DEMAND }); // warm: main PIDs known, events followed
      const before = { ...transport.traffic };
      const engine = remote.dockerRequests;
      const s = await remote.sample({ demand: ROW_DEMAND });
      expect(transport.traffic.requests - before.requests).toBe(1);
      expect(transport.traffic.bytesReceived - before.bytesReceived).toBeGreaterThan(1000);
      expect(remote.dockerRequests - engine).toBe(0);
      expect(transport.reader).toBe('perl');
      await local.sample({ demand: ROW_DEMAND });
      const l = await local.sample({ demand: ROW_DEMAND });
      // The test containers: another project's may come or go between the two reads.
      const own = new Set(ownContainerIds());
      const rows = (x: Snapshot) =>
        x.containers
          .filter((c) => own.has(c.id))
          .map((c) => [c.id, c.initPid, c.network.hostVeth, c.memory.limitBytes, c.processes.map((p) => p.hostPid)])
          .sort();
      expect(rows(s)).toEqual(rows(l));
    } finally {
      await remote.close();
      await local.close();
    }
  });
});

describe.skipIf(!dockerReady)(`socket tables only where a process holds a socket (${dockerSkipReason})`, () => {
  it('reads them for a namespace with a listening server, not for one whose processes hold no socket, locally and over SSH', async () => {
    const httpd = inspect('dm-unlimited').State.Pid as number; // httpd -f -p 8080
    const idle = inspect('dm-limited').State.Pid as number; // yes and sleep: no socket
    const hasSocket = (pid: number) =>
      readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
        } catch {
          return false;
        }
      });
    const limitedPids = run('docker', ['top', 'dm-limited', '-o', 'pid']).split('\n').slice(1).map(Number);
    expect(limitedPids.some(hasSocket), 'dm-limited holds no socket (read another way)').toBe(false);
    expect(hasSocket(httpd)).toBe(true);
    // 8080 = 0x1F90, state 0A = LISTEN, read from the kernel's tables directly (busybox httpd binds [::]).
    expect(readFileSync(`/proc/${httpd}/net/tcp`, 'utf8') + readFileSync(`/proc/${httpd}/net/tcp6`, 'utf8')).toMatch(
      /:1F90 0+:0000 0A /,
    );

    const local = new RecordingTransport();
    const remote = sshReady
      ? ((await openTransport(parseTarget('dmtest'), { home: makeSshHome().home })) as SshTransport)
      : null;
    try {
      for (const t of [local, ...(remote ? [remote] : [])]) {
        const c = new Collector(t, { slowEvery: 1000 });
        const s = await c.sample({ full: true });
        const got = t === local ? local.reads.at(-1)!.files : null;
        const tables = (pid: number) =>
          (got ?? []).some((f) => f.startsWith(`/proc/`) && f.endsWith('/net/tcp') && Number(f.split('/')[2]) === pid);
        if (got) {
          expect(tables(httpd), 'the httpd namespace').toBe(true);
          expect(tables(idle), 'the idle namespace').toBe(false);
        }
        const listening = s.processes
          .find((p) => p.pid === httpd)
          ?.sockets.filter((k) => k.listening)
          .map((k) => k.localPort);
        expect(listening, t.kind).toContain(8080);
        if (t !== local) await c.close();
      }
      for (const reader of remote ? [remote] : []) {
        const plan = buildTieredPlan('/var/lib/docker', {
          slow: true,
          interfaces: false,
          stat: 'all',
          containerDetail: true,
          known: [],
          cgroupPaths: [],
        });
        const again = (await openTransport(parseTarget('dmtest'), { home: makeSshHome().home })) as SshTransport;
        try {
          const r = await again.readBatch(plan);
          expect(again.reader).toBe('perl');
          const read = (pid: number) => r.files.has(`/proc/${pid}/net/tcp`);
          // The representative of each namespace is its lowest PID: the container's main process here.
          expect(read(httpd), 'perl: the httpd namespace').toBe(true);
          expect(read(idle), 'perl: the idle namespace').toBe(false);
        } finally {
          await again.close();
        }
        void reader;
      }
    } finally {
      await remote?.close();
    }
  });
});
