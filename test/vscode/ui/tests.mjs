// The UI tests: what a user does with the mouse and keyboard, checked against docker and the host, with a
// screenshot of the tree and of each panel (test-output/screenshots/, used for the README).
import assert from 'node:assert/strict';
import { hostVethOf, inspect, psAll } from '../lib/machine.mjs';
import {
  contextMenu,
  expand,
  openDockerMonitorView,
  pickIfAsked,
  row,
  runCommand,
  screenshot,
  treeRows,
  until,
  webviewShowing,
  widenSidebar,
} from './workbench.mjs';

const LOCAL = /^Local\b/;

/**
 * For the screenshot: waits (at most 20 s, then shoots anyway) until every target has connected and the CPU
 * figures, which need two samples, are drawn.
 */
async function settledTree(page) {
  await until(
    'tree settled',
    async () => {
      const rows = await treeRows(page);
      const pending = rows.filter(
        (r) => /connecting|waiting/i.test(`${r.label} ${r.description}`) || /CPU -/.test(r.description),
      );
      if (pending.length > 0) throw new Error(pending.map((r) => r.label).join(', '));
    },
    20_000,
  ).catch(() => {});
}

/** @returns {Array<{ name: string, run: () => Promise<void> }>} in order: later ones use the state earlier ones leave. */
export function uiTests({ page, shots }) {
  return [
    {
      name: 'the Docker Monitor activity-bar view opens and shows the Local target',
      run: async () => {
        await openDockerMonitorView(page);
        await widenSidebar(page, 480);
        await row(page, LOCAL).waitFor({ timeout: 60_000 });
      },
    },
    {
      name: 'expanding Local shows the host, Containers, and every container docker ps -a lists',
      run: async () => {
        await expand(page, LOCAL);
        const names = psAll().map((c) => c.name);
        assert.equal(
          names.length,
          5,
          'docker ps -a lists five containers labelled docker-monitor-test=1 (test-env.sh)',
        );
        await until(
          'container rows',
          async () => {
            const labels = (await treeRows(page)).map((r) => r.label);
            assert.ok(labels.includes('Containers'), `no Containers row (rows: ${labels.join(', ')})`);
            assert.ok(labels.includes('Host processes'), 'no Host processes row');
            const missing = names.filter((n) => !labels.includes(n));
            assert.deepEqual(missing, [], `containers not in the tree (rows: ${labels.join(', ')})`);
          },
          60_000,
        );
        const limited = (await treeRows(page)).find((r) => r.label === 'dm-limited');
        assert.match(
          limited.description,
          /64(\.0)? MiB/,
          `dm-limited shows its 64 MiB limit: "${limited.description}"`,
        );
      },
    },
    {
      name: 'expanding a container lists its processes with host and in-container PIDs',
      run: async () => {
        await expand(page, 'dm-multi');
        const mainPid = inspect('dm-multi').State.Pid;
        await until('dm-multi processes', async () => {
          const rows = await treeRows(page);
          assert.ok(
            rows.some((r) => new RegExp(`PID ${mainPid} → 1\\b`).test(r.description)),
            `no row shows PID ${mainPid} → 1`,
          );
        });
        await settledTree(page);
        await screenshot(page, shots, 'tree.png', page.locator('.part.sidebar'));
      },
    },
    {
      name: 'right-click dm-limited > Correlate shows its veth and PIDs in the correlation panel',
      run: async () => {
        await contextMenu(page, 'dm-limited', 'Correlate');
        const info = inspect('dm-limited');
        const veth = hostVethOf('dm-limited');
        await webviewShowing(page, 'correlation panel', [veth, String(info.State.Pid), 'In network', 'Isolation']);
        await screenshot(page, shots, 'correlation.png');
      },
    },
    {
      name: 'right-click dm-limited > Show Metrics shows its memory limit',
      run: async () => {
        await contextMenu(page, 'dm-limited', 'Show Metrics');
        await webviewShowing(page, 'metrics panel', ['dm-limited', /64(\.0)? MiB/]);
        // Let the charts draw a few samples before the screenshot.
        await page.waitForTimeout(5000);
        await screenshot(page, shots, 'metrics.png');
      },
    },
    {
      name: 'Monitor: All from F1 opens the dashboard with every running container',
      run: async () => {
        await runCommand(page, 'Monitor: All');
        await pickIfAsked(page, LOCAL);
        const running = psAll()
          .filter((c) => c.state === 'running')
          .map((c) => c.name);
        await webviewShowing(page, 'dashboard', running.concat([/CPU/, /Memory|memory/]));
        await page.waitForTimeout(4000);
        await screenshot(page, shots, 'dashboard.png');
      },
    },
    {
      name: 'Monitor: Gap Analysis from F1 lists findings for the containers docker inspect flags',
      run: async () => {
        await runCommand(page, 'Monitor: Gap Analysis');
        await pickIfAsked(page, LOCAL);
        const hostNet = psAll()
          .filter((c) => c.state === 'running' && inspect(c.name).HostConfig.NetworkMode === 'host')
          .map((c) => c.name);
        assert.ok(hostNet.includes('dm-hostnet'), 'test-env.sh runs dm-hostnet on the host network');
        await webviewShowing(page, 'gap analysis', hostNet.concat([/network namespace/i]));
        await screenshot(page, shots, 'gaps.png');
      },
    },
  ];
}
