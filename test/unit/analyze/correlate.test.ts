import { describe, expect, it } from 'vitest';
import { correlate, findContainer, mainProcess } from '../../../src/core/analyze/correlate';
import type { Correlation, CorrelationRow } from '../../../src/core/model';
import { MonitorError } from '../../../src/core/errors';
import { CAPTURE_ID, captureSnapshot } from '../fixtures/snapshots/capture';
import { IDS, containerNamed, machineSnapshot } from '../fixtures/snapshots/machine';

function row(c: Correlation, aspect: CorrelationRow['aspect']): CorrelationRow {
  const r = c.rows.find((x) => x.aspect === aspect);
  if (!r) throw new Error(`no row ${aspect}`);
  return r;
}

describe('correlate: bridged container with limits (dm-limited)', () => {
  const s = machineSnapshot();
  const c = correlate(s, containerNamed(s, 'dm-limited'));

  it('links the main process, the veth pair and the paths', () => {
    expect(c.container).toEqual({ id: IDS.limited, name: 'dm-limited' });
    expect([c.hostPid, c.containerPid]).toEqual([5755, 1]);
    expect([c.containerInterface, c.hostVeth, c.bridge]).toEqual(['eth0', 'veth4efab39', 'docker0']);
    expect(c.cgroupPath).toBe(`/docker/${IDS.limited}`);
    expect(c.containerDir).toBe(`/var/lib/docker/containers/${IDS.limited}`);
    expect(c.mergedDir).toMatch(/^\/var\/lib\/docker\/overlay2\/19e721b64e4c[0-9a-f]+\/merged$/);
    expect(c.upperDir).toBe(c.mergedDir!.replace(/\/merged$/, '/diff'));
    expect(c.workDir).toBe(c.mergedDir!.replace(/\/merged$/, '/work'));
    expect(c.processes).toEqual([{ hostPid: 5755, containerPid: 1, name: 'sleep' }]);
  });

  it('has the six aspects in order', () => {
    expect(c.rows.map((r) => r.aspect)).toEqual([
      'Spec',
      'On disk',
      'In memory',
      'In network',
      'Runtime context',
      'Isolation',
    ]);
  });

  it('Spec: command / image + compose service / OS + kernel', () => {
    expect(row(c, 'Spec')).toEqual({
      aspect: 'Spec',
      process: 'sleep 100000',
      container: "image dm-busybox:test, compose dmtest/limited, command sh -c 'sleep 100000'",
      host: 'Debian GNU/Linux 12 (bookworm), kernel 6.18.44-fc-v669',
    });
  });

  it('On disk: exe inside and where it is on the host / rootfs + container dir / one filesystem', () => {
    const r = row(c, 'On disk');
    expect(r.process).toBe(`/bin/busybox (on the host: ${c.mergedDir}/bin/busybox)`);
    expect(r.container).toBe(`rootfs ${c.mergedDir}; container dir ${c.containerDir}`);
    expect(r.host).toBe('root / and Docker data root /var/lib/docker (one filesystem): 22.7 GiB of 252 GiB used (22%)');
  });

  it('In memory: host PID and PID inside + RSS / short id + usage + limit / host used of total', () => {
    expect(row(c, 'In memory')).toMatchObject({
      process: 'PID 5755 (PID 1 inside), RSS 1.3 MiB',
      container: 'c9cdafc90c8d: 312 KiB used, limit 64 MiB (0.5%)',
      host: 'vm: 422.4 MiB used of 23.5 GiB',
    });
  });

  it('In network: the eth0 ↔ veth pair on docker0 / physical interfaces', () => {
    expect(row(c, 'In network')).toMatchObject({
      process: 'no listening sockets',
      container: 'eth0 (iflink 7) ↔ veth4efab39 (ifindex 7) on docker0, IP 172.17.0.2',
      host: 'eth0 (up, rx 282.6 MiB, tx 345.4 KiB)',
    });
  });

  it('Runtime context: last CPU + threads / cgroup + quota + cpuset / CPUs + load', () => {
    expect(row(c, 'Runtime context')).toMatchObject({
      process: 'last ran on CPU 0, 1 thread(s)',
      container: `cgroup /docker/${IDS.limited}; CPU limit 0.5 CPU (quota 50000 µs per 100000 µs); cpuset 0-1`,
      host: '2 CPU(s), load average 1.00 0.69 0.32',
    });
  });

  it('Isolation: private and shared namespaces by name', () => {
    expect(row(c, 'Isolation')).toMatchObject({
      process: "own memory space; shares the container's namespaces",
      container: 'private: pid, net, mnt, uts, ipc; shared with the host: user, cgroup',
      host: 'full host kernel 6.18.44-fc-v669: shared by all 4 running container(s)',
    });
  });
});

describe('correlate: host-network container (dm-hostnet)', () => {
  const s = machineSnapshot();
  const c = correlate(s, containerNamed(s, 'dm-hostnet'));
  it('has no veth and says it shares the host interfaces', () => {
    expect([c.hostVeth, c.containerInterface, c.bridge]).toEqual([null, null, null]);
    expect(row(c, 'In network').container).toBe("host network: shares the host's interfaces");
  });
  it('lists net among the namespaces shared with the host', () => {
    expect(row(c, 'Isolation').container).toBe('private: pid, mnt, uts, ipc; shared with the host: net, user, cgroup');
  });
  it('states an absent memory limit and CPU quota', () => {
    expect(row(c, 'In memory').container).toBe('51367a996af1: 216 KiB used, no memory limit');
    expect(row(c, 'Runtime context').container).toContain('no CPU limit');
    expect(row(c, 'Spec').container).toBe('image dm-busybox:test, compose dmtest, command sleep 100000');
  });
});

