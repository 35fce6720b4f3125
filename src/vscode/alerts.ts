// Alerts in VS Code: one AlertEngine per target fed by the service's snapshots, connection states and Docker
// events; a background lease keeps them fed while every view is hidden; notices (grouped, rate-limited, muted as
// the user asked) become notifications with Show / Mute 1 Hour / Never for This Container.
import * as vscode from 'vscode';
import { ROW_DEMAND } from '../core/collect/demand';
import { AlertDelivery, noticeText } from '../core/alerts/delivery';
import type { Mute, Notice } from '../core/alerts/delivery';
import { AlertEngine } from '../core/alerts/engine';
import type { Alert, AlertTransition } from '../core/alerts/types';
import { readAlertOptions } from '../core/alerts/extensionSettings';
import type { AlertOptions } from '../core/alerts/extensionSettings';
import type { TreeNode } from '../core/present/treeNodes';
import type { Log } from './log';
import type { MonitorService, TargetState } from './serviceApi';
import { SECTION } from './targets';

const MUTES_KEY = 'dockerMonitor.alertMutes';
const HOUR_MS = 3_600_000;
/** Notices remembered for the test API. */
const SHOWN_KEPT = 100;

export interface AlertsController {
  /** Every target's active and recent alerts (the test suite reads them through the extension's API). */
  alerts(): Array<{ targetId: string; active: Alert[]; recent: Alert[] }>;
  /** The notifications shown so far, oldest first (for the test suite). */
  notices(): Array<{ targetId: string; text: string; subjects: string[] }>;
  /** From an alert row: mute its rule on its subject for an hour, or every rule on its container for good. */
  mute(node: TreeNode, howLong: 'hour' | 'never'): void;
}

