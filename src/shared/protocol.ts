// The one message protocol between the extension and its webview panels. Both bundles compile this file, so
// a message that one side sends and the other does not understand is a compile error, not a silent no-op.
import type { ContainerInfo, Correlation, Finding, HostInfo, ProcessInfo } from '../core/model';
import type { HistoryState } from '../core/panels/history';
import type { RollupState } from '../core/history/rollup';

export type PanelKind = 'dashboard' | 'metrics' | 'correlation' | 'gaps';

/** What a panel shows; persisted by the webview (setState) and by the serializer to restore it after a reload. */
export interface PanelSubject {
  panel: PanelKind;
  targetId: string;
  /** For metrics: which level; for correlation: a container. */
  kind?: 'host' | 'container' | 'process';
  /** Container id, or PID as a string. */
  id?: string;
  /** Start ticks of the process, so a reused PID is not mistaken for it. */
  startTicks?: number;
}

/** One point of a metrics chart. Numbers are null where the level has no such figure. */
export interface MetricsSample {
  t: number; // ms since epoch (collectedAt)
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  rxBytesPerSec: number | null;
  txBytesPerSec: number | null;
  readBytesPerSec: number | null;
  writeBytesPerSec: number | null;
  throttledPercent: number | null;
  /** PSI `some avg10` per resource, % of wall time; null where the kernel or the cgroup has no pressure files. */
  cpuPressure: number | null;
  memoryPressure: number | null;
  ioPressure: number | null;
}

export type TargetStatus = 'connecting' | 'connected' | 'reconnecting' | 'error' | 'paused';

/** A target's connection as every view shows it (and as panels receive it). */
export interface TargetSummary {
  id: string;
  /** `local` or `user@host:port`. */
  label: string;
  status: TargetStatus;
  error: string | null;
  collectedAt: string | null;
  durationMs: number | null;
}

export interface DashboardData {
  target: TargetSummary;
  host: HostInfo | null;
  containers: ContainerInfo[];
  /** The busiest processes first, at most 50. */
  topProcesses: ProcessInfo[];
  sample: MetricsSample | null;
  warnings: string[];
}

export interface MetricsData {
  target: TargetSummary;
  subject: { kind: 'host' | 'container' | 'process'; id: string; name: string };
  /** Gone: the container or process no longer exists on the target. */
  gone: boolean;
  sample: MetricsSample | null;
  /** Current figures as label -> formatted value, in display order. */
  figures: Array<[string, string]>;
  /** The stored history (host or container), in the first message after the webview loads. */
  history?: MetricsHistory;
}

/** A subject's stored history: refresh-resolution points and 1-minute rollups, in METRIC_FIELDS columns. */
export interface MetricsHistory {
  recent: HistoryState;
  minutes: RollupState;
}

export interface CorrelationData {
  target: TargetSummary;
  correlation: Correlation | null;
  gone: boolean;
}

export interface GapsData {
  target: TargetSummary;
  findings: Finding[];
}

/** Each panel's payload, by panel kind: the one table its update message and its webview are typed from. */
export interface PanelData {
  dashboard: DashboardData;
  metrics: MetricsData;
  correlation: CorrelationData;
  gaps: GapsData;
}

// ---- extension -> webview ----
/** A panel's update: `type` names the panel kind and fixes the type of `data`. */
export type PanelUpdate<K extends PanelKind = PanelKind> = { [P in K]: { type: P; data: PanelData[P] } }[K];

export type ExtensionMessage = PanelUpdate | { type: 'subject'; subject: PanelSubject };

// ---- webview -> extension ----
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | {
      type: 'open';
      panel: 'metrics' | 'correlation';
      targetId: string;
      kind: 'host' | 'container' | 'process';
      id: string;
    }
  | { type: 'reveal'; targetId: string; kind: 'container' | 'process' | 'host'; id: string };

const PANELS: readonly PanelKind[] = ['dashboard', 'metrics', 'correlation', 'gaps'];
const KINDS = ['host', 'container', 'process'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isPanelSubject(v: unknown): v is PanelSubject {
  return (
    isRecord(v) &&
    PANELS.includes(v.panel as PanelKind) &&
    typeof v.targetId === 'string' &&
    (v.kind === undefined || KINDS.includes(v.kind as (typeof KINDS)[number])) &&
    (v.id === undefined || typeof v.id === 'string') &&
    (v.startTicks === undefined || typeof v.startTicks === 'number')
  );
}

/** Webview input is untrusted (a compromised page could post anything): check every field. */
export function isWebviewMessage(v: unknown): v is WebviewMessage {
  if (!isRecord(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'open':
      return (
        (v.panel === 'metrics' || v.panel === 'correlation') &&
        typeof v.targetId === 'string' &&
        KINDS.includes(v.kind as (typeof KINDS)[number]) &&
        typeof v.id === 'string'
      );
    case 'reveal':
      return (
        typeof v.targetId === 'string' && KINDS.includes(v.kind as (typeof KINDS)[number]) && typeof v.id === 'string'
      );
    default:
      return false;
  }
}

export function isExtensionMessage(v: unknown): v is ExtensionMessage {
  if (!isRecord(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'dashboard':
    case 'metrics':
    case 'correlation':
    case 'gaps':
      return isRecord(v.data) && isRecord(v.data.target);
    case 'subject':
      return isPanelSubject(v.subject);
    default:
      return false;
  }
}
