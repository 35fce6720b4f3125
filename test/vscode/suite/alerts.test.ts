// Alerts in the real VS Code with every Docker Monitor view hidden: a container OOM-killed by the kernel gives an
// oom-killed alert and a notification that names it, and several containers failing at once give one notice,
// not one each. Checked against `docker inspect` (State.OOMKilled, ExitCode), never against the extension's code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { dockerReady, dockerSkipReason, sh, TEST_LABEL } from './docker';
import { activate, closeAllEditors } from './extensionApi';
import type { ExtensionApi } from './extensionApi';
import { suiteWhen } from './skip';
import { OOM_RUN_ARGS } from '../../shared/oomContainer.mjs';
import { eventually, sleep } from './wait';

const PREFIX = `dm-vscode-alert-${process.pid}-`;
const STORM = 6;

interface AlertView {
  rule: string;
  subject: { kind: string; id: string; name: string };
}
interface AlertsApi extends ExtensionApi {
  alerts(): Array<{ targetId: string; active: AlertView[]; recent: AlertView[] }>;
  notices(): Array<{ targetId: string; text: string; subjects: string[] }>;
}

function removeOurs(): void {
  const ids = sh('docker', ['ps', '-aq', '--filter', `name=${PREFIX}`])
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) sh('docker', ['rm', '-f', ...ids]);
}

function localAlerts(api: AlertsApi): AlertView[] {
  const t = api.alerts().find((a) => a.targetId === 'local');
  return t ? [...t.active, ...t.recent] : [];
}

suiteWhen(dockerReady ? null : dockerSkipReason, 'alerts with every view hidden', function () {
  let api: AlertsApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = (await activate()) as AlertsApi;
    assert.equal(typeof api.alerts, 'function', 'activate() must return alerts()');
    removeOurs();
    await closeAllEditors();
    // No view shows Docker Monitor: only the alerts' background refresh and the event stream are left.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  suiteTeardown(() => removeOurs());

  test('a container OOM-killed by the kernel: an oom-killed alert and a notification naming it', async function () {
    this.timeout(150_000);
    // The event stream opens with the first background refresh; give it that refresh.
    await sleep(3000);
    const name = `${PREFIX}oom`;
    sh('docker', ['run', '-d', '--name', name, '--label', TEST_LABEL, ...OOM_RUN_ARGS]);
    const inspected = await eventually(
      'docker inspect says the kernel OOM-killed it',
      () => {
        const [oom, status] = sh('docker', ['inspect', '-f', '{{.State.OOMKilled}} {{.State.Status}}', name]).split(
          ' ',
        );
        assert.equal(status, 'exited');
        return oom;
      },
      30_000,
    );
    assert.equal(inspected, 'true');
    const alert = await eventually(
      'an oom-killed alert for it',
      () => {
        const a = localAlerts(api).find((x) => x.rule === 'oom-killed' && x.subject.name === name);
        assert.ok(
          a,
          `alerts now: ${
            localAlerts(api)
              .map((x) => `${x.rule} ${x.subject.name}`)
              .join(', ') || 'none'
          }`,
        );
        return a;
      },
      30_000,
    );
    assert.equal(alert.subject.id, sh('docker', ['inspect', '-f', '{{.Id}}', name]));
    // A notice per target at most every minute: one that names it, or folds it into a count, comes within ~62 s.
    await eventually(
      'a notification with the OOM kill',
      () => {
        const n = api.notices().find((x) => x.targetId === 'local' && x.subjects.includes(name));
        assert.ok(
          n,
          `notices: ${
            api
              .notices()
              .map((x) => x.text)
              .join(' | ') || 'none'
          }`,
        );
      },
      90_000,
      1000,
    );
  });

  test(`${STORM} containers failing together give one notification, not ${STORM}`, async function () {
    this.timeout(150_000);
    const before = api.notices().length;
    const names = Array.from({ length: STORM }, (_, i) => `${PREFIX}storm-${i}`);
    for (const n of names)
      sh('docker', ['run', '-d', '--name', n, '--label', TEST_LABEL, 'dm-busybox:test', 'sh', '-c', 'sleep 2; exit 3']);
    await eventually(
      `docker inspect: all ${STORM} exited with 3`,
      () => {
        for (const n of names)
          assert.equal(sh('docker', ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', n]), 'exited 3');
      },
      30_000,
    );
    await eventually(
      `an exited-nonzero alert for each of the ${STORM}`,
      () => {
        const got = new Set(
          localAlerts(api)
            .filter((a) => a.rule === 'exited-nonzero')
            .map((a) => a.subject.name),
        );
        assert.deepEqual(
          names.filter((n) => !got.has(n)),
          [],
        );
      },
      30_000,
    );
    const notice = await eventually(
      'the notification for them',
      () => {
        const n = api
          .notices()
          .slice(before)
          .find((x) => x.targetId === 'local' && x.subjects.some((s) => names.includes(s)));
        assert.ok(n, 'none yet');
        return n;
      },
      90_000,
      1000,
    );
    assert.deepEqual(
      names.filter((n) => !notice.subjects.includes(n)),
      [],
      `one notice holds all ${STORM}: ${notice.text}`,
    );
    // Nothing else for them on this target (the SSH target, this same machine, gets a notice of its own).
    await sleep(3000);
    const naming = api
      .notices()
      .slice(before)
      .filter((x) => x.targetId === 'local' && x.subjects.some((s) => names.includes(s)));
    assert.equal(naming.length, 1, naming.map((x) => x.text).join(' | '));
  });
});
