// What the views show, as demands: their union, the tree's expanded rows, the plan a demand makes, and the
// snapshot it keeps. The real snapshot fixture is this machine's `monitor all --json`.
import { describe, expect, it } from 'vitest';
import { FULL_DEMAND, mergeDemands, ROW_DEMAND } from '../../../src/core/collect/demand';
import { buildTieredPlan } from '../../../src/core/collect/plan';
import { keepShown } from '../../../src/core/collect/shown';
import { TreeDemand } from '../../../src/core/present/treeDemand';
import { nodeIds } from '../../../src/core/present/treeNodes';
import type { TreeNode } from '../../../src/core/present/treeNodes';
import { buildTargetTree } from '../../../src/core/present/treeModel';
import { validateBatchPlan } from '../../../src/core/transport/batchScript';
import { clone, loadSnapshot, localTarget } from '../present/load';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('mergeDemands', () => {
  it('is the row demand for nobody, and the union otherwise', () => {
    expect(mergeDemands([])).toEqual({ processes: [], containerDetail: false });
    expect(
      mergeDemands([
        ROW_DEMAND,
        { processes: [B], containerDetail: false },
        { processes: [A, B], containerDetail: false },
      ]),
    ).toEqual({
      processes: [A, B],
      containerDetail: false,
    });
    expect(mergeDemands([{ processes: [A], containerDetail: false }, FULL_DEMAND])).toEqual(FULL_DEMAND);
    expect(
      mergeDemands([
        { processes: 'all', containerDetail: false },
        { processes: [A], containerDetail: true },
      ]),
    ).toEqual(FULL_DEMAND);
  });
});

describe('TreeDemand', () => {
  const container = (id: string): TreeNode => ({
    kind: 'container',
    id: nodeIds.container('local', id),
    targetId: 'local',
    containerId: id,
  });
  const hostProcs: TreeNode = { kind: 'hostProcesses', id: nodeIds.hostProcesses('local'), targetId: 'local' };
  const target: TreeNode = { kind: 'target', id: nodeIds.target('local'), targetId: 'local', targetKind: 'local' };

  it('asks for the processes of expanded containers only, and all of them for the host processes', () => {
    const d = new TreeDemand();
    expect(d.demand('local')).toEqual(ROW_DEMAND);
    expect(d.expanded(container(A))).toBe(true);
    expect(d.expanded(container(A))).toBe(false); // asked again on redraw: nothing new to read
    expect(d.demand('local')).toEqual({ processes: [A], containerDetail: false });
    expect(d.demand('ssh:other')).toEqual(ROW_DEMAND);
    expect(d.expanded(hostProcs)).toBe(true);
    expect(d.expanded(container(B))).toBe(false); // every process is read already
    expect(d.demand('local')).toEqual({ processes: 'all', containerDetail: false });
    d.collapsed(hostProcs);
    expect(d.demand('local')).toEqual({ processes: [A, B], containerDetail: false });
    d.collapsed(target);
    expect(d.demand('local')).toEqual(ROW_DEMAND);
  });
});

describe('buildTieredPlan for what is shown', () => {
  const tier = {
    slow: false,
    interfaces: false,
    containerDetail: false,
    known: [[1, 5]] as Array<[number, number]>,
    cgroupPaths: [`/docker/${A}`],
  };

  it('names the stat files of the shown PIDs and lets the reader find new ones', () => {
    const plan = buildTieredPlan('/var/lib/docker', { ...tier, stat: [1, 4242] });
    validateBatchPlan(plan);
    expect(plan.files.filter((f) => f.startsWith('/proc/') && f.endsWith('/stat') && f !== '/proc/stat')).toEqual([
      '/proc/1/stat',
      '/proc/4242/stat',
    ]);
    expect(plan.links).toEqual(['/proc/1/ns/net', '/proc/4242/ns/net']);
    expect(plan.processFacts?.newFromListing).toBe(true);
    expect(plan.cgroups?.files).not.toContain('blkio.throttle.io_service_bytes');
    expect(plan.cgroups?.files).toContain('memory.stat');
    expect(plan.perNetns).toEqual(['net/dev']);
  });

  it('reads every stat, every counter and the iflinks when asked', () => {
    const plan = buildTieredPlan('/var/lib/docker', { ...tier, stat: 'all', containerDetail: true, interfaces: true });
    expect(plan.files).toContain('/proc/[0-9]*/stat');
    expect(plan.processFacts?.newFromListing).toBeUndefined();
    expect(plan.cgroups?.files).toContain('blkio.throttle.io_service_bytes');
    expect(plan.perNetns).toEqual(['net/dev', 'root/sys/class/net/*/iflink']);
  });

  it('refuses a plan whose newFromListing is not a boolean', () => {
    const plan = buildTieredPlan('/var/lib/docker', { ...tier, stat: [1] });
    (plan.processFacts as { newFromListing: unknown }).newFromListing = 'yes; rm -rf /';
    expect(() => validateBatchPlan(plan)).toThrow(/newFromListing/);
  });
});

describe('keepShown', () => {
  it('keeps each container main process, and every process of the asked-for containers', () => {
    const s = clone(loadSnapshot('local-2'));
    const multi = s.containers.find((c) => c.name === 'dm-multi')!;
    expect(multi.processes.length).toBeGreaterThan(1);
    keepShown(s, { processes: [multi.id], containerDetail: false });
    const full = loadSnapshot('local-2');
    expect(s.processes.filter((p) => p.containerId === multi.id)).toHaveLength(
      full.processes.filter((p) => p.containerId === multi.id).length,
    );
    for (const c of s.containers.filter((x) => x.id !== multi.id && x.processes.length > 0)) {
      expect(
        c.processes.map((r) => r.hostPid),
        c.name,
      ).toEqual([c.initPid]);
    }
    expect(s.processes.some((p) => p.containerId === null)).toBe(false);
  });

  it('keeps everything for a demand of every process', () => {
    const s = clone(loadSnapshot('local-2'));
    keepShown(s, FULL_DEMAND);
    expect(s.processes).toHaveLength(loadSnapshot('local-2').processes.length);
  });

  it('leaves the Host processes node expandable when no host process was read', () => {
    const s = clone(loadSnapshot('local-2'));
    keepShown(s, ROW_DEMAND);
    s.partial = { processes: [], containerDetail: false };
    const node = buildTargetTree(localTarget(s)).nodes.get(nodeIds.hostProcesses('local'))!;
    expect(node.collapsible).toBe('collapsed');
    expect(node.description).toBe('');
    const before = buildTargetTree(localTarget(loadSnapshot('local-2'))).nodes.get(nodeIds.hostProcesses('local'))!;
    expect(Number(before.description)).toBeGreaterThan(10);
  });
});
