// The targets in settings: reading `dockerMonitor.targets` / `dockerMonitor.showLocalTarget`, and the
// "Add SSH Target" and "Remove" flows that write them (user settings).
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { MonitorError } from '../core/errors';
import { sshAddress } from '../core/identity';
import { listConfigHosts } from '../core/targets/settings/sshConfigHosts';
import { localSshEnv } from '../core/transport/sshEnv';
import type { ConfigHost } from '../core/targets/settings/sshConfigHosts';
import {
  parseTargetSetting,
  parseTargetSettings,
  settingFromTyped,
  sshTargetId,
  targetAddress,
  toSetting,
  uniqueName,
  validateJump,
} from '../core/targets/settings/targetConfig';
import type { ParsedTargets, TargetDefinition } from '../core/targets/settings/targetConfig';
import { expandHomePath } from '../core/transport/sshOverrides';
import type { Log } from './log';

export const SECTION = 'dockerMonitor';
const TARGETS = 'targets';
const SHOW_LOCAL = 'showLocalTarget';

export function readTargets(): ParsedTargets {
  const config = vscode.workspace.getConfiguration(SECTION);
  return parseTargetSettings(config.get<unknown>(TARGETS), config.get<boolean>(SHOW_LOCAL, true) !== false);
}

/** The ssh config files whose Host entries "Add SSH Target" offers: ~/.ssh/config, then Remote-SSH's, if set. */
function sshConfigFiles(): string[] {
  const home = homedir();
  const files = [join(home, '.ssh', 'config')];
  const remote = vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile');
  if (typeof remote === 'string' && remote.trim() !== '') {
    const f = expandHomePath(remote.trim(), home);
    if (!files.includes(f)) files.push(f);
  }
  return files;
}

function rawList(value: unknown): unknown[] {
  return Array.isArray(value) ? [...(value as unknown[])] : [];
}

/** Appends an entry to the user's `dockerMonitor.targets`, leaving other entries exactly as written. */
async function appendTarget(def: TargetDefinition): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const current = rawList(config.inspect<unknown>(TARGETS)?.globalValue);
  await config.update(TARGETS, [...current, toSetting(def)], vscode.ConfigurationTarget.Global);
}

/** The entry as a settings entry from a Host of a config file other than ~/.ssh/config: written out in full,
 * since connecting resolves aliases through ~/.ssh/config only. */
function definitionFromOtherConfig(h: ConfigHost, name: string): TargetDefinition {
  if (!h.resolved) throw new MonitorError(`Host ${h.alias} in ${h.file} cannot be resolved`, 'bad-argument');
  const r = h.resolved;
  const def: TargetDefinition = { id: sshTargetId(name), name, kind: 'ssh', host: r.host, port: r.port, user: r.user };
  if (r.identityFile) def.identityFile = r.identityFile;
  if (r.jump) def.jump = validateJump(r.jump);
  // Let the settings checks see it exactly as they will when reading it back.
  return parseTargetSetting(toSetting(def));
}

interface AddPick extends vscode.QuickPickItem {
  action: 'typed' | 'host' | 'enter';
  host?: ConfigHost;
  typed?: string;
}

const ENTER_LABEL = '$(edit) Enter user@host[:port]…';

/**
 * "Monitor: Add SSH Target...": the Host entries of the ssh config files, or a typed `user@host[:port]`.
 * Returns the new target, or undefined when the user cancelled.
 */