export function registerAlerts(
  context: vscode.ExtensionContext,
  service: MonitorService,
  log: Log,
  show: (targetId: string, kind: 'host' | 'container', id: string) => void,
): AlertsController {
  const engines = new Map<string, { engine: AlertEngine; lastSnapshot: string | null }>();
  const delivery = new AlertDelivery();
  /** The settings problems last reported (read() runs before the rest is set up). */
  let reported = '';
  const shown: Array<{ targetId: string; text: string; subjects: string[] }> = [];
  let options: AlertOptions = read();
  let background: vscode.Disposable | undefined;
  let timer: ReturnType<typeof setTimeout> | null = null;

  for (const m of restoreMutes(context.globalState.get<unknown>(MUTES_KEY))) delivery.mute(m);

  function read(): AlertOptions {
    const config = vscode.workspace.getConfiguration(`${SECTION}.alerts`);
    const { options: o, problems } = readAlertOptions((key) => config.get<unknown>(key));
    for (const p of problems) log.warn(`alerts: ${p}`);
    // Said once per distinct set of problems, not on every settings change.
    const text = problems.join('\n');
    if (text !== '' && text !== reported) void vscode.window.showWarningMessage(`Docker Monitor: ${problems[0]}`);
    reported = text;
    return o;
  }

  function engineOf(t: TargetState) {
    let e = engines.get(t.config.id);
    if (!e) {
      e = {
        engine: new AlertEngine({ targetId: t.config.id, targetName: t.config.name, settings: options.rules }),
        lastSnapshot: null,
      };
      engines.set(t.config.id, e);
    }
    return e;
  }

  function handle(targetId: string, transitions: AlertTransition[]): void {
    if (transitions.length === 0) return;
    for (const { type, alert } of transitions)
      log.info(`alert ${type}: ${alert.rule} on ${alert.subject.name}: ${alert.message}`);
    if (options.notifications) delivery.offer(transitions, Date.now());
    schedule();
    service.alertsChanged(targetId);
  }

  function schedule(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const due = delivery.nextDue();
    if (due === null) return;
    timer = setTimeout(flush, Math.max(0, due - Date.now()));
  }

  function flush(): void {
    timer = null;
    for (const n of delivery.flush(Date.now())) notify(n);
    schedule();
  }

  function notify(n: Notice): void {
    const target = service.target(n.targetId);
    const text = noticeText(n, target?.config.name ?? n.targetId);
    shown.push({ targetId: n.targetId, text, subjects: n.alerts.map((a) => a.subject.name) });
    if (shown.length > SHOWN_KEPT) shown.splice(0, shown.length - SHOWN_KEPT);
    const subjects = [...new Set(n.alerts.map((a) => a.subject.id))];
    const one = subjects.length === 1 ? n.alerts[0] : null;
    const actions = ['Show', 'Mute 1 Hour', ...(one?.subject.kind === 'container' ? ['Never for This Container'] : [])];
    const say = n.severity === 'critical' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void say(`Docker Monitor: ${text}`, ...actions).then((pick) => {
      if (pick === 'Show') {
        const a = n.alerts[0];
        show(
          n.targetId,
          a.subject.kind === 'container' ? 'container' : 'host',
          a.subject.kind === 'container' ? a.subject.id : 'host',
        );
      } else if (pick === 'Mute 1 Hour') {
        for (const a of n.alerts)
          mute({ targetId: a.targetId, subjectId: a.subject.id, rule: a.rule, until: Date.now() + HOUR_MS });
      } else if (pick === 'Never for This Container' && one) {
        mute({ targetId: one.targetId, subjectId: one.subject.id, rule: null, until: null });
      }
    });
  }

  function mute(m: Mute): void {
    delivery.mute(m);
    void context.globalState.update(MUTES_KEY, delivery.mutes(Date.now()));
  }

  function syncBackground(): void {
    const want = options.enabled && options.backgroundIntervalMs > 0;
    if (want && !background)
      background = service.leaseBackground('alerts', () => ROW_DEMAND, options.backgroundIntervalMs);
    else if (!want && background) {
      background.dispose();
      background = undefined;
    }
  }

  service.setAlertSource((targetId) => {
    const e = engines.get(targetId);
    if (!options.enabled || !e) return undefined;
    return { active: e.engine.active(), recent: e.engine.recent().filter((a) => a.endedAt !== null) };
  });

  context.subscriptions.push(
    service.onDidChange((t) => {
      if (!options.enabled) return;
      const e = engineOf(t);
      const s = t.snapshot;
      if (s && s.collectedAt !== e.lastSnapshot && t.summary.status !== 'error') {
        e.lastSnapshot = s.collectedAt;
        handle(t.config.id, e.engine.onSnapshot(s));
      } else if (t.summary.status === 'error' || t.summary.status === 'reconnecting') {
        handle(t.config.id, e.engine.onTargetStatus(false, t.summary.error, Date.now()));
      }
    }),
    service.onDidDockerEvent(({ targetId, event }) => {
      const t = service.target(targetId);
      if (!options.enabled || !t) return;
      handle(targetId, engineOf(t).engine.onEvent(event, Date.now()));
    }),
    service.onDidChangeTargets(() => {
      const ids = new Set(service.targets().map((t) => t.config.id));
      for (const id of engines.keys()) if (!ids.has(id)) engines.delete(id);
    }),
    vscode.workspace.onDidChangeConfiguration((ev) => {
      if (!ev.affectsConfiguration(`${SECTION}.alerts`)) return;
      const before = options;
      options = read();
      for (const e of engines.values()) e.engine.setSettings(options.rules);
      if (
        before.backgroundIntervalMs !== options.backgroundIntervalMs &&
        background &&
        options.backgroundIntervalMs > 0
      ) {
        // The new lease before the old one goes: polling never stops in between, nor the event streams with it.
        const old = background;
        background = service.leaseBackground('alerts', () => ROW_DEMAND, options.backgroundIntervalMs);
        old.dispose();
      }
      syncBackground();
      for (const t of service.targets()) service.alertsChanged(t.config.id);
    }),
    {
      dispose: () => {
        if (timer !== null) clearTimeout(timer);
        background?.dispose();
      },
    },
  );
  syncBackground();

  return {
    alerts: () =>
      [...engines].map(([targetId, e]) => ({ targetId, active: e.engine.active(), recent: e.engine.recent() })),
    notices: () => [...shown],
    mute: (node, howLong) => {
      if (node.kind !== 'alert') return;
      if (howLong === 'hour')
        mute({ targetId: node.targetId, subjectId: node.subject.id, rule: node.rule, until: Date.now() + HOUR_MS });
      else mute({ targetId: node.targetId, subjectId: node.subject.id, rule: null, until: null });
    },
  };
}

/** Mutes from globalState: anything else there (an older shape, a hand edit) is dropped, never trusted. */
function restoreMutes(v: unknown): Mute[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (m): m is Mute =>
      typeof m === 'object' &&
      m !== null &&
      typeof (m as Mute).targetId === 'string' &&
      typeof (m as Mute).subjectId === 'string' &&
      ((m as Mute).rule === null || typeof (m as Mute).rule === 'string') &&
      ((m as Mute).until === null || typeof (m as Mute).until === 'number'),
  );
}
