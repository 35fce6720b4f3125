import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_CGROUP_PATTERN,
  containerFromCgroupPath,
  containerOfProcess,
} from '../../../src/core/parse/containerId';
import { parseProcCgroup } from '../../../src/core/parse/procPid';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

// Ids used by the documented-format fixtures in fixtures/proc/cgroup-paths.
const A = '2f4b2c7e8d1a4b6c9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f';
const B = '9c1e5a0b7d3f4e2a8b6c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c';
// dm-multi when its /proc/PID/cgroup was copied (docker inspect -f '{{.Id}}' dm-multi).
const REAL = '93f3f81604bdb3f94697975482257c242caa29b0fb4afb96b983d2198d556060';

const EXPECTED: Record<string, { id: string; runtime: string } | null> = {
  'docker-systemd-v2': { id: A, runtime: 'docker' },
  'docker-cgroupfs-v2': { id: A, runtime: 'docker' },
  'docker-systemd-v1': { id: A, runtime: 'docker' },
  'podman-rootful-v2': { id: A, runtime: 'podman' },
  'podman-rootless-v2': { id: A, runtime: 'podman' },
  'podman-cgroupfs-v1': { id: A, runtime: 'podman' },
  'podman-conmon-v2': null,
  'k8s-containerd-systemd-v2': { id: A, runtime: 'containerd' },
  'k8s-cgroupfs-v1': { id: A, runtime: 'unknown' },
  'crio-systemd-v2': { id: A, runtime: 'crio' },
  'crio-conmon-v2': null,
  'docker-in-docker-v1': { id: B, runtime: 'docker' },
  'docker-in-docker-systemd-v2': { id: B, runtime: 'docker' },
  'host-init-v2': null,
  'host-session-v2': null,
};

// Paths that look close to a container's but are not one.
const NEGATIVE_PATHS = [
  '/',
  '',
  '/system.slice/docker.service',
  '/system.slice/containerd.service',
  `/docker/${A}0`, // 65 hex digits
  `/docker/${A.slice(1)}`, // 63
  `/docker/${A.toUpperCase()}`,
  `/system.slice/docker-${A}.scopex`,
  `/system.slice/xdocker-${A}.scope`,
  `/machine.slice/libpod-conmon-${A}.scope`,
  `/other/${A}`, // a bare id outside /docker and /kubepods
  `docker/${A}`, // relative: not a /proc/PID/cgroup path
  `/kubepods-${A}`,
  '/machine/0123456789abcdef0123456789abcdef', // 32 hex digits: some other tool's cgroup, not a container
];

const POSITIVE_PATHS = [
  `/docker/${A}`,
  `/docker/${A}/`,
  `/docker/${A}/docker/${B}`,
  `/system.slice/docker-${A}.scope`,
  `/machine.slice/libpod-${A}.scope/container`,
  `/libpod_parent/libpod-${A}`,
  `/kubepods/besteffort/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/${A}`,
  `/kubepods/${A}`,
  `/kubepods.slice/kubepods-pod1.slice/cri-containerd-${A}.scope`,
  `/kubepods.slice/kubepods-pod1.slice/crio-${A}.scope`,
  `/kubepods/pod1/crio-${A}`,
  `/system.slice/nerdctl-${A}.scope`,
];

describe('containerFromCgroupPath', () => {
  const dir = new URL('../fixtures/proc/cgroup-paths/', import.meta.url);

  it('has an expectation for every cgroup-paths fixture', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const path = parseProcCgroup(fixture(`proc/cgroup-paths/${name}`)).find((e) => e.path !== '/')?.path ?? '/';
    expect(containerFromCgroupPath(path)).toEqual(expected);
  });

  it('gives the innermost id of nested containers', () => {
    expect(containerFromCgroupPath(`/docker/${A}/docker/${B}`)).toEqual({ id: B, runtime: 'docker' });
    expect(containerFromCgroupPath(`/system.slice/docker-${B}.scope/kubepods/pod1/${A}`)).toEqual({
      id: A,
      runtime: 'unknown',
    });
    expect(containerFromCgroupPath(`/system.slice/docker-${A}.scope/system.slice/docker-${B}.scope`)).toEqual({
      id: B,
      runtime: 'docker',
    });
    expect(containerFromCgroupPath(`/docker/${A}/machine.slice/libpod-${B}.scope/container`)).toEqual({
      id: B,
      runtime: 'podman',
    });
  });

  it.each(NEGATIVE_PATHS)('ignores %j', (path) => {
    expect(containerFromCgroupPath(path)).toBeNull();
  });
});

