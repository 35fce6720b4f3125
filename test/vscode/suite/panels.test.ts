// Monitor: All, Gap Analysis, Correlate and Metrics open webview panels whose posted state carries the figures
// docker inspect, docker top and the host's own interfaces give.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { dockerReady, dockerSkipReason, hostVethOf, inspect, onlineCpus, psAll, topPids } from './docker';
import { activate, closeAllEditors, panelMessages, showTargetsView } from './extensionApi';
import type { ExtensionApi } from './extensionApi';
import { suiteWhen } from './skip';
import { containerRows, requireTarget } from './tree';
import type { Row } from './tree';
import { eventually } from './wait';

const MiB = 1024 * 1024;

suiteWhen(dockerReady ? null : dockerSkipReason, 'panels', function () {
  let api: ExtensionApi;

  async function containerRow(name: string): Promise<Row> {
    return eventually(
      `row of ${name}`,
      async () => {
        const row = (await containerRows(api, 'local')).find((r) => r.label === name);
        assert.ok(row, `no container row ${name} under Local`);
        return row;
      },
      45_000,
    );
  }

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activate();
    await showTargetsView();
  });

  suiteTeardown(async function () {
    await closeAllEditors();
  });

  test('Monitor: All on Local opens the dashboard with every container and its limits', async function () {
    this.timeout(90_000);
    const local = await eventually('Local target', () => requireTarget(api, 'local'), 30_000);
    await vscode.commands.executeCommand('dockerMonitor.monitorAll', local.node);
    const limited = inspect('dm-limited');
    const veth = hostVethOf('dm-limited');
    await eventually(
      'dashboard state',
      () => {
        const [d] = panelMessages(api, 'dockerMonitor.dashboard', 'dashboard');
        assert.ok(
          d,
          `no dashboard panel with data (open panels: ${
            api
              .panels()
              .map((p) => p.viewType)
              .join(', ') || 'none'
          })`,
        );
        const data = d.message.data;
        assert.equal(data.target.id, 'local');
        assert.ok(data.host, 'the dashboard has no host data');
        assert.equal(data.host.cpuCount, onlineCpus(), 'host CPU count');
        const own = psAll().map((p) => p.id); // the test containers; others on this machine are not ours to assert about
        assert.deepEqual(
          data.containers
            .map((c) => c.id)
            .filter((id) => own.includes(id))
            .sort(),
          own.sort(),
          'dashboard containers include docker ps -a',
        );
        const c = data.containers.find((x) => x.id === limited.Id);
        assert.ok(c, 'dm-limited is not on the dashboard');
        assert.equal(c.memory.limitBytes, limited.HostConfig.Memory, 'memory limit');
        assert.equal(c.cpu.limitCpus, limited.HostConfig.NanoCpus / 1e9, 'CPU limit');
        assert.equal(c.pids.limit, limited.HostConfig.PidsLimit, 'pids limit');
        assert.equal(c.network.hostVeth, veth.name, 'host veth');
        assert.ok(data.topProcesses.length > 0, 'no top processes');
      },
      45_000,
    );
  });

  test('Correlate on dm-limited shows its veth, bridge, host PID and every process', async function () {
    this.timeout(90_000);
    const row = await containerRow('dm-limited');
    await vscode.commands.executeCommand('dockerMonitor.correlate', row.node);
    const info = inspect('dm-limited');
    const veth = hostVethOf('dm-limited');
    await eventually(
      'correlation state',
      () => {
        const found = panelMessages(api, 'dockerMonitor.correlation', 'correlation').filter(
          (x) => x.message.data.correlation?.container.id === info.Id,
        );
        assert.equal(
          found.length,
          1,
          `one correlation panel for dm-limited (open: ${api
            .panels()
            .map((p) => `${p.viewType} "${p.title}"`)
            .join(', ')})`,
        );
        const { panel, message } = found[0];
        assert.match(panel.title, /dm-limited/, 'the panel title names the container');
        const k = message.data.correlation;
        assert.ok(k);
        assert.equal(message.data.gone, false);
        assert.equal(k.hostPid, info.State.Pid, 'host PID of the main process');
        assert.equal(k.containerPid, 1, 'PID of the main process inside');
        assert.equal(k.hostVeth, veth.name, 'host veth');
        assert.equal(k.bridge, veth.master, 'bridge');
        assert.equal(k.containerInterface, 'eth0');
        assert.equal(k.mergedDir, info.GraphDriver?.Data?.MergedDir ?? null, 'overlay merged dir');
        assert.deepEqual(
          k.processes.map((p) => p.hostPid).sort((a, b) => a - b),
          topPids('dm-limited'),
          'processes = docker top',
        );
        const network = k.rows.find((r) => r.aspect === 'In network');
        assert.ok(network, 'no In network row');
        assert.ok(
          [network.process, network.container, network.host].some((cell) => cell.includes(veth.name)),
          `the In network row names the veth: ${JSON.stringify(network)}`,
        );
      },
      45_000,
    );
  });

  test('Metrics of dm-limited charts memory against its 64 MiB limit', async function () {
    this.timeout(90_000);
    const row = await containerRow('dm-limited');
    await vscode.commands.executeCommand('dockerMonitor.showMetrics', row.node);
    const info = inspect('dm-limited');
    assert.equal(info.HostConfig.Memory, 64 * MiB, 'test-env.sh runs dm-limited with --memory 64m');
    await eventually(
      'metrics state',
      () => {
        const found = panelMessages(api, 'dockerMonitor.metrics', 'metrics').filter(
          (x) => x.message.data.subject.kind === 'container' && x.message.data.subject.id === info.Id,
        );
        assert.equal(
          found.length,
          1,
          `one metrics panel for dm-limited (open: ${api
            .panels()
            .map((p) => `${p.viewType} "${p.title}"`)
            .join(', ')})`,
        );
        const data = found[0].message.data;
        assert.equal(data.gone, false);
        assert.ok(data.sample, 'no sample yet');
        assert.equal(data.sample.memoryLimitBytes, info.HostConfig.Memory, 'memory limit');
        assert.ok(
          data.sample.memoryBytes !== null &&
            data.sample.memoryBytes > 0 &&
            data.sample.memoryBytes < info.HostConfig.Memory,
          'memory in use, below the limit',
        );
        // dm-limited runs `yes` against a 0.5 CPU quota: its CPU figure needs two samples and is then above zero.
        assert.ok(
          data.sample.cpuPercent !== null && data.sample.cpuPercent > 0,
          `CPU % of a busy container: ${data.sample.cpuPercent}`,
        );
        assert.ok(data.figures.length > 0, 'no current figures');
      },
      45_000,
    );
  });

  test('Monitor: Host opens the host metrics against total memory', async function () {
    this.timeout(90_000);
    const local = await requireTarget(api, 'local');
    await vscode.commands.executeCommand('dockerMonitor.monitorHost', local.node);
    const totalKiB = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    await eventually(
      'host metrics state',
      () => {
        const found = panelMessages(api, 'dockerMonitor.metrics', 'metrics').filter(
          (x) => x.message.data.subject.kind === 'host',
        );
        assert.equal(found.length, 1, 'one host metrics panel');
        const s = found[0].message.data.sample;
        assert.ok(s, 'no sample yet');
        assert.equal(s.memoryLimitBytes, totalKiB * 1024, 'host memory total = MemTotal');
      },
      45_000,
    );
  });

  test('Gap Analysis on Local reports the host network and the missing memory limits docker inspect shows', async function () {
    this.timeout(90_000);
    const local = await requireTarget(api, 'local');
    await vscode.commands.executeCommand('dockerMonitor.gapAnalysis', local.node);
    const running = psAll()
      .filter((p) => p.state === 'running')
      .map((p) => inspect(p.name));
    const hostNet = running
      .filter((c) => c.HostConfig.NetworkMode === 'host')
      .map((c) => c.Id)
      .sort();
    const unlimited = running
      .filter((c) => c.HostConfig.Memory === 0)
      .map((c) => c.Id)
      .sort();
    assert.ok(hostNet.length > 0 && unlimited.length > 0, 'test-env.sh runs dm-hostnet and dm-unlimited');
    await eventually(
      'gaps state',
      () => {
        const [g] = panelMessages(api, 'dockerMonitor.gaps', 'gaps');
        assert.ok(g, 'no gap analysis panel with data');
        const f = g.message.data.findings;
        const subjects = (rule: string) =>
          [...new Set(f.filter((x) => x.rule === rule).map((x) => x.subject.id))].sort();
        assert.deepEqual(subjects('host-network'), hostNet, 'host-network findings = containers with NetworkMode host');
        assert.deepEqual(
          subjects('no-memory-limit'),
          unlimited,
          'no-memory-limit findings = running containers with Memory 0',
        );
        const limited = inspect('dm-limited');
        const meminfo = f.find((x) => x.rule === 'proc-meminfo-shows-host' && x.subject.id === limited.Id);
        assert.ok(meminfo, 'no finding that /proc/meminfo in dm-limited shows the host');
        assert.equal(meminfo.evidence.limitBytes, limited.HostConfig.Memory);
      },
      45_000,
    );
  });
});
