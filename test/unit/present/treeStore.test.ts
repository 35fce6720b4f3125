import { describe, expect, it } from 'vitest';
import { TreeStore } from '../../../src/core/present/treeStore';
import { TreeDemand } from '../../../src/core/present/treeDemand';
import { changedNodeIds } from '../../../src/core/present/treeDiff';
import { buildTargetTree } from '../../../src/core/present/treeModel';
import { TOP_HOST_PROCESSES } from '../../../src/core/present/treeRows';
import type { TreeNode } from '../../../src/core/present/treeNodes';
import type { Snapshot } from '../../../src/core/model';
import { clone, loadErrors, loadSnapshot, localTarget, sshTarget } from './load';

const ids = (change: TreeNode[] | 'root'): string[] | 'root' => (change === 'root' ? 'root' : change.map((n) => n.id));

function containerNamed(s: Snapshot, name: string) {
  return s.containers.find((c) => c.name === name)!;
}

describe('changedNodeIds', () => {
  const s = loadSnapshot('local-2');
  const before = buildTargetTree(localTarget(s));

  it('is empty when nothing changed', () => {
    expect(changedNodeIds(before, buildTargetTree(localTarget(clone(s))))).toEqual([]);
  });

  it('names only the container whose figures changed, not its parents', () => {
    const next = clone(s);
    const c = containerNamed(next, 'dm-unlimited');
    c.cpu.percent = 12.5;
    expect(changedNodeIds(before, buildTargetTree(localTarget(next)))).toEqual([`container:local:${c.id}`]);
  });

  it('names only the process whose figures changed', () => {
    const next = clone(s);
    const c = containerNamed(next, 'dm-multi');
    const p = next.processes.find((x) => x.pid === c.processes[1].hostPid)!;
    p.rssBytes += 4096 * 100;
    expect(changedNodeIds(before, buildTargetTree(localTarget(next)))).toEqual([
      `process:local:${p.pid}:${p.startTicks}`,
    ]);
  });

  it('names the parent when a child comes or goes, and no row inside it', () => {
    const next = clone(s);
    const c = containerNamed(next, 'dm-multi');
    next.processes = next.processes.filter((x) => x.pid !== c.processes[3].hostPid);
    expect(changedNodeIds(before, buildTargetTree(localTarget(next)))).toEqual([`container:local:${c.id}`]);
  });

  it('names a group when a container moves between compose projects', () => {
    const next = clone(s);
    const c = containerNamed(next, 'dm-hostnet');
    c.compose = null;
    c.labels = {};
    expect(changedNodeIds(before, buildTargetTree(localTarget(next)))).toEqual(['containers:local']);
  });

  it('names the target row when its state changes', () => {
    const e = loadErrors()[0];
    const a = buildTargetTree(sshTarget(s));
    const b = buildTargetTree(sshTarget(s, 'reconnecting', e));
    expect(changedNodeIds(a, b)).toEqual(['target:ssh:lab']);
  });

  it('between two real refreshes, redraws the usage and container rows whose figures changed, never their ancestors', () => {
    const a = buildTargetTree(localTarget(loadSnapshot('local-1')));
    const b = buildTargetTree(localTarget(loadSnapshot('local-2')));
    const changed = changedNodeIds(a, b);
    expect(changed).toContain('hostUsage:local');
    expect(changed.some((id) => id.startsWith('container:'))).toBe(true);
    // Redrawing a row drops its descendants' handles in VS Code for a moment (a context-menu command then gets
    // no argument): the rows that hold the container rows must not be redrawn by a refresh that only moved figures.
    for (const id of ['target:local', 'host:local', 'containers:local']) expect(changed).not.toContain(id);
    expect(changed.some((id) => id.startsWith('compose:'))).toBe(false);
  });
});

