// One target's alert engine: fed Docker events, snapshots and the target's reachability, it returns what started and
// what ended. Pure: no timers, no I/O, no vscode; the caller passes the time (its clock, ms since the epoch) and
// delivers the transitions (a CLI line, a notification). Each call's result is one evaluation's batch, so that a
// delivery can group the alerts that crossed together.
import type { EngineEvent } from '../docker/engineApi';
import type { Snapshot } from '../model';
import { makeAlert } from './alert';
import { containerObservations } from './containerRules';
import { hostObservations, targetObservation } from './hostRules';
import { ImmediateRules } from './immediateRules';
import { defaultAlertSettings } from './settings';
import { SustainedTracker } from './sustained';
import type { AlertDraft } from './alert';
import type { Alert, AlertSettings, AlertSubject, AlertTransition } from './types';

export interface AlertEngineOptions {
  /** The target's id (its key in the extension; the target text in the CLI): part of every alert's key. */
  targetId: string;
  /** What people call the target, for the unreachable alert; default targetId. */
  targetName?: string;
  /** From parseAlertSettings; default every rule on at its defaults. */
  settings?: AlertSettings;
  /** How many alerts recent() keeps; default 100. */
  recentLimit?: number;
}

const DEFAULT_RECENT = 100;

export class AlertEngine {
  private settings: AlertSettings;
  private readonly immediate: ImmediateRules;
  private readonly snapshotRules: SustainedTracker;
  private readonly targetRule: SustainedTracker;
  private readonly target: AlertSubject;
  private readonly recentLimit: number;
  /** Newest last; an ended sustained alert replaces its start. */
  private readonly recentAlerts: Alert[] = [];

  constructor(options: AlertEngineOptions) {
    this.settings = options.settings ?? defaultAlertSettings();
    this.target = { kind: 'target', id: options.targetId, name: options.targetName ?? options.targetId };
    this.recentLimit = Math.max(1, Math.floor(options.recentLimit ?? DEFAULT_RECENT));
    this.immediate = new ImmediateRules(() => this.settings);
    this.snapshotRules = new SustainedTracker(options.targetId);
    this.targetRule = new SustainedTracker(options.targetId);
  }

  /** New settings from now on. A sustained alert of a rule now off ends at the next evaluation. */
  setSettings(settings: AlertSettings): void {
    this.settings = settings;
  }

  /**
   * A Docker event as the collector's stream passes it on (Collector.followDockerEvents); `at`: when it arrived.
   * An immediate alert comes as one 'start' transition, already ended (endedAt = startedAt = the event's own time,
   * by the daemon's clock): there is no 'end' to wait for.
   */
  onEvent(event: EngineEvent, at: number): AlertTransition[] {
    return this.immediateTransitions(this.immediate.onEvent(event, at));
  }

  /**
   * A refresh's snapshot: the sustained rules, the OOM counter, and the target counted as reachable. Its time is
   * the snapshot's own (collectedAt); the OOM counter's matching uses when the refresh began.
   */
  onSnapshot(s: Snapshot): AlertTransition[] {
    const at = Date.parse(s.collectedAt);
    if (!Number.isFinite(at)) return [];
    const began = at - (Number.isFinite(s.durationMs) ? Math.max(0, s.durationMs) : 0);
    const out = this.immediateTransitions(this.immediate.onSnapshot(s, began));
    const observations = [
      ...hostObservations(s, this.settings, this.target.id),
      ...containerObservations(s, this.settings),
    ];
    out.push(...this.remember(this.snapshotRules.evaluate(observations, at)));
    out.push(...this.onTargetStatus(true, null, at));
    return out;
  }

  /**
   * Whether a refresh could read the target; call it after each failed refresh (onSnapshot counts a success).
   * The unreachable alert starts at the first failure's time once failures have lasted its window.
   */
  onTargetStatus(reachable: boolean, reason: string | null, at: number): AlertTransition[] {
    return this.remember(
      this.targetRule.evaluate(targetObservation(this.settings, this.target, reachable, reason), at),
    );
  }

  /** Sustained alerts started and not yet ended, oldest first. */
  active(): Alert[] {
    return [...this.targetRule.active(), ...this.snapshotRules.active()].map((a) => ({ ...a }));
  }

  /** The last alerts that started (at most recentLimit), newest first; a sustained one shows its end once ended. */
  recent(): Alert[] {
    return this.recentAlerts.map((a) => ({ ...a })).reverse();
  }

  private immediateTransitions(drafts: AlertDraft[]): AlertTransition[] {
    return this.remember(drafts.map((d) => ({ type: 'start' as const, alert: makeAlert(this.target.id, d, true) })));
  }

  private remember(transitions: AlertTransition[]): AlertTransition[] {
    for (const { type, alert } of transitions) {
      const i = type === 'end' ? this.recentAlerts.findIndex((a) => a.key === alert.key) : -1;
      if (i >= 0) this.recentAlerts[i] = alert;
      else if (type === 'start') this.recentAlerts.push(alert);
    }
    if (this.recentAlerts.length > this.recentLimit)
      this.recentAlerts.splice(0, this.recentAlerts.length - this.recentLimit);
    return transitions;
  }
}