describe('correlate: other cases', () => {
  it('shows the listening sockets of the main process (httpd on 8080)', () => {
    const s = machineSnapshot();
    expect(row(correlate(s, containerNamed(s, 'dm-unlimited')), 'In network').process).toBe(
      'listening on tcp6 [::]:8080',
    );
  });

  it('main process: initPid when present, else the lowest PID inside', () => {
    const s = machineSnapshot();
    const multi = containerNamed(s, 'dm-multi');
    expect(mainProcess(s, multi)?.pid).toBe(6014);
    multi.initPid = 4_000_000; // not in the snapshot
    expect(mainProcess(s, multi)?.pid).toBe(6014);
    s.processes = s.processes.filter((p) => p.pid !== 6014);
    expect(mainProcess(s, multi)?.pid).toBe(6047); // PID 8 inside, the lowest left
    expect(correlate(s, multi).containerPid).toBe(8);
  });

  it('a stopped container: says what is unknown instead of inventing it', () => {
    const s = machineSnapshot();
    const c = correlate(s, containerNamed(s, 'dm-stopped'));
    expect([c.hostPid, c.containerPid]).toEqual([null, null]);
    expect(row(c, 'Spec').process).toBe('unknown (no process of this container in the snapshot)');
    expect(row(c, 'In network').container).toBe('network mode default: not running, no interface');
    expect(row(c, 'Isolation').container).toBe('namespaces unknown (not readable)');
    expect(row(c, 'In memory').container).toBe('7e5095b3de00: usage unknown, no memory limit');
  });

  it('a container known only from cgroups while the Docker API is down', () => {
    const s = machineSnapshot();
    s.docker = { ...s.docker, reachable: false, reason: 'permission denied on /var/run/docker.sock', version: null };
    const x = containerNamed(s, 'dm-limited');
    Object.assign(x, { name: '', image: '', command: null, compose: null, source: 'cgroup' });
    x.paths = { containerDir: null, mergedDir: null, upperDir: null, workDir: null };
    const c = correlate(s, x);
    expect(row(c, 'Spec').container).toBe('image unknown (Docker API unreachable)');
    expect(row(c, 'On disk').container).toBe(
      'rootfs unknown (Docker API unreachable); container dir unknown (Docker API unreachable)',
    );
    expect(row(c, 'On disk').process).toBe('/bin/busybox');
    expect(c.hostPid).toBe(5755);
  });

  it('a bridged container whose veth was not found says which ifindex it looked for', () => {
    const s = machineSnapshot();
    const x = containerNamed(s, 'dm-limited');
    x.network = { ...x.network, hostVeth: null, hostVethIfindex: null, bridge: null };
    expect(row(correlate(s, x), 'In network').container).toBe(
      'eth0 (iflink 7) ↔ no host interface with ifindex 7 found, IP 172.17.0.2',
    );
  });

  it('falls back to the container process list for PIDs when no full process entry is present', () => {
    const s = machineSnapshot();
    s.processes = s.processes.filter((p) => p.containerId !== IDS.multi);
    const c = correlate(s, containerNamed(s, 'dm-multi'));
    expect([c.hostPid, c.containerPid]).toEqual([6014, 1]);
    expect(row(c, 'In memory').process).toBe('PID 6014 (PID 1 inside), RSS unknown');
  });

  it('a container in the host PID namespace: same PID inside', () => {
    const s = machineSnapshot();
    const p = s.processes.find((x) => x.pid === 5940)!;
    p.nsPid = [5940];
    expect(row(correlate(s, containerNamed(s, 'dm-hostnet')), 'In memory').process).toBe(
      'PID 5940 (same PID inside: host PID namespace), RSS 1.3 MiB',
    );
  });
});

describe('findContainer', () => {
  const s = machineSnapshot();
  it('by full id, name (with or without /), unique prefix', () => {
    expect(findContainer(s, IDS.multi)?.name).toBe('dm-multi');
    expect(findContainer(s, 'dm-limited')?.id).toBe(IDS.limited);
    expect(findContainer(s, '/dm-limited')?.id).toBe(IDS.limited);
    expect(findContainer(s, 'c9cd')?.name).toBe('dm-limited');
    expect(findContainer(s, '51367a996af1')?.name).toBe('dm-hostnet');
  });
  it('null when nothing matches', () => {
    expect(findContainer(s, 'dm-nothere')).toBeNull();
    expect(findContainer(s, 'ffff')).toBeNull();
  });
  it('an ambiguous prefix throws bad-argument naming the matches', () => {
    const t = captureSnapshot(0); // 41a5d697a439 (dm-unlimited) and 4490c5391079 both start with 4
    let thrown: unknown = null;
    try {
      findContainer(t, '4');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(MonitorError);
    expect(thrown).toMatchObject({
      code: 'bad-argument',
      message: 'ambiguous container id prefix "4": matches dm-unlimited, dm-analyze-capture',
    });
    expect(findContainer(t, '449')?.id).toBe(CAPTURE_ID);
  });
  it('a ref that is neither an id nor a name is rejected as bad-argument', () => {
    expect(() => findContainer(s, '../etc/passwd')).toThrow(/invalid container id or name/);
    expect(() => findContainer(s, '')).toThrow(MonitorError);
  });
});