export async function addSshTarget(
  existing: readonly TargetDefinition[],
  log: Log,
): Promise<TargetDefinition | undefined> {
  const takenNames = existing.map((t) => t.name);
  const home = homedir();
  const files = sshConfigFiles();
  const hosts = await listConfigHosts(files, localSshEnv());
  const configured = new Set(existing.filter((t) => t.kind === 'ssh').map((t) => t.host));

  const staticItems: AddPick[] = [{ label: ENTER_LABEL, action: 'enter', alwaysShow: true }];
  let lastFile: string | null = null;
  for (const h of hosts) {
    if (h.file !== lastFile) {
      staticItems.push({
        label: h.file.startsWith(home) ? `~${h.file.slice(home.length)}` : h.file,
        kind: vscode.QuickPickItemKind.Separator,
        action: 'host',
      });
      lastFile = h.file;
    }
    const r = h.resolved;
    staticItems.push({
      label: `$(remote) ${h.alias}`,
      description: (r
        ? `${sshAddress(r, { keepDefaultPort: true })}${r.jump ? ` via ${r.jump}` : ''}`
        : 'cannot be resolved'
      ).replace(/\$\(/g, '$\u200b('),
      ...(configured.has(h.alias) && { detail: 'Already a target' }),
      action: 'host',
      host: h,
    });
  }

  const qp = vscode.window.createQuickPick<AddPick>();
  qp.title = 'Docker Monitor: Add SSH Target';
  qp.placeholder =
    hosts.length > 0 ? 'Pick a Host of your ssh config, or type user@host[:port]' : 'Type user@host[:port]';
  qp.matchOnDescription = true;
  qp.items = staticItems;
  // What the user types becomes an entry of its own as soon as it is a valid target.
  qp.onDidChangeValue((value) => {
    const v = value.trim();
    let typed: AddPick[] = [];
    if (v !== '' && !hosts.some((h) => h.alias === v)) {
      try {
        const def = settingFromTyped(v, takenNames);
        typed = [
          {
            label: `$(add) ${v}`,
            description: `add ${targetAddress(def)}`,
            action: 'typed',
            typed: v,
            alwaysShow: true,
          },
        ];
      } catch (e) {
        typed = [
          { label: `$(warning) ${v}`, description: (e as Error).message, action: 'typed', typed: v, alwaysShow: true },
        ];
      }
    }
    qp.items = [...typed, ...staticItems];
  });
  const picked = await new Promise<AddPick | undefined>((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!picked) return undefined;

  let def: TargetDefinition;
  try {
    if (picked.action === 'enter') {
      const text = await vscode.window.showInputBox({
        title: 'Docker Monitor: Add SSH Target',
        prompt: 'user@host[:port], [user@][ipv6]:port, or a Host alias of ~/.ssh/config',
        placeHolder: 'root@192.0.2.10:22',
        ignoreFocusOut: true,
        validateInput: (value) => {
          if (value.trim() === '') return null;
          try {
            settingFromTyped(value, takenNames);
            return null;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      if (text === undefined || text.trim() === '') return undefined;
      def = settingFromTyped(text, takenNames);
    } else if (picked.action === 'typed') {
      def = settingFromTyped(picked.typed ?? '', takenNames);
    } else {
      const h = picked.host!;
      const name = uniqueName(h.alias, takenNames);
      // ~/.ssh/config is what connecting reads: keep the alias so later edits of the config apply.
      def = h.file === files[0] ? settingFromTyped(h.alias, takenNames) : definitionFromOtherConfig(h, name);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(`Docker Monitor: cannot add the target: ${message}`);
    return undefined;
  }
  await appendTarget(def);
  log.info(`added SSH target ${def.name} (${targetAddress(def)}) to the user settings`);
  return def;
}

/**
 * Removes the target from every settings level that lists it (user, workspace), matching by name the
 * way ids are made. True when something was removed.
 */
export async function removeTargetSetting(def: TargetDefinition): Promise<boolean> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const info = config.inspect<unknown>(TARGETS);
  if (!info) return false;
  const matches = (entry: unknown): boolean => {
    try {
      return parseTargetSetting(entry).id === def.id;
    } catch {
      return false;
    }
  };
  let removed = false;
  // The setting is machine-overridable, not resource-scoped: there is no folder level to look at.
  const levels: [unknown, vscode.ConfigurationTarget][] = [
    [info.workspaceValue, vscode.ConfigurationTarget.Workspace],
    [info.globalValue, vscode.ConfigurationTarget.Global],
  ];
  for (const [value, target] of levels) {
    const list = rawList(value);
    const kept = list.filter((e) => !matches(e));
    if (kept.length === list.length) continue;
    await config.update(TARGETS, kept.length > 0 ? kept : undefined, target);
    removed = true;
  }
  return removed;
}
