// SSH targets declared in dockerMonitor.targets: one connects to the test sshd (its port from test-env.sh) and shows the
// same containers as the local docker CLI (it is the same machine); one whose known_hosts holds another key for
// that host is refused, says why, and leaves known_hosts alone.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { config } from './config';
import { dockerReady, dockerSkipReason, psAll } from './docker';
import { activate, showTargetsView } from './extensionApi';
import type { ExtensionApi } from './extensionApi';
import { suiteWhen } from './skip';
import { dockerContainers, treeContainers } from './compare';
import { children, containerIdOf, containerRows, requireTarget } from './tree';
import { eventually } from './wait';

const reason =
  config.ssh === null
    ? (config.sshSkipReason ?? 'the runner declared no SSH targets')
    : dockerReady
      ? null
      : dockerSkipReason;

suiteWhen(reason, 'SSH targets', function () {
  let api: ExtensionApi;
  const ids = config.ssh ?? { okTargetId: '', badKeyTargetId: '' };

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activate();
    await showTargetsView();
  });

  test('both SSH targets come from the dockerMonitor.targets setting', async function () {
    const targets = vscode.workspace.getConfiguration('dockerMonitor').get<Array<{ name: string }>>('targets') ?? [];
    const names = targets.map((t) => `ssh:${t.name}`);
    assert.ok(
      names.includes(ids.okTargetId) && names.includes(ids.badKeyTargetId),
      `dockerMonitor.targets: ${JSON.stringify(targets)}`,
    );
    await eventually(
      'SSH target rows',
      async () => {
        assert.equal((await requireTarget(api, ids.okTargetId)).node.kind, 'target');
        assert.equal((await requireTarget(api, ids.badKeyTargetId)).node.kind, 'target');
      },
      30_000,
    );
  });

  test('the target on the test sshd connects and lists the containers docker ps -a lists', async function () {
    this.timeout(90_000);
    await eventually(
      'SSH containers = docker ps -a',
      async () => {
        const target = await requireTarget(api, ids.okTargetId);
        assert.equal(target.contextValue, 'target.ssh');
        const ps = psAll(); // the test containers; others on this machine are not ours to assert about
        assert.equal(ps.length, 5, 'docker ps -a lists five containers labelled docker-monitor-test=1 (test-env.sh)');
        const own = new Set(ps.map((p) => p.id));
        const rows = (await containerRows(api, ids.okTargetId)).filter((r) => own.has(containerIdOf(r)));
        assert.deepEqual(treeContainers(rows), dockerContainers(ps));
      },
      75_000,
    );
  });

  test('a target whose known_hosts entry does not match is refused and says so', async function () {
    this.timeout(90_000);
    const knownHosts = join(homedir(), '.ssh', 'known_hosts_badkey');
    const before = readFileSync(knownHosts, 'utf8');
    const error = await eventually(
      'host key refusal',
      async () => {
        const target = await requireTarget(api, ids.badKeyTargetId);
        const rows = [target, ...(await children(api, target))];
        const err = rows.find((r) => r.contextValue === 'target.error');
        assert.ok(
          err,
          `no row in the error state under ${ids.badKeyTargetId} (rows: ${rows.map((r) => `${r.label} [${r.contextValue}]`).join(', ')})`,
        );
        assert.ok(
          !rows.some((r) => r.node.kind === 'host' || r.node.kind === 'containers'),
          'a refused target shows no host data',
        );
        return err;
      },
      75_000,
    );
    const text = `${error.label} ${error.description}`;
    assert.match(text, /host key/i, `the error row names the host key: "${text}"`);
    assert.match(
      text,
      /changed|mismatch|does not match|differ|refused/i,
      `the error row says the key does not match: "${text}"`,
    );
    if (error.node.kind === 'message') assert.equal(error.node.errorCode, 'host-key-changed');
    assert.equal(readFileSync(knownHosts, 'utf8'), before, 'known_hosts must not be changed by a refused connection');
  });
});
