// Every dockerMonitor.* command. From the tree a command gets the clicked row (a TreeNode); from the palette
// it asks with QuickPicks (search by name, id, PID, image); from the status bar it gets a target id.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { ContainerInfo, Snapshot } from '../core/model';
import { containerPickItems, processPickItems, targetPickItems } from '../core/present/quickPicks';
import type { PickItem } from '../core/present/quickPicks';
import type { TreeNode } from '../core/present/treeNodes';
import type { CommandId } from '../core/present/commandIds';
import { exportFileName } from '../core/present/exportName';
import { MonitorError } from '../core/errors';
import { allJson, toJson } from '../core/json';
import { errorText } from './log';
import type { Log } from './log';
import type { HistoryController } from './history';
import { exportHistory, exportHistoryTo, isHistoryExportArgs } from './historyExport';
import type { MonitorServiceImpl } from './monitorService';
import type { PanelManager } from './panels/register';
import type { TargetState } from './serviceApi';
import { addSshTarget, removeTargetSetting } from './targets';
import type { TreeController } from './tree/register';
import { shortId } from '../core/identity';
import type { AlertsController } from './alerts';

export interface CommandDeps {
  service: MonitorServiceImpl;
  panels: PanelManager;
  tree: TreeController;
  log: Log;
  history: HistoryController;
  alerts: AlertsController;
}

type Arg = TreeNode | string | undefined;

function isNode(arg: unknown): arg is TreeNode {
  return (
    typeof arg === 'object' &&
    arg !== null &&
    typeof (arg as TreeNode).kind === 'string' &&
    typeof (arg as TreeNode).targetId === 'string'
  );
}

