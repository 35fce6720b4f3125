// The one message protocol between the extension and its webview panels. Both bundles compile this file, so
// a message that one side sends and the other does not understand is a compile error, not a silent no-op.
import type { ContainerInfo, Correlation, Finding, HostInfo, ProcessInfo, Snapshot } from '../core/model';

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
}

export interface TargetSummary {
  id: string;
  label: string;
  status: 'connecting' | 'connected' | 'reconnecting' | 'error' | 'paused';
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

// ---- extension -> webview ----
export type ExtensionMessage =
  | { type: 'dashboard'; data: DashboardData }
  | { type: 'metrics'; data: MetricsData }
  | { type: 'correlation'; data: CorrelationData }
  | { type: 'gaps'; data: GapsData }
  | { type: 'subject'; subject: PanelSubject };

// ---- webview -> extension ----
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'open'; panel: 'metrics' | 'correlation'; targetId: string; kind: 'host' | 'container' | 'process'; id: string }
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
      return typeof v.targetId === 'string' && KINDS.includes(v.kind as (typeof KINDS)[number]) && typeof v.id === 'string';
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

/** The sample a metrics chart plots, for each level. */
export function sampleOf(s: Snapshot, subject: { kind: 'host' | 'container' | 'process'; id: string }): MetricsSample | null {
  const t = Date.parse(s.collectedAt);
  if (subject.kind === 'host') {
    const physical = s.host.interfaces.filter((i) => i.kind === 'physical');
    const sum = (pick: (i: (typeof physical)[number]) => number | null) =>
      physical.length === 0 || physical.some((i) => pick(i) === null) ? null : physical.reduce((a, i) => a + (pick(i) ?? 0), 0);
    return {
      t,
      cpuPercent: s.host.cpuPercent?.busy ?? null,
      memoryBytes: s.host.memory.usedBytes,
      memoryLimitBytes: s.host.memory.totalBytes,
      rxBytesPerSec: sum((i) => i.rxBytesPerSec),
      txBytesPerSec: sum((i) => i.txBytesPerSec),
      readBytesPerSec: null,
      writeBytesPerSec: null,
      throttledPercent: null,
    };
  }
  if (subject.kind === 'container') {
    const c = s.containers.find((x) => x.id === subject.id);
    if (!c) return null;
    return {
      t,
      cpuPercent: c.cpu.percent,
      memoryBytes: c.memory.usageBytes,
      memoryLimitBytes: c.memory.limitBytes,
      rxBytesPerSec: c.network.rxBytesPerSec,
      txBytesPerSec: c.network.txBytesPerSec,
      readBytesPerSec: c.blockIo.readBytesPerSec,
      writeBytesPerSec: c.blockIo.writeBytesPerSec,
      throttledPercent: c.cpu.throttledPercent,
    };
  }
  const p = s.processes.find((x) => String(x.pid) === subject.id);
  if (!p) return null;
  return {
    t,
    cpuPercent: p.cpuPercent,
    memoryBytes: p.rssBytes,
    memoryLimitBytes: null,
    rxBytesPerSec: null,
    txBytesPerSec: null,
    readBytesPerSec: null,
    writeBytesPerSec: null,
    throttledPercent: null,
  };
}
