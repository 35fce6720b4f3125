// Where PSI is read: the host's /proc/pressure every refresh, a container's *.pressure only when a view shows
// container detail, and on a v1 host from the container's directory in the unified tree (its only home there).
import { describe, expect, it } from 'vitest';
import { buildPlan, buildTieredPlan, DEFAULT_DOCKER_ROOT } from '../../../src/core/collect/plan';
import type { TierRequest } from '../../../src/core/collect/plan';
import { cgroupFilesByPath, indexBatch } from '../../../src/core/collect/batchIndex';
import { ReadCache } from '../../../src/core/collect/readCache';
import { FULL_DEMAND, ROW_DEMAND } from '../../../src/core/collect/demand';
import { buildBatchScript, validateBatchPlan } from '../../../src/core/transport/batchScript';

const tier = (over: Partial<TierRequest>): TierRequest => ({
  slow: false,
  interfaces: false,
  stat: [],
  containerDetail: false,
  known: [],
  cgroupPaths: [],
  ...over,
});
const PSI = ['cpu.pressure', 'memory.pressure', 'io.pressure'];
const HOST_PSI = ['/proc/pressure/cpu', '/proc/pressure/memory', '/proc/pressure/io'];

describe('the plan', () => {
  it('reads /proc/pressure on every refresh, row or detail, and in the reference plan', () => {
    for (const t of [tier({}), tier({ containerDetail: true }), tier({ slow: true, containerDetail: true })])
      expect(buildTieredPlan(DEFAULT_DOCKER_ROOT, t).files).toEqual(expect.arrayContaining(HOST_PSI));
    expect(buildPlan(DEFAULT_DOCKER_ROOT).files).toEqual(expect.arrayContaining(HOST_PSI));
  });

  it('reads the containers’ *.pressure with detail, not for rows, and not on a slow refresh for rows', () => {
    const files = (t: TierRequest): string[] => buildTieredPlan(DEFAULT_DOCKER_ROOT, t).cgroups!.files;
    expect(files(tier({ containerDetail: true }))).toEqual(expect.arrayContaining(PSI));
    for (const f of PSI) expect(files(tier({}))).not.toContain(f);
    const cache = new ReadCache(10);
    const slowRows = cache.request(true, ROW_DEMAND);
    expect(slowRows.slow && slowRows.containerDetail).toBe(true);
    for (const f of PSI) expect(files(slowRows)).not.toContain(f);
    expect(files(new ReadCache(10).request(false, FULL_DEMAND))).toEqual(expect.arrayContaining(PSI));
  });

  it('stays a plan the remote readers accept', () => {
    for (const plan of [
      buildPlan(DEFAULT_DOCKER_ROOT),
      buildTieredPlan(DEFAULT_DOCKER_ROOT, tier({ containerDetail: true })),
    ]) {
      expect(() => validateBatchPlan(plan)).not.toThrow();
      expect(buildBatchScript(plan)).toContain('memory.pressure');
    }
  });
});

describe('cgroupFilesByPath', () => {
  const path = '/docker/0b10df4bcb9161409a302ebed855dcbb4662771bc616bedc9017b18f09ede36c';
  const batch = (files: Record<string, string>) =>
    indexBatch({ files: new Map(Object.entries(files)), links: new Map(), statfs: new Map(), durationMs: 0 });

  it('v1 hybrid: *.pressure from the unified tree, its v2 cpu.stat still left out', () => {
    const index = batch({
      [`/sys/fs/cgroup/cpu,cpuacct${path}/cpu.stat`]: 'nr_periods 1\n',
      [`/sys/fs/cgroup/unified${path}/cpu.stat`]: 'usage_usec 5\n',
      [`/sys/fs/cgroup/unified${path}/cpu.pressure`]: 'some cpu\n',
      [`/sys/fs/cgroup/unified${path}/memory.pressure`]: 'some memory\n',
    });
    const files = cgroupFilesByPath(index, [path], 1).get(path)!;
    expect(files.get('cpu.stat')).toBe('nr_periods 1\n');
    expect(files.get('cpu.pressure')).toBe('some cpu\n');
    expect(files.get('memory.pressure')).toBe('some memory\n');
  });

  it('v2: *.pressure from the container’s own directory', () => {
    const index = batch({ [`/sys/fs/cgroup${path}/io.pressure`]: 'some io\n' });
    expect(cgroupFilesByPath(index, [path], 2).get(path)!.get('io.pressure')).toBe('some io\n');
  });
});