/** A command was cancelled (an empty pick): nothing to say. */
class Cancelled extends Error {}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { service, panels, tree, log } = deps;

  /** A QuickPick over plain items; resolves with the picked value. */
  async function pick<T>(items: PickItem<T>[], title: string, placeHolder: string): Promise<T> {
    const chosen = await vscode.window.showQuickPick(items, {
      title,
      placeHolder,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!chosen) throw new Cancelled();
    return chosen.value;
  }

  /** The target of a command: the clicked row's, the given id, the only one, or the user's pick. */
  async function targetOf(arg: Arg, title: string, filter: (t: TargetState) => boolean = () => true): Promise<string> {
    if (isNode(arg)) return arg.targetId;
    if (typeof arg === 'string' && service.target(arg)) return arg;
    const states = service.targets().filter(filter);
    if (states.length === 0)
      throw new MonitorError(
        'no target to pick: add one with "Monitor: Add SSH Target..." or turn on dockerMonitor.showLocalTarget',
        'not-found',
      );
    if (states.length === 1) return states[0].config.id;
    return pick(targetPickItems(states), title, 'Pick a target (type a name, host or address)');
  }

  /** The target's snapshot, collecting it first if there is none yet (the view may never have been shown). */
  async function snapshotOf(targetId: string): Promise<Snapshot> {
    const current = service.target(targetId);
    if (current?.snapshot) return current.snapshot;
    const name = current?.config.name ?? targetId;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Docker Monitor: reading ${name}…` },
      () => service.refresh(targetId),
    );
    const after = service.target(targetId);
    if (after?.snapshot) return after.snapshot;
    throw new MonitorError(
      `${name} cannot be read${after?.summary.error ? `: ${after.summary.error}` : ''}`,
      'unreachable',
    );
  }

  async function containerOf(arg: Arg, title: string): Promise<{ targetId: string; containerId: string }> {
    if (isNode(arg) && arg.kind === 'container') return { targetId: arg.targetId, containerId: arg.containerId };
    const targetId = await targetOf(arg, title);
    const snapshot = await snapshotOf(targetId);
    if (snapshot.containers.length === 0)
      throw new MonitorError(`${service.target(targetId)?.config.name ?? targetId} has no containers`, 'not-found');
    return {
      targetId,
      containerId: await pick(containerPickItems(snapshot), title, 'Pick a container (type a name, id or image)'),
    };
  }

  async function processOf(arg: Arg, title: string): Promise<{ targetId: string; pid: number }> {
    if (isNode(arg) && arg.kind === 'process') return { targetId: arg.targetId, pid: arg.pid };
    const targetId = await targetOf(arg, title);
    const snapshot = await snapshotOf(targetId);
    const p = await pick(processPickItems(snapshot), title, 'Pick a process (type a name, PID, command or container)');
    return { targetId, pid: p.pid };
  }

  function containerInfo(targetId: string, containerId: string): ContainerInfo {
    const c = service.target(targetId)?.snapshot?.containers.find((x) => x.id === containerId);
    if (!c)
      throw new MonitorError(
        `container ${shortId(containerId)} is no longer on ${service.target(targetId)?.config.name ?? targetId}`,
        'not-found',
      );
    return c;
  }

  async function copy(text: string, what: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`$(check) Copied ${what}`, 3000);
  }

  const commands: Record<CommandId, (arg?: Arg) => unknown> = {
    'dockerMonitor.monitorAll': async (arg) => panels.openDashboard(await targetOf(arg, 'Monitor: All')),
    'dockerMonitor.monitorHost': async (arg) =>
      panels.openMetrics(await targetOf(arg, 'Monitor: Host'), 'host', 'host'),
    'dockerMonitor.monitorContainer': async (arg) => {
      const c = await containerOf(arg, 'Monitor: Container');
      panels.openMetrics(c.targetId, 'container', c.containerId);
    },
    'dockerMonitor.monitorProcess': async (arg) => {
      const p = await processOf(arg, 'Monitor: Process');
      panels.openMetrics(p.targetId, 'process', String(p.pid));
    },
    'dockerMonitor.correlate': async (arg) => {
      const c = await containerOf(arg, 'Monitor: Correlate Container');
      panels.openCorrelation(c.targetId, c.containerId);
    },
    'dockerMonitor.gapAnalysis': async (arg) => panels.openGaps(await targetOf(arg, 'Monitor: Gap Analysis')),

    'dockerMonitor.addSshTarget': async () => {
      const def = await addSshTarget(service.definitions(), log);
      if (!def) return;
      service.reloadTargets();
      await tree.reveal(def.id, 'host', '', { focus: false }).catch(() => undefined);
    },
    'dockerMonitor.removeTarget': async (arg) => {
      const targetId = await targetOf(arg, 'Monitor: Remove SSH Target', (t) => t.config.kind === 'ssh');
      const state = service.target(targetId);
      if (!state || state.config.kind !== 'ssh') {
        throw new MonitorError(
          'Local is not a setting entry: turn dockerMonitor.showLocalTarget off to hide it',
          'bad-argument',
        );
      }
      const ok = await vscode.window.showWarningMessage(
        `Remove the SSH target "${state.config.name}"?`,
        {
          modal: true,
          detail:
            'It is removed from the dockerMonitor.targets setting and disconnected, and its kept history is deleted.',
        },
        'Remove',
      );
      if (ok !== 'Remove') return;
      if (!(await removeTargetSetting(state.config))) {
        throw new MonitorError(`${state.config.name} was not found in the user or workspace settings`, 'not-found');
      }
      log.info(`removed SSH target ${state.config.name} from the settings`);
      service.reloadTargets();
      await deps.history.forget(targetId);
    },
    // A user who presses Refresh on a target that failed wants it tried again: reconnect those, refresh the rest.
    'dockerMonitor.refresh': (arg) => {
      const only = isNode(arg) ? arg.targetId : typeof arg === 'string' ? arg : undefined;
      const states = service.targets().filter((t) => only === undefined || t.config.id === only);
      return vscode.window.withProgress({ location: { viewId: 'dockerMonitor.targets' } }, () =>
        Promise.all(
          states.map((t) =>
            t.summary.status === 'error' ? service.reconnect(t.config.id) : service.refresh(t.config.id),
          ),
        ),
      );
    },
    'dockerMonitor.pause': () => service.pause(),
    'dockerMonitor.resume': () => service.resume(),
    'dockerMonitor.exportSnapshot': async (arg) => {
      const targetId = await targetOf(arg, 'Monitor: Export Snapshot');
      const snapshot = await snapshotOf(targetId);
      const name = service.target(targetId)?.config.name ?? targetId;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
      const uri = await vscode.window.showSaveDialog({
        title: `Export the snapshot of ${name}`,
        defaultUri: vscode.Uri.joinPath(folder, exportFileName(name, snapshot.collectedAt)),
        filters: { JSON: ['json'] },
        saveLabel: 'Export',
      });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${toJson(allJson(snapshot))}\n`));
      log.info(`exported the snapshot of ${name} (${snapshot.collectedAt}) to ${uri.fsPath}`);
      const open = await vscode.window.showInformationMessage(
        `Docker Monitor: exported the snapshot of ${name}.`,
        'Open',
      );
      if (open === 'Open') await vscode.window.showTextDocument(uri);
    },

    'dockerMonitor.exportHistory': async (arg) =>
      isHistoryExportArgs(arg)
        ? exportHistoryTo(arg, deps)
        : exportHistory(await targetOf(arg, 'Monitor: Export History'), deps, pick),

    // Tree rows.
    'dockerMonitor.showMetrics': async (arg) => {
      if (isNode(arg) && arg.kind === 'container')
        return panels.openMetrics(arg.targetId, 'container', arg.containerId);
      if (isNode(arg) && arg.kind === 'process') return panels.openMetrics(arg.targetId, 'process', String(arg.pid));
      return panels.openMetrics(await targetOf(arg, 'Show Metrics'), 'host', 'host');
    },
    'dockerMonitor.showProcesses': async (arg) => {
      const c = await containerOf(arg, 'Show Processes');
      await tree.reveal(c.targetId, 'container', c.containerId, { expand: true });
    },
    'dockerMonitor.copyId': async (arg) => {
      const c = await containerOf(arg, 'Copy Container ID');
      await copy(c.containerId, 'the container id');
    },
    'dockerMonitor.copyAsJson': async (arg) => {
      const c = await containerOf(arg, 'Copy Container as JSON');
      await copy(toJson(containerInfo(c.targetId, c.containerId)), 'the container as JSON');
    },
    'dockerMonitor.revealContainer': async (arg) => {
      const p = await processOf(arg, 'Reveal Container');
      const proc = service.target(p.targetId)?.snapshot?.processes.find((x) => x.pid === p.pid);
      const containerId = isNode(arg) && arg.kind === 'process' ? arg.containerId : (proc?.containerId ?? null);
      if (containerId === null) {
        void vscode.window.showInformationMessage(`PID ${p.pid} runs on the host, in no container.`);
        return;
      }
      await tree.reveal(p.targetId, 'container', containerId);
    },
    'dockerMonitor.copyPid': async (arg) => {
      const p = await processOf(arg, 'Copy PID');
      await copy(String(p.pid), `PID ${p.pid}`);
    },
    'dockerMonitor.retryTarget': async (arg) => {
      const targetId = await targetOf(arg, 'Retry Connection');
      await service.reconnect(targetId);
    },
    'dockerMonitor.showAllHostProcesses': async (arg) =>
      tree.toggleShowAllHostProcesses(await targetOf(arg, 'Show All Host Processes')),
    // Alert rows only (their menu): a palette run has no row to act on.
    'dockerMonitor.muteAlert': (arg) => (isNode(arg) ? deps.alerts.mute(arg, 'hour') : undefined),
    'dockerMonitor.neverAlertForContainer': (arg) => (isNode(arg) ? deps.alerts.mute(arg, 'never') : undefined),
  };

  for (const [id, run] of Object.entries(commands)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (arg?: Arg) => {
        try {
          await run(arg);
        } catch (e) {
          if (e instanceof Cancelled) return;
          const text = errorText(e);
          if (!(e instanceof MonitorError)) log.error(`${id}: ${e instanceof Error && e.stack ? e.stack : text}`);
          else log.warn(`${id}: ${text}`);
          void vscode.window.showErrorMessage(`Docker Monitor: ${text}`);
        }
      }),
    );
  }
}
