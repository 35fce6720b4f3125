// The contract between the extension's parts: the monitor service owns targets, connections and refreshes;
// the tree, commands, status bar and panels only read its state and listen to its changes.
import type { Demand } from '../core/collect/demand';
import type * as vscode from 'vscode';
import type { TargetState } from '../core/present/targetInput';
import type { EngineEvent } from '../core/docker/engineApi';

/** Defined in core, where every view model reads it; re-exported for the extension's parts. */
export type { TargetState };

export interface MonitorService extends vscode.Disposable {
  /** Fires with a target's new state whenever its connection or snapshot changes. */
  readonly onDidChange: vscode.Event<TargetState>;
  /** Fires when targets are added or removed. */
  readonly onDidChangeTargets: vscode.Event<void>;
  targets(): TargetState[];
  target(id: string): TargetState | undefined;
  /**
   * Polling runs only while something that shows data is visible. Each view or panel holds a lease while
   * it is visible and disposes it when hidden.
   */
  leaseVisibility(holder: string, demand?: (targetId: string) => Demand): vscode.Disposable;
  /**
   * Keeps polling at the background interval while no view is visible (the alerts): the connections stay open
   * and the Docker event streams followed. Released with the disposable.
   */
  leaseBackground(holder: string, demand: (targetId: string) => Demand, intervalMs: number): vscode.Disposable;
  /** Every container event of every target's Docker stream (while the target is polled). */
  readonly onDidDockerEvent: vscode.Event<{ targetId: string; event: EngineEvent }>;
  /** Where each target's state gets its alerts from; `alertsChanged` redraws a target whose alerts changed. */
  setAlertSource(source: (targetId: string) => TargetState['alerts']): void;
  alertsChanged(targetId: string): void;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  /** Collects now (all targets, or one); resolves when done. */
  refresh(targetId?: string, options?: { fresh?: boolean }): Promise<void>;
  /** Drops a failed connection and tries again at once. */
  reconnect(targetId: string): Promise<void>;
}
