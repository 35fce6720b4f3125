// The kept history in the workbench: the host Metrics panel counts its points, the window reloads (a new
// extension host), and a Metrics panel opened afresh afterwards shows at least as many, from before the reload.
import assert from 'node:assert/strict';
import {
  openDockerMonitorView,
  pickIfAsked,
  row,
  runCommand,
  screenshot,
  until,
  waitForWorkbench,
  webviewShowing,
} from './workbench.mjs';

const LOCAL = /^Local\b/;
const NOTE = /Last 15 min: (\d+) refreshes/;

async function hostMetricsPoints(page, what, atLeast, timeoutMs) {
  return until(
    what,
    async () => {
      const text = await webviewShowing(page, what, [NOTE], 5000);
      const n = Number(NOTE.exec(text)[1]);
      assert.ok(n >= atLeast, `the panel shows ${n} points, want at least ${atLeast}`);
      return n;
    },
    timeoutMs,
    500,
  );
}

export function historyUiTests({ page, shots }) {
  return [
    {
      name: 'history: after a window reload, host Metrics opens with the points from before it',
      run: async () => {
        await openDockerMonitorView(page);
        await row(page, LOCAL).waitFor({ timeout: 60_000 });
        await runCommand(page, 'Monitor: Host');
        await pickIfAsked(page, LOCAL);
        const before = await hostMetricsPoints(page, 'host metrics before the reload', 6, 90_000);
        await runCommand(page, 'View: Close All Editors');
        await runCommand(page, 'Developer: Reload Window');
        await page.waitForTimeout(3000);
        await waitForWorkbench(page);
        await openDockerMonitorView(page);
        await row(page, LOCAL).waitFor({ timeout: 60_000 });
        const opened = Date.now();
        await runCommand(page, 'Monitor: Host');
        await pickIfAsked(page, LOCAL);
        // A panel without the kept history would start from one point and gain one per 2 s refresh.
        const after = await hostMetricsPoints(page, 'host metrics after the reload', before, 30_000);
        const seconds = (Date.now() - opened) / 1000;
        assert.ok(
          after > seconds / 2 + 1,
          `${after} points within ${seconds.toFixed(1)} s of opening: more than refreshes since then could give`,
        );
        await screenshot(page, shots, 'metrics-history.png');
        // The 1 hour range: the kept minutes, as averages with a min-max band.
        const frame = await until('the metrics webview frame', async () => {
          for (const f of page.frames()) {
            const text = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
            if (NOTE.test(text)) return f;
          }
          throw new Error('no frame shows the note');
        });
        await frame.locator('vscode-button', { hasText: '1 hour' }).click();
        await webviewShowing(page, 'the 1 hour range', [/Last 1 hour: \d+ 1-minute averages/]);
        await screenshot(page, shots, 'metrics-history-1h.png');
        // A webview left as the active editor takes the focus back after each later QuickPick closes.
        await runCommand(page, 'View: Close All Editors');
      },
    },
  ];
}
