// What the views read about a target: the shape of the service's TargetState (src/vscode/serviceApi.ts), restated
// here so that core never depends on vscode types. A TargetState is assignable to it.
import type { Snapshot } from '../model';
import type { TargetDefinition } from '../targets/targetConfig';
import { plainText } from './text';

export type TargetStatus = 'connecting' | 'connected' | 'reconnecting' | 'error' | 'paused';

export interface TargetInput {
  config: TargetDefinition;
  summary: {
    /** `local` or `user@host:port`. */
    label: string;
    status: TargetStatus;
    error: string | null;
    collectedAt: string | null;
    durationMs: number | null;
  };
  snapshot: Snapshot | null;
  /** MonitorError code of the last failure. */
  errorCode: string | null;
}

/**
 * The target's name as the views show it. The Local target names its machine ("Local (build-box)"): in a window
 * connected with Remote-SSH, WSL or a dev container that machine is not the one in front of the user.
 */
export function targetDisplayName(t: TargetInput, localHostname?: string): string {
  if (t.config.kind !== 'local') return plainText(t.config.name);
  const host = t.snapshot?.host.hostname || localHostname || '';
  return host ? `${plainText(t.config.name)} (${plainText(host)})` : plainText(t.config.name);
}

/** Where an SSH target connects (`user@host:port`, `via jump`), or null for Local. */
export function targetAddress(t: TargetInput): string | null {
  if (t.config.kind === 'local') return null;
  const host = t.config.host ?? '';
  const base = host
    ? `${t.config.user ? `${t.config.user}@` : ''}${host.includes(':') ? `[${host}]` : host}${t.config.port && t.config.port !== 22 ? `:${t.config.port}` : ''}`
    : t.summary.label;
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
export function connectionFailed(t: TargetInput): boolean {
  return t.summary.status === 'error' || (t.summary.status === 'reconnecting' && t.summary.error !== null);
}
