// "Monitor: Export History...": a subject of the target (the host or a container that has history), a range,
// CSV or JSON, then a save dialog. The file is written from the same range view the Metrics panel charts.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { MonitorError } from '../core/errors';
import { historyExportName, historyExportText } from '../core/history/exportText';
import type { ExportFormat, ExportSubject } from '../core/history/exportText';
import { HISTORY_RANGES, RANGE_LABELS, isHistoryRange } from '../core/history/range';
import type { HistoryRange } from '../core/history/range';
import { HOST_KEY } from '../core/history/targetHistory';
import { shortId } from '../core/identity';
import { METRIC_FIELDS } from '../core/panels/series';
import type { PickItem } from '../core/present/quickPicks';
import { escapeIcons } from '../core/present/text';
import type { HistoryController } from './history';
import type { Log } from './log';
import type { MonitorService } from './serviceApi';

type Pick = <T>(items: PickItem<T>[], title: string, placeHolder: string) => Promise<T>;

const TITLE = 'Monitor: Export History';

/** The command's choices given as its argument (a keybinding or a test), instead of asked. */
export interface HistoryExportArgs {
  targetId: string;
  /** '' for the host, else a container id. */
  subject: string;
  range: HistoryRange;
  format: ExportFormat;
  /** Where to write (a file path or a URI string). */
  file: string;
}

export function isHistoryExportArgs(v: unknown): v is HistoryExportArgs {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return (
    typeof a.targetId === 'string' &&
    typeof a.subject === 'string' &&
    isHistoryRange(a.range) &&
    (a.format === 'csv' || a.format === 'json') &&
    typeof a.file === 'string'
  );
}

type Deps = { service: MonitorService; history: HistoryController; log: Log };

/** Writes one export; returns the subject's name. */
async function write(a: Omit<HistoryExportArgs, 'file'>, uri: vscode.Uri, deps: Deps): Promise<string> {
  const label = deps.service.target(a.targetId)?.summary.label ?? a.targetId;
  const h = await deps.history.load(a.targetId);
  const s = h.subjects().find((x) => x.key === a.subject);
  const view = h.view(a.subject, a.range);
  if (!s || !view) throw new MonitorError(`no history kept for that subject on ${label}`, 'not-found');
  const subject: ExportSubject = {
    target: label,
    kind: a.subject === HOST_KEY ? 'host' : 'container',
    id: a.subject,
    name: s.name,
  };
  await vscode.workspace.fs.writeFile(
    uri,
    new TextEncoder().encode(historyExportText(subject, view, METRIC_FIELDS, a.format)),
  );
  deps.log.info(`exported the ${a.range} history of ${s.name} on ${label} to ${uri.fsPath}`);
  return s.name;
}

export async function exportHistoryTo(a: HistoryExportArgs, deps: Deps): Promise<void> {
  await write(a, /^[a-z][a-z0-9+.-]+:/i.test(a.file) ? vscode.Uri.parse(a.file) : vscode.Uri.file(a.file), deps);
}

export async function exportHistory(targetId: string, deps: Deps, pick: Pick): Promise<void> {
  const { service, history } = deps;
  const label = service.target(targetId)?.summary.label ?? targetId;
  const h = await history.load(targetId);
  const subjects = h.subjects();
  if (subjects.length === 0)
    throw new MonitorError(
      `no history kept for ${label} yet: it is recorded while the target is refreshed`,
      'not-found',
    );
  const key = await pick(
    subjects.map((s) => ({
      label: escapeIcons(s.key === HOST_KEY ? `Host ${s.name}` : s.name),
      description: s.key === HOST_KEY ? 'host' : `container ${shortId(s.key)}`,
      detail: `last sample ${new Date(s.lastSeen)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')}`,
      value: s.key,
    })),
    TITLE,
    'Export the history of the host or of a container',
  );
  const range = await pick<HistoryRange>(
    HISTORY_RANGES.map((r) => ({
      label: `Last ${RANGE_LABELS[r]}`,
      description: r === '15m' ? 'one point per refresh' : '1-minute average, min and max',
      detail: '',
      value: r,
    })),
    TITLE,
    'Which range (as the Metrics panel shows it)',
  );
  const format = await pick<ExportFormat>(
    [
      { label: 'CSV', description: 'one row per point', detail: '', value: 'csv' },
      { label: 'JSON', description: 'an object with the subject, the range and the points', detail: '', value: 'json' },
    ],
    TITLE,
    'File format',
  );
  const s = subjects.find((x) => x.key === key)!;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const subject: ExportSubject = {
    target: label,
    kind: key === HOST_KEY ? 'host' : 'container',
    id: key,
    name: s.name,
  };
  const uri = await vscode.window.showSaveDialog({
    title: `Export the history of ${s.name}`,
    defaultUri: vscode.Uri.joinPath(folder, historyExportName(subject, range, format)),
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    saveLabel: 'Export',
  });
  if (!uri) return;
  const name = await write({ targetId, subject: key, range, format }, uri, deps);
  void vscode.window.showInformationMessage(`Docker Monitor: exported the history of ${name}.`);
}
