// The kept history in the real VS Code: a Metrics panel opened after some refreshes starts with the points from
// before it opened, and "Export History" writes the points that panel shows for the range.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { rangeView } from '../../../src/core/history/range';
import { MinuteRollups } from '../../../src/core/history/rollup';
import { SeriesHistory } from '../../../src/core/panels/history';
import { METRIC_FIELDS } from '../../../src/core/panels/series';
import type { MetricsHistory } from '../../../src/shared/protocol';
import { dockerReady, dockerSkipReason } from './docker';
import { config } from './config';
import { activate, closeAllEditors, showTargetsView } from './extensionApi';
import { suiteWhen } from './skip';
import { eventually, sleep } from './wait';

suiteWhen(dockerReady ? null : dockerSkipReason, 'history', function () {
  test('host Metrics opens with the points kept before it opened; the export holds what it shows', async function () {
    this.timeout(120_000);
    const api = await activate();
    await closeAllEditors();
    await showTargetsView();
    // The Targets view is visible: Local refreshes, and each refresh is kept.
    await sleep(8000);
    const openedAt = Date.now();
    await vscode.commands.executeCommand('dockerMonitor.monitorHost', 'local');
    const history = await eventually(
      'host metrics panel with its stored history',
      () => {
        const p = api.panels().find((x) => x.viewType === 'dockerMonitor.metrics' && x.history);
        assert.ok(
          p,
          `no metrics panel with history (open: ${api
            .panels()
            .map((x) => x.title)
            .join(', ')})`,
        );
        return p.history as MetricsHistory;
      },
      45_000,
    );
    const before = history.recent.t.filter((t) => t < openedAt);
    assert.ok(before.length >= 2, `the panel opened with ${before.length} points from before it (want >= 2)`);

    const shown = rangeView(
      SeriesHistory.fromState(history.recent, METRIC_FIELDS),
      MinuteRollups.fromState(history.minutes, METRIC_FIELDS),
      '15m',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'dm-export-')), 'host.json');
    await vscode.commands.executeCommand('dockerMonitor.exportHistory', {
      targetId: 'local',
      subject: '',
      range: '15m',
      format: 'json',
      file,
    });
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      subject: { kind: string };
      points: Array<Record<string, number | string | null>>;
    };
    assert.equal(doc.subject.kind, 'host');
    // Refreshes went on since the panel got its history: the export may have newer points, never other ones.
    const byTime = new Map(doc.points.map((p) => [Date.parse(p.time as string), p]));
    assert.equal(Date.parse(doc.points[0].time as string), shown.t[0], 'the export starts where the panel starts');
    shown.t.forEach((t, i) => {
      const p = byTime.get(t);
      assert.ok(p, `the panel's point at ${new Date(t).toISOString()} is not in the export`);
      for (const f of METRIC_FIELDS) assert.equal(p[f], shown.values[f][i], `${f} at ${new Date(t).toISOString()}`);
    });
    await closeAllEditors();
  });

  test("at activation, a history file not written for over a day is deleted; a recent one and Local's stay", async function () {
    this.timeout(60_000);
    await activate();
    const { dirs, planted } = config.history;
    // The folder this runner's VS Code gave the extension is the one where Local's history is written.
    const dir = await eventually(
      "the history folder that holds Local's file",
      () => {
        const found = dirs.find((d) => existsSync(d) && readdirSync(d).some((n) => n.startsWith('local-')));
        assert.ok(found, `no local-*.dmh in ${dirs.join(' or ')}`);
        return found;
      },
      45_000,
    );
    await eventually(
      'the stale file deleted',
      () => assert.ok(!existsSync(join(dir, planted.stale)), `${planted.stale} is still in ${dir}`),
      15_000,
    );
    assert.ok(existsSync(join(dir, planted.recent)), `${planted.recent} (2 hours old) was deleted`);
  });
});
