// The pure assembly against a recorded refresh of a real machine (fixtures/batch: one LocalTransport batch and
// one Engine API answer, see its README), checked against what the docker CLI, grep, readlink, iproute2 and awk
// said at the same moment (expected.json), never against the code's own output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleSnapshot } from '../../../src/core/collect/assembleSnapshot';
import type { DockerDescription } from '../../../src/core/docker/describe';
import type { Snapshot } from '../../../src/core/model';
import type { BatchResult } from '../../../src/core/transport/types';
import type { Expected, Recorded } from '../fixtures/batch/shape';

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/batch/${name}`, import.meta.url), 'utf8'));
const recorded = read('batch.json') as Recorded;
const expected = read('expected.json') as Expected;

/** A fresh BatchResult from the recorded entries (the assembly and a test may change it freely). */
function batch(): BatchResult {
  const b = recorded.batch;
  return { files: new Map(b.files), links: new Map(b.links), statfs: new Map(b.statfs), durationMs: b.durationMs };
}

function assemble(b: BatchResult = batch(), docker: DockerDescription = recorded.docker): Promise<Snapshot> {
  return assembleSnapshot('local', b, structuredClone(docker), recorded.dockerRoot, 12);
}

const nameOf = (c: Expected['inspect'][number]): string => c.name.replace(/^\//, '');
const running = expected.inspect.filter((c) => c.status === 'running');
/** `net:[4026532184]` -> 4026532184, as readlink prints it. */
const inodeOf = (link: string): number => Number(/^net:\[(\d+)\]$/.exec(link)![1]);
/** `NSpid:\t3484\t7` -> [3484, 7]. */
const nspidOf = (pid: number): number[] => expected.nspid[pid].split(/\s+/).slice(1).map(Number);
/** The `ip -o link` line of an ifindex: its name (before any @peer) and its bridge. */
function ipLink(ifindex: number): { name: string; master: string | null } {
  const line = expected.ipLink.find((l) => l.startsWith(`${ifindex}: `));
  if (!line) throw new Error(`ip -o link has no ifindex ${ifindex}`);
  return { name: /^\d+: ([^:@]+)/.exec(line)![1], master: / master (\S+)/.exec(line)?.[1] ?? null };
}

function containerOf(s: Snapshot, id: string) {
  const c = s.containers.find((x) => x.id === id);
  if (!c) throw new Error(`container ${id} not in the snapshot`);
  return c;
}

describe('assembleSnapshot on a recorded batch', () => {
  it('the fixture holds what the checks need (test containers running, a limited one, one on the host network)', () => {
    expect(running.length).toBeGreaterThanOrEqual(3);
    expect(running.some((c) => c.memory > 0 && c.nanoCpus > 0)).toBe(true);
    expect(running.some((c) => c.networkMode === 'host')).toBe(true);
    expect(Object.keys(expected.eth0Iflink).length).toBeGreaterThanOrEqual(2);
  });

  it('names each container as docker inspect does: id, name, image, labels, state, main PID', async () => {
    const s = await assemble();
    expect(s.docker.reachable).toBe(true);
    for (const c of expected.inspect) {
      const got = containerOf(s, c.id);
      expect(got.name).toBe(nameOf(c));
      expect(got.image).toBe(c.image);
      expect(got.labels).toEqual(c.labels);
      expect(got.state).toBe(c.status);
      expect(got.source).toBe('docker-api');
      expect(got.initPid).toBe(c.status === 'running' ? c.pid : null);
    }
    expect(s.host.containerCounts.total).toBe(expected.inspect.length);
    expect(s.host.containerCounts.running).toBe(running.length);
  });

  it('gives each running container the memory and CPU limits of its HostConfig', async () => {
    const s = await assemble();
    for (const c of running) {
      const got = containerOf(s, c.id);
      expect(got.memory.limitBytes, nameOf(c)).toBe(c.memory > 0 ? c.memory : null);
      const cpus = c.nanoCpus > 0 ? c.nanoCpus / 1e9 : c.cpuQuota > 0 ? c.cpuQuota / (c.cpuPeriod || 100_000) : null;
      expect(got.cpu.limitCpus, nameOf(c)).toBe(cpus);
    }
  });

  it("gives each container docker top's processes, with the PIDs of NSpid on both sides", async () => {
    const s = await assemble();
    for (const c of running) {
      const got = containerOf(s, c.id);
      const top = expected.top[nameOf(c)];
      expect(
        got.processes.map((p) => p.hostPid).sort((a, b) => a - b),
        nameOf(c),
      ).toEqual(top);
      for (const ref of got.processes) {
        const nspid = nspidOf(ref.hostPid);
        expect(nspid[0]).toBe(ref.hostPid);
        expect(ref.containerPid, `${nameOf(c)} ${ref.hostPid}`).toBe(nspid[nspid.length - 1]);
        const p = s.processes.find((x) => x.pid === ref.hostPid)!;
        expect(p.containerId).toBe(c.id);
        expect(p.nsPid).toEqual(nspid);
      }
      // The main process is the container's PID 1.
      expect(got.processes.find((p) => p.hostPid === c.pid)?.containerPid).toBe(1);
    }
  });

  it("reads the host's memory total as /proc/meminfo's MemTotal", async () => {
    const s = await assemble();
    expect(s.host.memory.totalBytes).toBe(expected.memTotalKiB * 1024);
  });

  it('gives network namespaces the inodes readlink shows, shared with the host only on the host network', async () => {
    const s = await assemble();
    const hostNet = inodeOf(expected.hostNetns);
    expect(s.host.namespaces.net).toBe(hostNet);
    for (const c of running) {
      const got = containerOf(s, c.id);
      const inode = inodeOf(expected.netns[c.pid]);
      expect(got.namespaces.net, nameOf(c)).toEqual({ inode, sharedWithHost: inode === hostNet });
      expect(got.namespaces.net?.sharedWithHost).toBe(c.networkMode === 'host');
      for (const pid of expected.top[nameOf(c)])
        expect(s.processes.find((p) => p.pid === pid)?.namespaces.net).toBe(inodeOf(expected.netns[pid]));
    }
  });

  it("pairs each container's eth0 with its host veth as ip -o link names it, and the bridge it is in", async () => {
    const s = await assemble();
    for (const [name, iflink] of Object.entries(expected.eth0Iflink)) {
      const got = s.containers.find((c) => c.name === name)!;
      const host = ipLink(iflink);
      expect(got.network.containerInterface, name).toBe('eth0');
      expect(got.network.containerIflink, name).toBe(iflink);
      expect(got.network.hostVethIfindex, name).toBe(iflink);
      expect(got.network.hostVeth, name).toBe(host.name);
      expect(got.network.bridge, name).toBe(host.master);
      expect(s.host.interfaces.find((i) => i.name === host.name)?.kind).toBe('veth');
    }
    const hostnet = running.find((c) => c.networkMode === 'host')!;
    expect(containerOf(s, hostnet.id).network.hostVeth).toBeNull();
  });

  it('warns of nothing about Docker or /proc/stat when both were there', async () => {
    const s = await assemble();
    expect(s.warnings.filter((w) => /Docker API|\/proc\/stat/.test(w))).toEqual([]);
  });

  it('with Docker unreachable: says why, and still finds the running containers, their processes and limits from cgroups', async () => {
    const reason = recorded.dockerUnreachable.status.reason!;
    expect(recorded.dockerUnreachable.status.reachable).toBe(false);
    const s = await assemble(batch(), recorded.dockerUnreachable);
    expect(s.docker.reachable).toBe(false);
    expect(s.warnings).toContain(
      `Docker API unreachable (${reason}): containers found from cgroups have no names, images or states.`,
    );
    expect(s.containers.map((c) => c.id).sort()).toEqual(running.map((c) => c.id).sort());
    for (const c of running) {
      const got = containerOf(s, c.id);
      expect(got.source).toBe('cgroup');
      expect(got.processes.map((p) => p.hostPid).sort((a, b) => a - b)).toEqual(expected.top[nameOf(c)]);
      expect(got.memory.limitBytes).toBe(c.memory > 0 ? c.memory : null);
    }
    expect(s.host.containerCounts.total).toBe(running.length);
  });

  it('warns that /proc/stat could not be read when the batch lacks it', async () => {
    const b = batch();
    expect(b.files.delete('/proc/stat')).toBe(true);
    const s = await assemble(b);
    expect(s.warnings).toContain('/proc/stat could not be read: host CPU figures are missing.');
    expect(s.warnings.some((w) => w.startsWith('Docker API unreachable'))).toBe(false);
  });
});
