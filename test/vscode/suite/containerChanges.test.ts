// A container that stops, and one that is removed, change the tree within two refresh intervals.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { config } from './config';
import { dockerReady, dockerSkipReason, sh } from './docker';
import { activate, showTargetsView } from './extensionApi';
import type { ExtensionApi } from './extensionApi';
import { suiteWhen } from './skip';
import { containerIdOf, containerRows } from './tree';
import { eventually } from './wait';

const NAME = 'dm-vscode-suite-live';

function removeQuietly(): void {
  try {
    sh('docker', ['rm', '-f', NAME]);
  } catch {
    // Not there: nothing to remove.
  }
}

suiteWhen(dockerReady ? null : dockerSkipReason, 'container changes reach the tree', function () {
  let api: ExtensionApi;
  let id = '';
  let intervalMs = 0;

  async function rowState(): Promise<string | null> {
    const row = (await containerRows(api, 'local')).find((r) => containerIdOf(r) === id);
    return row ? row.contextValue : null;
  }

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activate();
    await showTargetsView();
    intervalMs = (vscode.workspace.getConfiguration('dockerMonitor').get<number>('refreshInterval') ?? NaN) * 1000;
    // The runner wrote the interval into the settings: the effective value proves they reached VS Code.
    assert.equal(intervalMs, config.refreshIntervalSeconds * 1000, 'dockerMonitor.refreshInterval from the settings');
    removeQuietly();
    id = sh('docker', ['run', '-d', '--name', NAME, 'dm-busybox:test', 'sleep', '100000']);
  });

  suiteTeardown(removeQuietly);

  test('a new container appears as running', async function () {
    this.timeout(60_000);
    await eventually(
      `${NAME} running in the tree`,
      async () => assert.equal(await rowState(), 'container.running'),
      30_000,
      100,
    );
  });

  test('a stopped container turns stopped within two refresh intervals', async function () {
    this.timeout(60_000);
    sh('docker', ['stop', '-t', '1', NAME]);
    assert.equal(sh('docker', ['inspect', '-f', '{{.State.Status}}', NAME]), 'exited');
    await eventually(
      `${NAME} stopped in the tree`,
      async () => assert.equal(await rowState(), 'container.stopped'),
      2 * intervalMs,
      100,
    );
  });

  test('a removed container leaves the tree within two refresh intervals', async function () {
    this.timeout(60_000);
    sh('docker', ['rm', NAME]);
    await eventually(
      `${NAME} gone from the tree`,
      async () => assert.equal(await rowState(), null),
      2 * intervalMs,
      100,
    );
  });
});
