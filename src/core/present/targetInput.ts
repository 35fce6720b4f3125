// A target as the monitor service holds it and every view reads it (tree, panels, status bar, QuickPicks), defined
// once: the service's state is this type, and its summary is what the panels receive.
import type { Snapshot } from '../model';
import type { ErrorCode } from '../errors';
import type { TargetStatus, TargetSummary } from '../../shared/protocol';
import type { TargetDefinition } from '../targets/settings/targetConfig';
import { plainText } from './text';
import { targetAddress as targetAddressOf } from '../targets/settings/targetConfig';
import type { Alert } from '../alerts/types';

export interface TargetState {
  /** One entry of `dockerMonitor.targets`, or the implicit Local target (id 'local'). */
  config: TargetDefinition;
  summary: TargetSummary;
  /** The newest snapshot (rates filled from the one before), or null before the first. */
  snapshot: Snapshot | null;
  /** The code of the last failure, to offer the right action (retry, accept a key...). */
  errorCode: ErrorCode | null;
  /** The target's alerts, where alerts are on: active ones, and recent ones that ended (newest first). */
  alerts?: { active: readonly Alert[]; recent: readonly Alert[] };
}

/**
 * The target's name as the views show it. The Local target names its machine ("Local (build-box)"): in a window
 * connected with Remote-SSH, WSL or a dev container that machine is not the one in front of the user.
 */
export function targetDisplayName(t: TargetState, localHostname?: string): string {
  if (t.config.kind !== 'local') return plainText(t.config.name);
  const host = t.snapshot?.host.hostname || localHostname || '';
  return host ? `${plainText(t.config.name)} (${plainText(host)})` : plainText(t.config.name);
}

/** Where an SSH target connects (`user@host:port`, `via jump`), or null for Local. */
export function targetAddress(t: TargetState): string | null {
  if (t.config.kind === 'local') return null;
  const base = t.config.host ? targetAddressOf(t.config) : t.summary.label;
  return plainText(t.config.jump ? `${base} via ${t.config.jump}` : base);
}

/** A few words for a state that is not plain "connected". */
export function statusWords(status: TargetStatus): string | null {
  switch (status) {
    case 'connecting':
      return 'connecting…';
    case 'reconnecting':
      return 'reconnecting…';
    case 'paused':
      return 'paused';
    case 'error':
      return 'cannot connect';
    default:
      return null;
  }
}

/** Whether to show a connection failure: the target failed, or lost its connection and is retrying. */
export function connectionFailed(t: TargetState): boolean {
  return t.summary.status === 'error' || (t.summary.status === 'reconnecting' && t.summary.error !== null);
}
