// The Local target's tree against `docker ps -a` and `docker top`.
import * as assert from 'node:assert/strict';
import { dockerReady, dockerSkipReason, onlineCpus, psAll, sh, topPids } from './docker';
import { activate, showTargetsView } from './extensionApi';
import type { ExtensionApi } from './extensionApi';
import { suiteWhen } from './skip';
import { dockerContainers, treeContainers } from './compare';
import { children, containerIdOf, containerRows, descendants, requireTarget } from './tree';
import { eventually } from './wait';

suiteWhen(dockerReady ? null : dockerSkipReason, 'the Local target tree', function () {
  let api: ExtensionApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activate();
    await showTargetsView();
  });

  test('the Local target is at the root with its host, Containers and Host processes below', async function () {
    this.timeout(60_000);
    await eventually(
      'Local target rows',
      async () => {
        const local = await requireTarget(api, 'local');
        assert.equal(local.contextValue, 'target.local');
        const rows = await descendants(
          api,
          local,
          (r) => r.node.kind === 'containers' || r.node.kind === 'hostProcesses',
        );
        const kinds = rows.map((r) => r.node.kind);
        for (const kind of ['host', 'hostUsage', 'containers', 'hostProcesses'] as const) {
          assert.ok(kinds.includes(kind), `no ${kind} row under Local (rows: ${kinds.join(', ')})`);
        }
        const host = rows.find((r) => r.node.kind === 'host');
        assert.equal(host?.contextValue, 'host');
        assert.match(
          host?.description ?? '',
          new RegExp(`^${onlineCpus()} CPUs · `),
          'the host row says its CPUs and memory',
        );
        const usage = rows.find((r) => r.node.kind === 'hostUsage');
        assert.match(usage?.label ?? '', /^CPU (\d+\.\d%|-)$/, 'the usage row shows CPU %');
        assert.match(usage?.description ?? '', / \/ .* · load \d/, 'the usage row shows memory used / total and load');
      },
      45_000,
    );
  });

  test('lists the test containers as docker ps -a lists them, with their state', async function () {
    this.timeout(60_000);
    await eventually(
      'Local containers = docker ps -a',
      async () => {
        const ps = psAll();
        assert.equal(ps.length, 5, 'docker ps -a lists five containers labelled docker-monitor-test=1 (test-env.sh)');
        const own = new Set(ps.map((p) => p.id));
        const rows = (await containerRows(api, 'local')).filter((r) => own.has(containerIdOf(r)));
        assert.deepEqual(treeContainers(rows), dockerContainers(ps));
      },
      45_000,
    );
  });

  test('groups the containers of a compose project under the project', async function () {
    this.timeout(60_000);
    const members = sh('docker', [
      'ps',
      '-a',
      '--filter',
      'label=com.docker.compose.project=dmtest',
      '--format',
      '{{.Names}}',
    ])
      .split('\n')
      .filter(Boolean)
      .sort();
    assert.ok(
      members.length >= 4,
      `docker lists ${members.length} containers of project dmtest: test-env.sh labels four`,
    );
    await eventually(
      'compose group dmtest',
      async () => {
        const local = await requireTarget(api, 'local');
        const rows = await descendants(
          api,
          local,
          (r) => r.node.kind === 'hostProcesses' || r.node.kind === 'container',
        );
        const group = rows.find((r) => r.node.kind === 'composeProject' && r.label === 'dmtest');
        assert.ok(group, 'no compose project row "dmtest"');
        const inGroup = (await children(api, group))
          .filter((r) => r.node.kind === 'container')
          .map((r) => r.label)
          .sort();
        assert.deepEqual(inGroup, members);
      },
      45_000,
    );
  });

  test('each running container lists the processes docker top lists (host PIDs)', async function () {
    this.timeout(90_000);
    await eventually(
      'container processes = docker top',
      async () => {
        const rows = await containerRows(api, 'local');
        const running = psAll().filter((p) => p.state === 'running');
        assert.ok(running.length >= 4, 'test-env.sh runs four containers');
        for (const p of running) {
          const row = rows.find((r) => containerIdOf(r) === p.id);
          assert.ok(row, `no row for running container ${p.name}`);
          const procs = (await children(api, row)).filter((r) => r.node.kind === 'process');
          const pids = procs.map((r) => (r.node.kind === 'process' ? r.node.pid : -1)).sort((a, b) => a - b);
          assert.deepEqual(pids, topPids(p.name), `processes of ${p.name}`);
          for (const r of procs) {
            assert.equal(r.contextValue, 'process');
            const pid = r.node.kind === 'process' ? r.node.pid : -1;
            assert.match(r.description, new RegExp(`\\bPID ${pid}\\b`), `the row of PID ${pid} shows its PID`);
          }
        }
      },
      60_000,
    );
  });

  test("the in-container PID of each container's main process is 1", async function () {
    this.timeout(60_000);
    await eventually(
      'PID 1 inside',
      async () => {
        const rows = await containerRows(api, 'local');
        for (const name of ['dm-limited', 'dm-multi', 'dm-unlimited']) {
          const mainPid = Number(sh('docker', ['inspect', '-f', '{{.State.Pid}}', name]));
          const row = rows.find((r) => r.label === name);
          assert.ok(row, `no row for ${name}`);
          const proc = (await children(api, row)).find((r) => r.node.kind === 'process' && r.node.pid === mainPid);
          assert.ok(proc, `${name}: no row for its main process, host PID ${mainPid}`);
          assert.match(
            proc.description,
            new RegExp(`PID ${mainPid} → 1\\b`),
            `${name}: host PID ${mainPid} shown as PID 1 inside`,
          );
        }
      },
      45_000,
    );
  });
});
