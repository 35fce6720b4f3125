// Alerts in the workbench, as a user meets them, in a workbench of their own (run.mjs: notifications on, a 5 s
// window and background refresh, the host rules off: this shared machine's own pressure and disk are not what
// these tests are about). With the Docker Monitor sidebar closed, a container the kernel OOM-kills brings a
// notification that names it, with Show, Mute 1 Hour and Never for This Container, and Show opens its Metrics.
// A container restarting in a loop and one throttled past the window each reach a notification; the throttling
// alert ends when the load stops, and the Alerts row shows it ended. `docker inspect` says what happened.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { OOM_RUN_ARGS } from '../../shared/oomContainer.mjs';
import { expand, openDockerMonitorView, row, runCommand, screenshot, SIDEBAR_ROWS, until } from './workbench.mjs';

const LOCAL = /^Local\b/;
const OOM = `dm-ui-alert-oom-${process.pid}`;
const LOOP = `dm-ui-alert-loop-${process.pid}`;
const BUSY = `dm-ui-alert-busy-${process.pid}`;
const LABEL = ['--label', 'docker-monitor-test=1'];

const docker = (...args) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function removeQuietly(...names) {
  for (const name of names)
    try {
      docker('rm', '-f', name);
    } catch {
      // Not there.
    }
}

export function alertUiTests({ page, shots }) {
  return [
    {
      name: 'alerts: a restart loop and a container throttled past its window reach notifications; the throttling ends when the load stops',
      timeoutMs: 300_000,
      run: async () => {
        removeQuietly(LOOP, BUSY);
        // The extension starts with its view.
        await openDockerMonitorView(page);
        await row(page, LOCAL).waitFor({ timeout: 60_000 });
        await runCommand(page, 'Notifications: Clear All Notifications');
        await runCommand(page, 'Notifications: Show Notifications');
        try {
          // The busy loop runs as a child, so that it can be stopped and the container kept.
          docker(
            'run',
            '-d',
            '--name',
            BUSY,
            ...LABEL,
            '--cpus',
            '0.2',
            'dm-busybox:test',
            'sh',
            '-c',
            'sh -c "while :; do :; done" & echo $! > /tmp/busy.pid; exec sleep 3600',
          );
          // Read in the notification center, where no notice hides behind another.
          const center = page.locator('.notifications-center .notification-list-item');
          const notified = (what, pattern, timeoutMs) =>
            until(what, async () => assert.match((await center.allInnerTexts()).join('\n'), pattern), timeoutMs, 2000);
          await notified('a notification naming the throttled container', new RegExp(`${BUSY}: CPU throttled`), 90_000);
          // Then the loop: a target gets at most one notice a minute, so this one comes up to a minute later, and
          // names the loop rather than each exit that made it.
          docker('run', '-d', '--name', LOOP, ...LABEL, '--restart', 'always', 'dm-busybox:test', 'sh', '-c', 'exit 1');
          await until(
            'docker inspect: the loop restarted 3 times',
            async () => assert.ok(Number(docker('inspect', '-f', '{{.RestartCount}}', LOOP)) >= 3),
            60_000,
            500,
          );
          await notified('a notification naming the restart loop', new RegExp(`${LOOP} restarted \\d+ times`), 100_000);
          await screenshot(page, shots, 'alert-restart-loop.png');
          await runCommand(page, 'Notifications: Clear All Notifications');
          removeQuietly(LOOP);

          // The load stops: the alert ends after the window, and the Alerts row lists it with its end time.
          docker('exec', BUSY, 'sh', '-c', 'kill $(cat /tmp/busy.pid)');
          await openDockerMonitorView(page);
          await expand(page, 'Alerts');
          const ended = page
            .locator(SIDEBAR_ROWS)
            .filter({ has: page.locator('.label-name', { hasText: `${BUSY}: CPU throttled` }) })
            .first();
          await until(
            'the throttling alert listed as ended',
            async () => {
              // Active rows show when they started, ended ones the span.
              const description = await ended.locator('.label-description').innerText({ timeout: 2000 });
              assert.match(description, /–/);
            },
            60_000,
            1000,
          );
          await screenshot(page, shots, 'alert-ended.png');
        } finally {
          removeQuietly(LOOP, BUSY);
          await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
        }
      },
    },
    {
      name: 'alerts: with the sidebar closed, an OOM kill brings a notification naming the container; Show opens its Metrics',
      timeoutMs: 180_000,
      run: async () => {
        removeQuietly(OOM);
        try {
          // The extension starts with its view; then nothing of it stays on screen.
          await openDockerMonitorView(page);
          await row(page, LOCAL).waitFor({ timeout: 60_000 });
          await runCommand(page, 'View: Close Primary Side Bar');
          // The first refresh opens the Docker event stream.
          await page.waitForTimeout(3000);
          docker('run', '-d', '--name', OOM, ...LABEL, ...OOM_RUN_ARGS);
          await until(
            'docker inspect: OOM-killed',
            async () => assert.equal(docker('inspect', '-f', '{{.State.OOMKilled}}', OOM), 'true'),
            30_000,
            500,
          );
          // A toast, or an entry of the notification center if the test before left it open (new ones go there).
          const toast = page
            .locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item', {
              hasText: OOM,
            })
            .first();
          // At most one notice a minute per target: the one of the test before may hold this one back that long.
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
          await page.locator('.tabs-container .tab', { hasText: OOM }).first().waitFor({ timeout: 30_000 });
        } finally {
          removeQuietly(OOM);
          await runCommand(page, 'View: Close All Editors').catch(() => {});
        }
      },
    },
  ];
}