describe('TreeStore', () => {
  const s1 = loadSnapshot('local-1');
  const s2 = loadSnapshot('local-2');

  it('lists targets in order and builds their rows', () => {
    const store = new TreeStore();
    store.setTargets([localTarget(s2), sshTarget(null, 'connecting')]);
    expect(store.roots().map((n) => n.id)).toEqual(['target:local', 'target:ssh:lab']);
    expect(store.children().map((n) => n.id)).toEqual(['target:local', 'target:ssh:lab']);
    expect(store.children(store.roots()[0]).map((n) => n.id)).toEqual(['host:local']);
    expect(store.children(store.roots()[1]).map((n) => n.kind)).toEqual(['message']);
  });

  it('keeps one element object per row across refreshes (VS Code finds rows by identity)', () => {
    const store = new TreeStore();
    store.setTargets([localTarget(s1)]);
    const c = containerNamed(s1, 'dm-limited');
    const host = store.element('host:local')!;
    const container = store.element(`container:local:${c.id}`)!;
    const proc = store.children(container)[0];
    store.update(localTarget(s2));
    expect(store.element('host:local')).toBe(host);
    expect(store.element(`container:local:${c.id}`)).toBe(container);
    expect(store.children(container)[0]).toBe(proc);
    expect(store.parent(proc)).toBe(container);
    expect(store.parent(container)!.id).toBe('compose:local:dmtest');
    expect(store.parent(store.parent(container)!)!.id).toBe('containers:local');
  });

  it('returns the rows to redraw, as the same element objects', () => {
    const store = new TreeStore();
    store.setTargets([localTarget(s1)]);
    const usage = store.element('hostUsage:local');
    const change = store.update(localTarget(s2));
    expect((change as TreeNode[])[0]).toBe(usage);
    expect(ids(change)).toEqual(changedNodeIds(buildTargetTree(localTarget(s1)), buildTargetTree(localTarget(s2))));
    for (const node of change as TreeNode[]) expect(store.element(node.id)).toBe(node);
    expect(store.update(localTarget(s2))).toEqual([]);
  });

  it('refreshes the fields of a kept element (a new error code on the same row)', () => {
    const [a, b] = loadErrors();
    const store = new TreeStore();
    store.setTargets([sshTarget(null, 'error', a)]);
    const row = store.children(store.roots()[0])[0];
    expect(row).toMatchObject({ kind: 'message', errorCode: a.code });
    const change = store.update(sshTarget(null, 'error', b));
    expect(store.children(store.roots()[0])[0]).toBe(row);
    expect(row).toMatchObject({ kind: 'message', errorCode: b.code });
    // The target's tooltip names the error too: its row (and so its subtree) is redrawn.
    expect(ids(change)).toEqual(['target:ssh:lab']);
  });

  it('forgets rows that are gone, and answers nothing for them', () => {
    const store = new TreeStore();
    store.setTargets([localTarget(s1)]);
    store.setShowAll('local', true);
    const ended = s1.processes.find((p) => !s2.processes.some((q) => q.pid === p.pid && q.startTicks === p.startTicks));
    expect(ended).toBeDefined();
    const id = `process:local:${ended!.pid}:${ended!.startTicks}`;
    const element = store.element(id)!;
    store.update(localTarget(s2));
    expect(store.element(id)).toBeUndefined();
    expect(store.row(element)).toBeUndefined();
    expect(store.children(element)).toEqual([]);
    expect(store.parent(element)).toBeUndefined();
  });

  it('asks for a root redraw when a target is added or removed', () => {
    const store = new TreeStore();
    store.setTargets([localTarget(s2)]);
    expect(store.update(sshTarget(null, 'connecting'))).toBe('root');
    expect(store.roots().map((n) => n.id)).toEqual(['target:local', 'target:ssh:lab']);
    const host = store.element('host:local');
    store.setTargets([sshTarget(null, 'connecting')]);
    expect(store.roots().map((n) => n.id)).toEqual(['target:ssh:lab']);
    expect(store.element('host:local')).toBeUndefined();
    expect(host && store.row(host)).toBeUndefined();
  });

  it('toggles all host processes for one target only', () => {
    const store = new TreeStore();
    store.setTargets([localTarget(s2), sshTarget(s2)]);
    const hostCount = s2.processes.filter((p) => p.containerId === null).length;
    const group = store.element('hostProcesses:local')!;
    expect(store.children(group)).toHaveLength(TOP_HOST_PROCESSES + 1);
    expect(ids(store.toggleShowAll('local'))).toEqual(['hostProcesses:local']);
    expect(store.isShowingAll('local')).toBe(true);
    expect(store.children(group)).toHaveLength(hostCount + 1);
    expect(store.children(store.element('hostProcesses:ssh:lab')!)).toHaveLength(TOP_HOST_PROCESSES + 1);
    // The choice holds across refreshes.
    store.update(localTarget(s1));
    expect(store.children(group).length).toBe(s1.processes.filter((p) => p.containerId === null).length + 1);
    store.toggleShowAll('local');
    expect(store.children(group)).toHaveLength(TOP_HOST_PROCESSES + 1);
    expect(store.setShowAll('local', false)).toEqual([]);
  });

  it('counts targets that cannot connect', () => {
    const e = loadErrors()[0];
    const store = new TreeStore();
    store.setTargets([localTarget(s2), sshTarget(null, 'error', e)]);
    expect(store.failingCount()).toBe(1);
    store.update(sshTarget(s2));
    expect(store.failingCount()).toBe(0);
  });

  describe('locate (for reveal)', () => {
    const store = new TreeStore();
    store.setTargets([localTarget(s2)]);
    const limited = containerNamed(s2, 'dm-limited');

    it('finds the host', () => {
      expect(store.locate('local', 'host', '')?.node.id).toBe('host:local');
    });

    it('finds a container by full id, name (with or without slash) and unique prefix', () => {
      for (const ref of [limited.id, 'dm-limited', '/dm-limited', limited.id.slice(0, 6)]) {
        expect(store.locate('local', 'container', ref)?.node, ref).toBe(store.element(`container:local:${limited.id}`));
      }
    });

    it('finds nothing for an unknown or ambiguous container, or an unknown target', () => {
      expect(store.locate('local', 'container', 'no-such')).toBeNull();
      expect(store.locate('local', 'container', '')).toBeNull();
      const hex = '0123456789abcdef'.split('');
      const ambiguous = hex.find((h) => s2.containers.filter((c) => c.id.startsWith(h)).length > 1);
      if (ambiguous) expect(store.locate('local', 'container', ambiguous)).toBeNull();
      expect(store.locate('ssh:none', 'host', '')).toBeNull();
    });

    it("finds a container's process by host PID", () => {
      const pid = limited.processes[0].hostPid;
      const found = store.locate('local', 'process', String(pid));
      expect(found?.node).toMatchObject({ kind: 'process', pid, containerId: limited.id });
      expect(found?.change).toEqual([]);
    });

    it('shows all host processes to reveal one beyond the busiest', () => {
      const own = new TreeStore();
      own.setTargets([localTarget(s2)]);
      const shown = new Set(
        own.children(own.element('hostProcesses:local')!).map((n) => (n.kind === 'process' ? n.pid : -1)),
      );
      const hidden = s2.processes.find((p) => p.containerId === null && !shown.has(p.pid))!;
      const found = own.locate('local', 'process', String(hidden.pid));
      expect(found?.node).toMatchObject({ kind: 'process', pid: hidden.pid });
      expect(ids(found!.change)).toEqual(['hostProcesses:local']);
      expect(own.isShowingAll('local')).toBe(true);
      expect(own.parent(found!.node)?.id).toBe('hostProcesses:local');
    });

    it('finds nothing for a PID that does not exist or is not a number', () => {
      expect(store.locate('local', 'process', '4194304')).toBeNull();
      expect(store.locate('local', 'process', '12abc')).toBeNull();
      expect(store.isShowingAll('local')).toBe(false);
    });
  });

  describe('with an expansion (the extension: rows of closed containers are not built)', () => {
    const processRows = (store: TreeStore): number[] =>
      ['local'].flatMap(() => {
        const out: number[] = [];
        const walk = (n: TreeNode): void => {
          if (n.kind === 'process') out.push(n.pid);
          const row = store.row(n);
          for (const id of row?.childIds ?? []) walk(store.element(id)!);
        };
        for (const r of store.roots()) walk(r);
        return out;
      });
    const setup = () => {
      const demand = new TreeDemand();
      const opened: string[] = [];
      const store = new TreeStore({
        expansion: {
          isOpen: (n) => demand.isOpen(n),
          open: (n) => {
            opened.push(n.id);
            demand.expanded(n);
          },
        },
      });
      store.setTargets([localTarget(s2)]);
      return { demand, store, opened };
    };
    const limited = containerNamed(s2, 'dm-limited');
    const multi = containerNamed(s2, 'dm-multi');

    it('builds no process row while every container and Host processes are collapsed, and still shows they have some', () => {
      const { store } = setup();
      expect(processRows(store)).toEqual([]);
      const row = store.row(store.element(`container:local:${multi.id}`)!)!;
      expect(row.collapsible).toBe('collapsed');
      expect(row.deferred).toBe(true);
      expect(store.row(store.element('hostProcesses:local')!)!.deferred).toBe(true);
    });

    it("builds a container's processes when VS Code asks for its children, in the same order as without an expansion", () => {
      const { store, opened } = setup();
      const node = store.element(`container:local:${multi.id}`)!;
      const kids = store.children(node);
      expect(opened).toEqual([node.id]);
      expect(kids.map((n) => n.id)).toEqual(buildTargetTree(localTarget(s2)).nodes.get(node.id)!.childIds);
      expect(kids.map((n) => (n.kind === 'process' ? n.pid : -1)).sort((a, b) => a - b)).toEqual(
        multi.processes.map((p) => p.hostPid).sort((a, b) => a - b),
      );
      // Other containers stay closed.
      expect(store.row(store.element(`container:local:${limited.id}`)!)!.childIds).toEqual([]);
    });

    it('drops the rows of a container collapsed again at the next refresh, and redraws that container only', () => {
      const { store, demand } = setup();
      const node = store.element(`container:local:${multi.id}`)!;
      store.children(node);
      demand.collapsed(node);
      expect(ids(store.update(localTarget(clone(s2))))).toEqual([node.id]);
      expect(processRows(store)).toEqual([]);
    });

    it('opens the closed container of a process that a reveal looks for', () => {
      const { store } = setup();
      const pid = limited.processes[0].hostPid;
      const found = store.locate('local', 'process', String(pid));
      expect(found?.node).toMatchObject({ kind: 'process', pid, containerId: limited.id });
      expect(ids(found!.change)).toEqual([`container:local:${limited.id}`]);
      expect(store.parent(found!.node)?.id).toBe(`container:local:${limited.id}`);
    });

    it('opens Host processes, and shows them all, for a host process beyond the busiest', () => {
      const { store } = setup();
      const top = new Set(buildTargetTree(localTarget(s2)).nodes.get('hostProcesses:local')!.childIds);
      const hidden = s2.processes.find(
        (p) => p.containerId === null && ![...top].some((id) => id.startsWith(`process:local:${p.pid}:`)),
      )!;
      const found = store.locate('local', 'process', String(hidden.pid));
      expect(found?.node).toMatchObject({ kind: 'process', pid: hidden.pid });
      expect(store.isShowingAll('local')).toBe(true);
      expect(store.parent(found!.node)?.id).toBe('hostProcesses:local');
    });
  });
});
