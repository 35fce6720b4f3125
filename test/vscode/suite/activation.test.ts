// The extension activates, registers every command it contributes, and its view exists.
import * as assert from 'node:assert/strict';
import { relative, resolve } from 'node:path';
import * as vscode from 'vscode';
import { config } from './config';
import { activate, extension, showTargetsView } from './extensionApi';

/** The commands the extension must offer (issue 3 and the shared design), palette and tree-item ones. */
const REQUIRED_COMMANDS = [
  'monitorAll',
  'monitorHost',
  'monitorContainer',
  'monitorProcess',
  'correlate',
  'gapAnalysis',
  'addSshTarget',
  'removeTarget',
  'refresh',
  'pause',
  'resume',
  'exportSnapshot',
  'showMetrics',
  'showProcesses',
  'copyId',
  'copyAsJson',
  'revealContainer',
  'copyPid',
  'retryTarget',
  'showAllHostProcesses',
].map((c) => `dockerMonitor.${c}`);

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

suite('activation', function () {
  test('the extension activates and returns the tree and panel API', async function () {
    await activate();
    assert.equal(extension().isActive, true);
  });

  test('the extension under test is loaded from where this run put it (the repo, or the installed .vsix)', function () {
    const where = resolve(extension().extensionPath);
    const loc = config.extensionLocation;
    if ('developmentPath' in loc) assert.equal(where, resolve(loc.developmentPath));
    else {
      const inside = relative(resolve(loc.installedIn), where);
      assert.ok(inside !== '' && !inside.startsWith('..'), `${where} is not in the extensions dir ${loc.installedIn}`);
    }
  });

  test('every command in contributes.commands is registered', async function () {
    await activate();
    const contributed = (extension().packageJSON.contributes?.commands ?? []) as ContributedCommand[];
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('every command the issue asks for is contributed and registered', async function () {
    await activate();
    const contributed = new Set(
      ((extension().packageJSON.contributes?.commands ?? []) as ContributedCommand[]).map((c) => c.command),
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      REQUIRED_COMMANDS.filter((c) => !contributed.has(c)),
      [],
      'not in contributes.commands',
    );
    assert.deepEqual(
      REQUIRED_COMMANDS.filter((c) => !registered.has(c)),
      [],
      'not registered',
    );
  });

  test('palette commands are in the "Monitor" category; Monitor: All is titled "All"', async function () {
    const commands = (extension().packageJSON.contributes?.commands ?? []) as ContributedCommand[];
    const all = commands.find((c) => c.command === 'dockerMonitor.monitorAll');
    assert.ok(all, 'dockerMonitor.monitorAll is not contributed');
    assert.equal(`${all.category}: ${all.title}`, 'Monitor: All');
    for (const id of ['monitorHost', 'gapAnalysis', 'correlate', 'addSshTarget']) {
      assert.equal(
        commands.find((c) => c.command === `dockerMonitor.${id}`)?.category,
        'Monitor',
        `dockerMonitor.${id} category`,
      );
    }
  });

  test('the view dockerMonitor.targets is contributed to the Docker Monitor container and opens', async function () {
    const contributes = extension().packageJSON.contributes ?? {};
    const containers = (contributes.viewsContainers?.activitybar ?? []) as Array<{ id: string; title: string }>;
    assert.deepEqual(
      containers.filter((c) => c.id === 'dockerMonitor').map((c) => c.title),
      ['Docker Monitor'],
    );
    const views = (contributes.views?.dockerMonitor ?? []) as Array<{ id: string; name: string }>;
    assert.deepEqual(
      views.filter((v) => v.id === 'dockerMonitor.targets').map((v) => v.name),
      ['Targets'],
    );
    // Both commands exist only when VS Code registered the container and the view.
    await showTargetsView();
  });
});
