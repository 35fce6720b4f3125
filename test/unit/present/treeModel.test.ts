import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/core/errors';
import { buildTargetTree } from '../../../src/core/present/treeModel';
import { SHOW_ALL_COMMAND, RETRY_COMMAND, TOP_HOST_PROCESSES } from '../../../src/core/present/treeRows';
import type { PresentedNode, TargetTree } from '../../../src/core/present/treeRows';
import type { TreeNode } from '../../../src/core/present/treeNodes';
import { formatBytes, formatPercent } from '../../../src/core/format';
import type { ContainerInfo, Snapshot } from '../../../src/core/model';
import { clone, loadErrors, loadSnapshot, localTarget, sshTarget } from './load';

function row(tree: TargetTree, id: string): PresentedNode {
  const r = tree.nodes.get(id);
  if (!r) throw new Error(`no row ${id}; rows: ${[...tree.nodes.keys()].slice(0, 20).join(', ')}`);
  return r;
}

function children(tree: TargetTree, id: string): PresentedNode[] {
  return row(tree, id).childIds.map((c) => row(tree, c));
}

function named(s: Snapshot, name: string): ContainerInfo {
  const c = s.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

const kinds = (rows: PresentedNode[]): string[] => rows.map((r) => r.node.kind);

describe('tree of a connected target (real snapshot of this machine)', () => {
  const s = loadSnapshot('local-2');
  const tree = buildTargetTree(localTarget(s));

  it('nests target > host > Containers and Host processes', () => {
    expect(tree.rootId).toBe('target:local');
    const target = row(tree, 'target:local');
    expect(target.parentId).toBeNull();
    expect(kinds(children(tree, 'target:local'))).toEqual(['host']);
    expect(kinds(children(tree, 'host:local'))).toEqual(['hostUsage', 'containers', 'hostProcesses']);
    expect(row(tree, 'host:local').parentId).toBe('target:local');
    expect(row(tree, 'containers:local').parentId).toBe('host:local');
  });

  it('names the Local target after its machine, and the host row by its hostname', () => {
    const target = row(tree, 'target:local');
    expect(target.label).toBe(`Local (${s.host.hostname})`);
    expect(target.contextValue).toBe('target.local');
    expect(target.icon).toEqual({ id: 'vm', color: null });
    expect(row(tree, 'host:local').label).toBe(s.host.hostname);
    expect(row(tree, 'host:local').contextValue).toBe('host');
  });

  it('describes the host by what it is, and its usage row with CPU %, memory used / total and load', () => {
    // The host row holds every container row: it says only what does not change while the host runs.
    expect(row(tree, 'host:local').description).toBe(`${s.host.cpuCount} CPUs · 23.5 GiB`);
    // /proc/stat busy share 40.517...%, MemTotal - MemAvailable = 543760384 B = 518.57 MiB, MemTotal 23.54 GiB.
    const usage = row(tree, 'hostUsage:local');
    expect(usage.label).toBe('CPU 40.5%');
    expect(usage.description).toBe(`518.6 MiB / 23.5 GiB · load ${s.host.loadAverage[0].toFixed(2)}`);
    expect(usage.collapsible).toBe('none');
    expect(usage.contextValue).toBe('host');
    expect(usage.command?.command).toBe('dockerMonitor.monitorHost');
    expect(usage.tooltip).toContain('Sampled');
    expect(row(tree, 'host:local').tooltip).not.toContain('Sampled');
  });

  it('groups containers by their compose project label, the others directly under Containers, by name', () => {
    const under = children(tree, 'containers:local');
    const projects = [
      ...new Set(s.containers.map((c) => c.labels['com.docker.compose.project']).filter((p): p is string => !!p)),
    ].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    const groups = under.filter((r) => r.node.kind === 'composeProject');
    expect(groups.map((r) => (r.node as Extract<TreeNode, { kind: 'composeProject' }>).project)).toEqual(projects);
    for (const g of groups) {
      const project = (g.node as Extract<TreeNode, { kind: 'composeProject' }>).project;
      const expected = s.containers
        .filter((c) => c.labels['com.docker.compose.project'] === project)
        .map((c) => c.name)
        .sort();
      expect(children(tree, g.node.id).map((r) => r.label)).toEqual(expected);
      expect(g.collapsible).toBe('expanded');
    }
    const direct = under.filter((r) => r.node.kind === 'container').map((r) => r.label);
    expect(direct).toEqual(
      s.containers
        .filter((c) => !c.labels['com.docker.compose.project'])
        .map((c) => c.name)
        .sort(),
    );
    // Groups come before loose containers.
    expect(kinds(under)).toEqual([...groups.map(() => 'composeProject'), ...direct.map(() => 'container')]);
  });

  it('counts running containers on the Containers row and on each project', () => {
    const running = s.containers.filter((c) => c.state === 'running').length;
    expect(row(tree, 'containers:local').description).toBe(`${running}/${s.containers.length} running`);
    expect(row(tree, 'compose:local:shop').description).toBe('2/2 running');
    expect(row(tree, 'compose:local:shop').icon).toEqual({ id: 'layers', color: 'charts.green' });
  });

  it('describes a running container with CPU % and memory / limit, formatted by format.ts', () => {
    const c = named(s, 'dm-limited');
    const r = row(tree, `container:local:${c.id}`);
    expect(r.description).toBe(
      `${formatPercent(c.cpu.percent)} · ${formatBytes(c.memory.usageBytes)} / ${formatBytes(c.memory.limitBytes)}`,
    );
    // --memory 64m, usage - inactive_file = 491520 B.
    expect(r.description).toBe('47.7% · 480 KiB / 64 MiB');
    expect(r.contextValue).toBe('container.running');
    expect(r.icon).toEqual({ id: 'vm-running', color: 'charts.green' });
    const unlimited = row(tree, `container:local:${named(s, 'dm-unlimited').id}`);
    expect(unlimited.description).toMatch(/^0\.0% · [\d.]+ KiB \/ no limit$/);
  });

  it('shows health in the description and the icon colour', () => {
    const web = row(tree, `container:local:${named(s, 'dmtree-shop-web').id}`);
    const db = row(tree, `container:local:${named(s, 'dmtree-shop-db').id}`);
    expect(web.description.startsWith('healthy · ')).toBe(true);
    expect(web.icon.color).toBe('charts.green');
    expect(db.description.startsWith('unhealthy · ')).toBe(true);
    expect(db.icon).toEqual({ id: 'vm-running', color: 'charts.red' });
    expect(row(tree, `container:local:${named(s, 'dmtree-shop-db').id}`).tooltip).toContain('Health: unhealthy');
  });

  it('marks paused, exited and created containers by state', () => {
    const paused = row(tree, `container:local:${named(s, 'dmtree-paused').id}`);
    expect(paused.icon).toEqual({ id: 'debug-pause', color: 'charts.yellow' });
    expect(paused.description).toMatch(/^paused · /);
    expect(paused.contextValue).toBe('container.running');

    const exited = named(s, 'dmtree-exited');
    const exitedRow = row(tree, `container:local:${exited.id}`);
    expect(exited.status).toMatch(/^Exited \(3\)/);
    expect(exitedRow.description).toBe(exited.status);
    expect(exitedRow.icon).toEqual({ id: 'vm-outline', color: 'charts.red' });
    expect(exitedRow.contextValue).toBe('container.stopped');
    expect(exitedRow.collapsible).toBe('none');

    const created = row(tree, `container:local:${named(s, 'dm-stopped').id}`);
    expect(created.description).toBe('Created');
    expect(created.icon).toEqual({ id: 'vm-outline', color: 'disabledForeground' });
    expect(created.contextValue).toBe('container.stopped');
  });

  it("lists a container's processes with host PID → container PID, CPU % and RSS", () => {
    const c = named(s, 'dm-multi');
    const r = row(tree, `container:local:${c.id}`);
    expect(r.collapsible).toBe('collapsed');
    const procs = children(tree, r.node.id);
    // The container's own list (from /proc/PID/status NSpid) in in-container PID order.
    const refs = [...c.processes].sort((a, b) => (a.containerPid ?? 0) - (b.containerPid ?? 0));
    expect(procs.map((p) => (p.node as Extract<TreeNode, { kind: 'process' }>).pid)).toEqual(
      refs.map((x) => x.hostPid),
    );
    expect(procs.map((p) => p.label)).toEqual(refs.map((x) => x.name));
    const sh = s.processes.find((p) => p.pid === refs[0].hostPid)!;
    expect(procs[0].description).toBe(`PID ${refs[0].hostPid} → 1 · 0.0% · 1.5 MiB`);
    expect(sh.rssBytes).toBe(1548288);
    expect(procs.every((p) => p.contextValue === 'process' && p.collapsible === 'none')).toBe(true);
    const node = procs[0].node as Extract<TreeNode, { kind: 'process' }>;
    expect(node).toEqual({
      kind: 'process',
      id: `process:local:${sh.pid}:${sh.startTicks}`,
      targetId: 'local',
      pid: sh.pid,
      startTicks: sh.startTicks,
      containerId: c.id,
    });
  });

  it('shows the 50 busiest host processes first, then "Show all N…"', () => {
    const host = s.processes.filter((p) => p.containerId === null);
    expect(host.length).toBeGreaterThan(TOP_HOST_PROCESSES);
    const group = row(tree, 'hostProcesses:local');
    expect(group.description).toBe(String(host.length));
    const rows = children(tree, 'hostProcesses:local');
    expect(rows).toHaveLength(TOP_HOST_PROCESSES + 1);
    const procs = rows
      .slice(0, TOP_HOST_PROCESSES)
      .map((r) => s.processes.find((p) => p.pid === (r.node as Extract<TreeNode, { kind: 'process' }>).pid)!);
    expect(procs.every((p) => p.containerId === null)).toBe(true);
    const cpu = procs.map((p) => p.cpuPercent ?? -1);
    expect(cpu).toEqual([...cpu].sort((a, b) => b - a));
    // Nothing left out is busier than the last shown.
    const shown = new Set(procs.map((p) => p.pid));
    const maxLeft = Math.max(...host.filter((p) => !shown.has(p.pid)).map((p) => p.cpuPercent ?? -1));
    expect(maxLeft).toBeLessThanOrEqual(cpu[cpu.length - 1]);
    // Host processes show no container PID.
    expect(rows[0].description).toMatch(/^PID \d+ · /);
    const more = rows[TOP_HOST_PROCESSES];
    expect(more.node).toEqual({ kind: 'showAll', id: 'showAll:local', targetId: 'local', showingAll: false });
    expect(more.label).toBe(`Show all ${host.length}…`);
    expect(more.command?.command).toBe(SHOW_ALL_COMMAND);
  });

  it('shows every host process when asked, with a way back', () => {
    const all = buildTargetTree(localTarget(s), { showAllHostProcesses: true });
    const rows = children(all, 'hostProcesses:local');
    const host = s.processes.filter((p) => p.containerId === null);
    expect(rows).toHaveLength(host.length + 1);
    expect(new Set(rows.slice(0, -1).map((r) => (r.node as Extract<TreeNode, { kind: 'process' }>).pid))).toEqual(
      new Set(host.map((p) => p.pid)),
    );
    const back = rows[rows.length - 1];
    expect(back.node).toMatchObject({ kind: 'showAll', showingAll: true });
    expect(back.label).toBe(`Show the top ${TOP_HOST_PROCESSES} only`);
    expect(back.command?.command).toBe(SHOW_ALL_COMMAND);
  });

  it('has no "Show all" row when the host processes fit', () => {
    const few = buildTargetTree(localTarget(s), { topHostProcesses: 1000 });
    expect(kinds(children(few, 'hostProcesses:local')).every((k) => k === 'process')).toBe(true);
  });

  it('places every process exactly once, and ids are unique', () => {
    const ids = [...tree.nodes.keys()];
    expect(new Set(ids).size).toBe(ids.length);
    const all = buildTargetTree(localTarget(s), { showAllHostProcesses: true });
    const pids = [...all.nodes.values()]
      .filter((r) => r.node.kind === 'process')
      .map((r) => (r.node as Extract<TreeNode, { kind: 'process' }>).pid);
    expect(pids.sort((a, b) => a - b)).toEqual(s.processes.map((p) => p.pid).sort((a, b) => a - b));
    for (const r of all.nodes.values()) {
      for (const c of r.childIds) expect(all.nodes.get(c)?.parentId).toBe(r.node.id);
    }
  });
});

describe('the age of the slow tier', () => {
  const withFds = (snap: Snapshot) => snap.processes.find((p) => p.openFds !== null)!;
  it('says how old open files and sockets are when they were read before this refresh', () => {
    const s = clone(loadSnapshot('local-2'));
    s.slowReadAt = '2026-11-25T13:28:15.000Z';
    const p = withFds(s);
    const tip = buildTargetTree(localTarget(s)).nodes.get(`process:local:${p.pid}:${p.startTicks}`)?.tooltip ?? '';
    // Tooltips are Markdown with every punctuation mark escaped.
    expect(tip.replace(/\\(.)/g, '$1')).toContain(`Open files: ${p.openFds} (as of 13:28:15 UTC)`);
  });
  it('says nothing when they were read in this refresh', () => {
    const s = clone(loadSnapshot('local-2'));
    s.slowReadAt = s.collectedAt;
    const p = withFds(s);
    const tip = buildTargetTree(localTarget(s)).nodes.get(`process:local:${p.pid}:${p.startTicks}`)?.tooltip ?? '';
    expect(tip).toContain(String(p.openFds));
    expect(tip).not.toContain('as of');
  });
});

describe('stable ids', () => {
  const a = loadSnapshot('local-1');
  const b = loadSnapshot('local-2');
  const ta = buildTargetTree(localTarget(a));
  const tb = buildTargetTree(localTarget(b));

  it('gives a container the same id in two snapshots', () => {
    for (const c of b.containers) {
      expect(a.containers.some((x) => x.id === c.id)).toBe(true);
      const id = `container:local:${c.id}`;
      expect(ta.nodes.has(id)).toBe(true);
      expect(tb.nodes.has(id)).toBe(true);
    }
  });

  it('gives a process the same id while its PID and start time stay the same', () => {
    const all = (s: Snapshot) => buildTargetTree(localTarget(s), { showAllHostProcesses: true });
    const [x, y] = [all(a), all(b)];
    const survivors = b.processes.filter((p) =>
      a.processes.some((q) => q.pid === p.pid && q.startTicks === p.startTicks),
    );
    expect(survivors.length).toBeGreaterThan(50);
    for (const p of survivors) {
      const id = `process:local:${p.pid}:${p.startTicks}`;
      expect(x.nodes.has(id)).toBe(true);
      expect(y.nodes.has(id)).toBe(true);
    }
    // Processes that ended (health checks run and exit) are gone, new ones are new: ids never get reused.
    const ended = a.processes.filter((p) => !b.processes.some((q) => q.pid === p.pid && q.startTicks === p.startTicks));
    expect(ended.length).toBeGreaterThan(0);
    for (const p of ended) expect(y.nodes.has(`process:local:${p.pid}:${p.startTicks}`)).toBe(false);
  });

  it('keeps the structural rows fixed', () => {
    for (const id of [
      'target:local',
      'host:local',
      'containers:local',
      'hostProcesses:local',
      'showAll:local',
      'compose:local:shop',
      'compose:local:dmtest',
    ]) {
      expect(ta.nodes.has(id)).toBe(true);
      expect(tb.nodes.has(id)).toBe(true);
    }
  });

  it('scopes ids by target, so two targets showing the same machine do not collide', () => {
    const ssh = buildTargetTree(sshTarget(b));
    const local = new Set(tb.nodes.keys());
    for (const id of ssh.nodes.keys()) expect(local.has(id)).toBe(false);
    expect(ssh.rootId).toBe('target:ssh:lab');
  });

  it('builds the same rows from the same input', () => {
    expect(buildTargetTree(localTarget(b))).toEqual(tb);
  });
});

describe('connection states and errors', () => {
  const errors = loadErrors();

  it('has a captured error for each connection failure code', () => {
    expect(errors.map((e) => e.code).sort()).toEqual([
      'auth-failed',
      'host-key-changed',
      'host-key-unknown',
      'timeout',
      'unreachable',
    ]);
  });

  const titles: Record<string, string> = {
    unreachable: 'Host unreachable',
    'host-key-unknown': 'Host key not trusted',
    'auth-failed': 'Authentication failed',
    'host-key-changed': 'Host key changed: connection refused',
    timeout: 'Connection timed out',
  };

  for (const e of loadErrors()) {
    it(`shows why a target cannot connect: ${e.code}, with a retry action`, () => {
      const tree = buildTargetTree(sshTarget(null, 'error', e));
      const target = row(tree, 'target:ssh:lab');
      expect(target.description).toBe('root@127.0.0.1:2222 · cannot connect');
      expect(target.icon).toEqual({ id: 'error', color: 'charts.red' });
      expect(target.contextValue).toBe('target.ssh');
      const rows = children(tree, 'target:ssh:lab');
      expect(rows).toHaveLength(1);
      const m = rows[0];
      expect(m.node).toEqual({
        kind: 'message',
        id: 'message:ssh:lab:connection',
        targetId: 'ssh:lab',
        role: 'connection',
        errorCode: e.code,
      });
      expect(m.label).toBe(titles[e.code]);
      expect(m.description).toBe(e.message);
      expect(m.contextValue).toBe('target.error');
      expect(m.command).toEqual({ command: RETRY_COMMAND, title: 'Retry' });
      expect(m.tooltip).toContain('Click to retry.');
    });
  }

  it('warns of a possible interception when the host key changed', () => {
    const e = errors.find((x) => x.code === 'host-key-changed')!;
    const m = children(buildTargetTree(sshTarget(null, 'error', e)), 'target:ssh:lab')[0];
    expect(m.icon).toEqual({ id: 'shield', color: 'charts.red' });
    expect(m.tooltip).toContain('intercepting');
  });

  it('names the Docker socket being denied', () => {
    const e = {
      code: 'docker-denied',
      message: 'permission denied on /var/run/docker.sock (add the user to the docker group)',
    };
    const m = children(buildTargetTree(sshTarget(null, 'error', e)), 'target:ssh:lab')[0];
    expect(m.label).toBe('Docker socket access denied');
    expect(m.tooltip).toContain('docker group');
  });

  it('falls back to a generic title for an unknown code, and a missing message', () => {
    const tree = buildTargetTree({ ...sshTarget(null, 'error'), errorCode: 'constructor' as ErrorCode });
    const m = children(tree, 'target:ssh:lab')[0];
    expect(m.label).toBe('Cannot connect');
    expect(m.description).toBe('unknown error');
  });

  it('hides the last snapshot once the target failed', () => {
    const e = errors[0];
    const tree = buildTargetTree(sshTarget(loadSnapshot('local-2'), 'error', e));
    expect(kinds(children(tree, 'target:ssh:lab'))).toEqual(['message']);
  });

  it('keeps the last snapshot while reconnecting, under the error', () => {
    const e = errors.find((x) => x.code === 'unreachable')!;
    const tree = buildTargetTree(sshTarget(loadSnapshot('local-2'), 'reconnecting', e));
    expect(kinds(children(tree, 'target:ssh:lab'))).toEqual(['message', 'host']);
    expect(row(tree, 'target:ssh:lab').description).toBe('root@127.0.0.1:2222 · reconnecting…');
    expect(row(tree, 'target:ssh:lab').icon.id).toBe('loading~spin');
  });

  it('says it is connecting before the first snapshot', () => {
    const tree = buildTargetTree(sshTarget(null, 'connecting'));
    const rows = children(tree, 'target:ssh:lab');
    expect(rows.map((r) => [r.node.kind, r.label])).toEqual([['message', 'Connecting…']]);
    expect((rows[0].node as Extract<TreeNode, { kind: 'message' }>).role).toBe('connecting');
    expect(rows[0].contextValue).toBeNull();
  });

  it('waits for the first sample when connected without one, and names the local machine meanwhile', () => {
    const tree = buildTargetTree(localTarget(null), { localHostname: 'build-box' });
    expect(row(tree, 'target:local').label).toBe('Local (build-box)');
    expect(children(tree, 'target:local').map((r) => r.label)).toEqual(['Waiting for the first sample…']);
    expect(row(buildTargetTree(localTarget(null)), 'target:local').label).toBe('Local');
  });

  it('shows an SSH target by its name, its address and jump host', () => {
    const t = sshTarget(loadSnapshot('local-2'));
    t.config.jump = 'bastion';
    t.config.port = 22;
    const target = row(buildTargetTree(t), 'target:ssh:lab');
    expect(target.label).toBe('lab');
    expect(target.description).toBe('root@127.0.0.1 via bastion');
    expect(target.icon).toEqual({ id: 'remote', color: null });
  });

  it('says paused on the target row', () => {
    expect(row(buildTargetTree(localTarget(loadSnapshot('local-2'), 'paused')), 'target:local').description).toBe(
      'paused',
    );
  });
});

describe('a host whose Docker API is unreachable (captured as a user without the docker group)', () => {
  const s = loadSnapshot('nodocker');
  const tree = buildTargetTree(localTarget(s));

  it('still shows the host and its processes', () => {
    expect(kinds(children(tree, 'host:local'))).toEqual(['hostUsage', 'containers', 'hostProcesses']);
    expect(children(tree, 'hostProcesses:local').length).toBeGreaterThan(0);
    expect(row(tree, 'target:local').contextValue).toBe('target.local');
  });

  it('says so under Containers, with the reason, before the containers found from cgroups', () => {
    expect(s.docker.reachable).toBe(false);
    const rows = children(tree, 'containers:local');
    const m = rows[0];
    expect(m.node).toEqual({
      kind: 'message',
      id: 'message:local:docker',
      targetId: 'local',
      role: 'docker',
      errorCode: null,
    });
    expect(m.label).toBe(`Docker API unreachable: ${s.docker.reason}`);
    expect(m.label).toContain('permission denied on /var/run/docker.sock');
    expect(m.icon).toEqual({ id: 'warning', color: 'charts.yellow' });
    const containers = rows.slice(1);
    expect(containers.map((r) => r.node.kind).every((k) => k === 'container')).toBe(true);
    expect(containers).toHaveLength(s.containers.length);
    expect(containers[0].tooltip).toContain('Found from cgroups only');
  });

  it('says when Docker answers with no containers', () => {
    const empty = clone(loadSnapshot('local-2'));
    empty.containers = [];
    empty.processes = empty.processes.filter((p) => p.containerId === null);
    const rows = children(buildTargetTree(localTarget(empty)), 'containers:local');
    expect(rows.map((r) => r.label)).toEqual(['No containers']);
  });
});
