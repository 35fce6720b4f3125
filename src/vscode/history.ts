// The history kept across reloads: one file per target in the extension's global storage, loaded when the
// extension starts (or the target first reports), recorded from each new snapshot, flushed on deactivation,
// deleted with its target (or, removed by hand from the settings, once a day old).
// Nothing here may fail activation: the store reports its problems to the output channel and carries on.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { maxBytesSetting } from '../core/history/exportText';
import { HistoryStore } from '../core/history/store';
import type { TargetHistory } from '../core/history/targetHistory';
import type { Log } from './log';
import type { MonitorService } from './serviceApi';

const SETTING = 'dockerMonitor.history.maxMegabytesPerTarget';

export interface HistoryController {
  /** The target's history once its file has loaded; null before. */
  loaded(targetId: string): TargetHistory | null;
  /** Loads the target's file if not yet loaded. */
  load(targetId: string): Promise<TargetHistory>;
  /** Fires with a target id when its file has loaded (panels opened before then ask again). */
  readonly onDidLoad: vscode.Event<string>;
  /** Deletes a removed target's file (Monitor: Remove SSH Target). */
  forget(targetId: string): Promise<void>;
  flush(): Promise<void>;
}

export function registerHistory(
  context: vscode.ExtensionContext,
  service: MonitorService,
  log: Log,
): HistoryController {
  const readSetting = (): number => {
    const { bytes, problem } = maxBytesSetting(vscode.workspace.getConfiguration().get<unknown>(SETTING));
    if (problem) {
      log.warn(problem);
      void vscode.window.showWarningMessage(`Docker Monitor: ${problem}`);
    }
    return bytes;
  };
  const dir = join(context.globalStorageUri.fsPath, 'history');
  const store = new HistoryStore(dir, readSetting(), (m) => log.warn(m));
  const loadedEvent = new vscode.EventEmitter<string>();
  const started = new Set<string>();
  /** The collectedAt last recorded per target: onDidChange also fires for connection changes. */
  const last = new Map<string, string>();

  const load = (targetId: string): Promise<TargetHistory> => {
    const p = store.load(targetId);
    if (!started.has(targetId)) {
      started.add(targetId);
      void p.then(() => loadedEvent.fire(targetId));
    }
    return p;
  };

  for (const t of service.targets()) void load(t.config.id);
  void store.removeStale().then((names) => {
    if (names.length > 0) log.info(`History: deleted ${names.length} file(s) not written for over a day`);
  });
  context.subscriptions.push(
    loadedEvent,
    service.onDidChangeTargets(() => {
      for (const t of service.targets()) void load(t.config.id);
    }),
    service.onDidChange((state) => {
      const s = state.snapshot;
      const id = state.config.id;
      // A refresh that lands after its target was removed would start its deleted file again.
      if (!s || last.get(id) === s.collectedAt || !service.target(id)) return;
      last.set(id, s.collectedAt);
      void load(id);
      store.record(id, s, state.summary.label);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTING)) store.setMaxBytes(readSetting());
    }),
  );
  log.info(`History kept in ${dir}`);
  return {
    loaded: (id) => store.loaded(id),
    load,
    onDidLoad: loadedEvent.event,
    forget: (id) => {
      last.delete(id);
      started.delete(id);
      return store.forget(id);
    },
    flush: () => store.flush(),
  };
}
