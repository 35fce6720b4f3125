// Alerts in the workbench, as a user meets them: with the Docker Monitor sidebar closed, a container the kernel
// OOM-kills brings a notification that names it, with Show, Mute 1 Hour and Never for This Container; Show opens
// the container's Metrics. `docker inspect` says the kill happened (State.OOMKilled).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OOM_RUN_ARGS } from '../../shared/oomContainer.mjs';
import { openDockerMonitorView, row, runCommand, screenshot, until } from './workbench.mjs';

const LOCAL = /^Local\b/;
const NAME = `dm-ui-alert-oom-${process.pid}`;
const BUSY = `dm-ui-alert-busy-${process.pid}`;

const docker = (...args) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function removeQuietly(...names) {
  for (const name of names.length > 0 ? names : [NAME])
    try {
      docker('rm', '-f', name);
    } catch {
      // Not there.
    }
}

/** The profile's settings with `alerts` merged in, written where the VS Code server reads them (it watches them). */
function writeSettings(profile, alerts) {
  const text = `${JSON.stringify({ ...profile.settings, ...alerts }, null, 2)}\n`;
  for (const dir of [join(profile.userDataDir, 'User'), join(profile.serverDataDir, 'data', 'Machine')])
    writeFileSync(join(dir, 'settings.json'), text);
}

export function alertUiTests({ page, shots, profile }) {
  return [
    {
      name: 'alerts: with the sidebar closed, an OOM kill brings a notification naming the container; Show opens its Metrics',
      run: async () => {
        removeQuietly();
        try {
          // The extension starts with its view; then nothing of it stays on screen.
          await openDockerMonitorView(page);
          await row(page, LOCAL).waitFor({ timeout: 60_000 });
          await runCommand(page, 'View: Close Primary Side Bar');
          // The first background refresh opens the Docker event stream.
          await page.waitForTimeout(4000);
          docker('run', '-d', '--name', NAME, '--label', 'docker-monitor-test=1', ...OOM_RUN_ARGS);
          await until(
            'docker inspect: OOM-killed',
            async () => assert.equal(docker('inspect', '-f', '{{.State.OOMKilled}}', NAME), 'true'),
            30_000,
            500,
          );
          const toast = page.locator('.notifications-toasts .notification-toast', { hasText: NAME }).first();
          // At most one notice a minute per target: an earlier one may hold this one back that long.
          await toast.waitFor({ timeout: 90_000 });
          const text = await toast.innerText();
          assert.match(text, /OOM-killed/);
          for (const action of ['Show', 'Mute 1 Hour', 'Never for This Container'])
            assert.ok(
              (await toast.locator('.monaco-button', { hasText: action }).count()) > 0,
              `no "${action}" on the notification: ${text}`,
            );
          await screenshot(page, shots, 'alert-notification.png');
          await toast
            .locator('.monaco-button', { hasText: /^Show$/ })
            .first()
            .click();
          await page.locator('.tabs-container .tab', { hasText: NAME }).first().waitFor({ timeout: 30_000 });
        } finally {
          removeQuietly();
          await runCommand(page, 'View: Close All Editors').catch(() => {});
          await openDockerMonitorView(page).catch(() => {});
        }
      },
    },
    {
      name: 'alerts: a container throttled past its window brings a notification',
      timeoutMs: 240_000,
      run: async () => {
        removeQuietly(BUSY);
        await runCommand(page, 'Notifications: Clear All Notifications');
        await runCommand(page, 'Notifications: Show Notifications');
        // A short window and background refresh, so that the throttling alert starts within seconds.
        writeSettings(profile, {
          'dockerMonitor.alerts.windowSeconds': 3,
          'dockerMonitor.alerts.backgroundInterval': 5,
        });
        try {
          docker(
            'run',
            '-d',
            '--name',
            BUSY,
            '--label',
            'docker-monitor-test=1',
            '--cpus',
            '0.2',
            'dm-busybox:test',
            'sh',
            '-c',
            'while :; do :; done',
          );
          // A target gets at most one notice a minute (the OOM notice a moment ago may hold this one back), and
          // each target its own: read them all in the notification center, where none is hidden behind another.
          const center = page.locator('.notifications-center .notification-list-item');
          const texts = async () => (await center.allInnerTexts()).join('\n');
          await until(
            'a notification naming the throttled container',
            async () => {
              const all = await texts();
              assert.match(all, new RegExp(`${BUSY}: CPU throttled`));
            },
            170_000,
            2000,
          );
          await screenshot(page, shots, 'alert-grouped.png');
        } finally {
          writeSettings(profile, {});
          removeQuietly(BUSY);
          await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
        }
      },
    },
  ];
}
