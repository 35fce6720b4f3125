// Normalisation of Engine API replies captured from a real dockerd 20.10 (API 1.41) with
// curl --unix-socket /var/run/docker.sock http://d/v1.41/... (see test/unit/fixtures/docker/).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerMeta, containerStateCounts } from '../../../src/core/docker/describe';
import type { ContainerInspect, ContainerSummary, EngineInfo } from '../../../src/core/docker/engineApi';

const FIXTURES = join(__dirname, '../fixtures/docker');
const load = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const list = load<ContainerSummary[]>('containers-list.json');
const info = load<EngineInfo>('info.json');
const rootDir = info.DockerRootDir;

function metaOf(name: string) {
  const raw = load<ContainerInspect>(`inspect-${name}.json`);
  const summary = list.find((s) => s.Id === raw.Id);
  if (!summary) throw new Error(`${name} is not in containers-list.json`);
  return { raw, meta: containerMeta(raw, summary, rootDir) };
}

describe('containerMeta on real inspect replies', () => {
  it('dm-limited: limits from HostConfig, name without slash, compose labels, paths', () => {
    const { raw, meta } = metaOf('dm-limited');
    expect(meta.id).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.name).toBe('dm-limited');
    expect(meta.image).toBe('dm-busybox:test');
    // Created with --memory 64m --cpus 0.5 --pids-limit 50.
    expect(meta.limits.memoryBytes).toBe(64 * 1024 * 1024);
    expect(meta.limits.nanoCpus).toBe(0.5 * 1e9);
    expect(meta.limits.pidsLimit).toBe(50);
    // --cpus sets NanoCpus, not a quota: the quota fields stay unset.
    expect(meta.limits.cpuQuota).toBeNull();
    expect(meta.limits.cpuPeriod).toBeNull();
    expect(meta.compose).toEqual({ project: 'dmtest', service: 'limited' });
    expect(meta.labels['com.docker.compose.service']).toBe('limited');
    expect(meta.state).toBe('running');
    expect(meta.initPid).toBe(raw.State!.Pid);
    expect(meta.initPid).toBeGreaterThan(0);
    expect(meta.containerDir).toBe(`/var/lib/docker/containers/${meta.id}`);
    expect(meta.mergedDir).toMatch(/^\/var\/lib\/docker\/overlay2\/[0-9a-f]{64}\/merged$/);
    expect(meta.upperDir).toBe(meta.mergedDir!.replace(/merged$/, 'diff'));
    expect(meta.workDir).toBe(meta.mergedDir!.replace(/merged$/, 'work'));
    expect(meta.ipAddress).toMatch(/^172\.17\.\d+\.\d+$/);
    expect(meta.networkMode).toBe('default');
    expect(meta.pidMode).toBe('');
    expect(meta.privileged).toBe(false);
    expect(meta.health).toBeNull();
    expect(meta.command).toBe("sh -c 'sleep 100000'");
    // ISO, at millisecond precision, from the nanosecond RFC 3339 stamps.
    expect(meta.createdAt).toBe(raw.Created.slice(0, 23) + 'Z');
    expect(meta.startedAt).toBe(raw.State!.StartedAt.slice(0, 23) + 'Z');
    expect(meta.restartCount).toBe(0);
  });

  it('dm-stopped (created, never started): nulls instead of zero times, PID 0 and empty paths', () => {
    const { raw, meta } = metaOf('dm-stopped');
    expect(raw.State!.StartedAt).toBe('0001-01-01T00:00:00Z');
    expect(raw.State!.Pid).toBe(0);
    expect(meta.state).toBe('created');
    expect(meta.status).toBe('Created');
    expect(meta.initPid).toBeNull();
    expect(meta.startedAt).toBeNull();
    expect(meta.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(meta.ipAddress).toBeNull();
    // No HostnamePath/LogPath before a first start: the folder comes from DockerRootDir.
    expect(raw.HostnamePath).toBe('');
    expect(meta.containerDir).toBe(`${rootDir}/containers/${meta.id}`);
    expect(meta.compose).toBeNull();
    expect(meta.labels).toEqual({});
    expect(meta.limits).toEqual({
      memoryBytes: null,
      nanoCpus: null,
      cpuQuota: null,
      cpuPeriod: null,
      pidsLimit: null,
    });
  });

  it('dm-hostnet: network mode host and no address of its own', () => {
    const { meta } = metaOf('dm-hostnet');
    expect(meta.networkMode).toBe('host');
    expect(meta.ipAddress).toBeNull();
    expect(meta.compose).toEqual({ project: 'dmtest', service: null });
  });

  it('dm-multi: a compose project without a service label; memory limit only', () => {
    const { meta } = metaOf('dm-multi');
    expect(meta.compose).toEqual({ project: 'dmtest', service: null });
    expect(meta.limits.memoryBytes).toBe(128 * 1024 * 1024);
    expect(meta.limits.pidsLimit).toBeNull();
    expect(meta.limits.nanoCpus).toBeNull();
  });

  it('an exited container: started once, no PID, folder from its HostnamePath', () => {
    const raw = load<ContainerInspect>('inspect-dm-fixture-exited.json');
    const [summary] = load<ContainerSummary[]>('list-dm-fixture-exited.json');
    const meta = containerMeta(raw, summary, null);
    expect(meta.state).toBe('exited');
    expect(meta.status).toMatch(/^Exited \(3\)/);
    expect(meta.initPid).toBeNull();
    expect(meta.startedAt).not.toBeNull();
    expect(Date.parse(meta.startedAt!)).toBeGreaterThanOrEqual(Date.parse(meta.createdAt!));
    // Known without DockerRootDir: the dirname of HostnamePath.
    expect(meta.containerDir).toBe(`/var/lib/docker/containers/${meta.id}`);
    expect(meta.compose).toEqual({ project: 'fx', service: null });
  });

  it('a container with a healthcheck, --pid host and --cpu-quota/--cpu-period', () => {
    const raw = load<ContainerInspect>('inspect-dm-fixture-health.json');
    const [summary] = load<ContainerSummary[]>('list-dm-fixture-health.json');
    const meta = containerMeta(raw, summary, rootDir);
    expect(meta.health).toBe('healthy');
    expect(meta.status).toContain('(healthy)');
    expect(meta.pidMode).toBe('host');
    expect(meta.limits.cpuQuota).toBe(25000);
    expect(meta.limits.cpuPeriod).toBe(100000);
    expect(meta.limits.nanoCpus).toBeNull();
  });

  it('a privileged container that failed to start: privileged, created, no PID', () => {
    const raw = load<ContainerInspect>('inspect-dm-fixture-privileged.json');
    const meta = containerMeta(raw, undefined, rootDir);
    expect(meta.privileged).toBe(true);
    expect(meta.pidMode).toBe('host');
    // Without a list entry: name, state and command come from the inspect reply itself.
    expect(meta.name).toBe('dm-fixture-health');
    expect(meta.state).toBe('created');
    expect(meta.command).toBe('sleep 300');
    expect(meta.initPid).toBeNull();
    expect(meta.startedAt).toBeNull();
  });

  it('reads every "no limit" spelling of PidsLimit as null (0 and -1 from older daemons, null from 20.10)', () => {
    const { raw } = metaOf('dm-limited');
    for (const unlimited of [0, -1, null]) {
      const variant = { ...raw, HostConfig: { ...raw.HostConfig!, PidsLimit: unlimited } };
      expect(containerMeta(variant, undefined, rootDir).limits.pidsLimit).toBeNull();
    }
  });

  it('survives replies with sections missing, without throwing', () => {
    const { raw } = metaOf('dm-limited');
    const bare = { Id: raw.Id } as ContainerInspect;
    const meta = containerMeta(bare, undefined, null);
    expect(meta.name).toBe(raw.Id.slice(0, 12));
    expect(meta.initPid).toBeNull();
    expect(meta.containerDir).toBeNull();
    expect(meta.labels).toEqual({});
    expect(meta.limits.memoryBytes).toBeNull();
    expect(meta.createdAt).toBeNull();
  });
});

describe('containerStateCounts', () => {
  it('agrees with the daemon own counters from /info taken at the same moment', () => {
    const counts = containerStateCounts(list);
    expect(counts.total).toBe(info.Containers);
    expect(counts.running).toBe(info.ContainersRunning);
    expect(counts.paused).toBe(info.ContainersPaused);
    // dockerd counts everything neither running nor paused as stopped.
    expect(counts.created + counts.exited + counts.dead).toBe(info.ContainersStopped);
    expect(counts.created).toBe(1);
  });

  it('counts metas (lower-case state) the same way, and unknown states in the total only', () => {
    const metas = list.map((s) => ({ state: s.State }));
    expect(containerStateCounts(metas)).toEqual(containerStateCounts(list));
    const odd = containerStateCounts([{ state: 'removing' }, { State: 'exited' }]);
    expect(odd).toEqual({ total: 2, running: 0, paused: 0, restarting: 0, exited: 1, created: 0, dead: 0 });
  });
});
