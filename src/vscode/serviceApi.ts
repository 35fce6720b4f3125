// The contract between the extension's parts: the monitor service owns targets, connections and refreshes;
// the tree, commands, status bar and panels only read its state and listen to its changes.
import type { Demand } from '../core/collect/demand';
import type * as vscode from 'vscode';
import type { Snapshot } from '../core/model';
import type { TargetSummary } from '../shared/protocol';
import type { TargetDefinition } from '../core/targets/targetConfig';

export interface TargetState {
  /** One entry of `dockerMonitor.targets`, or the implicit Local target (id 'local'). */
  config: TargetDefinition;
  summary: TargetSummary;
  /** The newest snapshot (rates filled from the one before), or null before the first. */
  snapshot: Snapshot | null;
  /** Error code of the last failure (MonitorError['code']), to offer the right action (retry, accept key...). */
  errorCode: string | null;
}

export interface MonitorService extends vscode.Disposable {
  /** Fires with the target id whenever a target's state or snapshot changes. */
  readonly onDidChange: vscode.Event<string>;
  /** Fires when targets are added or removed. */
  readonly onDidChangeTargets: vscode.Event<void>;
  targets(): TargetState[];
  target(id: string): TargetState | undefined;
  /**
   * Polling runs only while something that shows data is visible. Each view or panel holds a lease while
   * it is visible and disposes it when hidden.
   */
  leaseVisibility(holder: string, demand?: (targetId: string) => Demand): vscode.Disposable;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  /** Collects now (all targets, or one); resolves when done. */
  refresh(targetId?: string, options?: { fresh?: boolean }): Promise<void>;
  /** Drops a failed connection and tries again at once. */
  reconnect(targetId: string): Promise<void>;
}