describe('CONTAINER_CGROUP_PATTERN', () => {
  const all = [...POSITIVE_PATHS, ...NEGATIVE_PATHS.filter((p) => p !== '')];

  it('agrees with containerFromCgroupPath as a JS RegExp', () => {
    const re = new RegExp(CONTAINER_CGROUP_PATTERN);
    for (const path of POSITIVE_PATHS) expect(re.test(path), path).toBe(true);
    for (const path of NEGATIVE_PATHS) expect(re.test(path), path).toBe(false);
    for (const path of all) expect(re.test(path), path).toBe(containerFromCgroupPath(path) !== null);
  });

  it('uses no construct outside POSIX ERE', () => {
    expect(CONTAINER_CGROUP_PATTERN).not.toMatch(/\\[dDwWsSbB]|\(\?|\*\?|\+\?|\?\?|\}\?/);
  });

  // The same pattern is given to grep -E on the target; check it with the real greps a target may have.
  const greps = [
    ['GNU grep', '/bin/grep', []],
    ['busybox grep', '/bin/busybox', ['grep']],
  ] as const;
  for (const [label, bin, pre] of greps) {
    it.skipIf(!existsSync(bin))(`selects the same paths with ${label} -E`, () => {
      let out: string;
      try {
        out = execFileSync(bin, [...pre, '-E', CONTAINER_CGROUP_PATTERN], {
          input: all.join('\n') + '\n',
          encoding: 'utf8',
        });
      } catch (e) {
        // grep exits 1 when nothing matched; that would be a failure here too.
        throw new Error(`${label} failed: ${(e as Error).message}`);
      }
      expect(out.split('\n').filter((l) => l !== '')).toEqual(POSITIVE_PATHS);
    });
  }
});

describe('containerOfProcess', () => {
  it('finds the container of a real process on this hybrid host', () => {
    expect(containerOfProcess(parseProcCgroup(fixture('proc/container-sh.cgroup')))).toEqual({
      id: REAL,
      runtime: 'docker',
      cgroupPath: `/docker/${REAL}`,
    });
  });

  it('returns null for host processes (real kthreadd, documented systemd paths)', () => {
    expect(containerOfProcess(parseProcCgroup(fixture('proc/kthreadd.cgroup')))).toBeNull();
    expect(containerOfProcess(parseProcCgroup(fixture('proc/cgroup-paths/host-init-v2')))).toBeNull();
    expect(containerOfProcess([])).toBeNull();
  });

  it('prefers the v2 entry, then the v1 memory hierarchy, then the first v1 entry that names one', () => {
    const v2 = `/system.slice/docker-${B}.scope`;
    const mem = `/docker/${A}`;
    expect(containerOfProcess(parseProcCgroup(`4:pids:/docker/${B}\n3:memory:${mem}\n0::${v2}\n`))).toEqual({
      id: B,
      runtime: 'docker',
      cgroupPath: v2,
    });
    expect(containerOfProcess(parseProcCgroup(`4:pids:/docker/${B}\n3:memory:${mem}\n0::/\n`))).toEqual({
      id: A,
      runtime: 'docker',
      cgroupPath: mem,
    });
    expect(
      containerOfProcess(
        parseProcCgroup(`4:pids:/\n3:memory:/\n2:cpu,cpuacct:/docker/${B}\n1:blkio:/docker/${A}\n0::/\n`),
      ),
    ).toEqual({
      id: B,
      runtime: 'docker',
      cgroupPath: `/docker/${B}`,
    });
  });

  it('passes over a conmon scope to the container scope in another hierarchy', () => {
    const entries = parseProcCgroup(
      `11:memory:/machine.slice/libpod-${A}.scope\n0::/machine.slice/libpod-conmon-${A}.scope\n`,
    );
    expect(containerOfProcess(entries)).toEqual({
      id: A,
      runtime: 'podman',
      cgroupPath: `/machine.slice/libpod-${A}.scope`,
    });
  });
});
