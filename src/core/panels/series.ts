// Which figures the charts keep history of, and how one update becomes one history point. Pure.
import type { DashboardData, MetricsSample } from '../../shared/protocol';

export const METRIC_FIELDS = [
  'cpuPercent',
  'memoryBytes',
  'memoryLimitBytes',
  'rxBytesPerSec',
  'txBytesPerSec',
  'readBytesPerSec',
  'writeBytesPerSec',
  'throttledPercent',
  'cpuPressure',
  'memoryPressure',
  'ioPressure',
] as const satisfies ReadonlyArray<keyof MetricsSample>;
export type MetricField = (typeof METRIC_FIELDS)[number];

export const HOST_FIELDS = [
  'cpuBusy',
  'cpuUser',
  'cpuSystem',
  'cpuIowait',
  'memUsed',
  'memTotal',
  'load1',
  'load5',
  'load15',
  'diskRoot',
  'diskDocker',
  'rx',
  'tx',
] as const;
export type HostField = (typeof HOST_FIELDS)[number];

export interface Point<F extends string> {
  t: number;
  values: Record<F, number | null>;
}

export function metricsPoint(sample: MetricsSample): Point<MetricField> {
  const values = {} as Record<MetricField, number | null>;
  for (const f of METRIC_FIELDS) values[f] = sample[f];
  return { t: sample.t, values };
}

/** The host's point of a dashboard update; null before the first snapshot. Disks are used % per role. */
export function hostPoint(d: DashboardData): Point<HostField> | null {
  if (!d.host || !d.sample) return null;
  const h = d.host;
  const disk = (role: 'root' | 'docker') => h.disks.find((x) => x.role === role)?.usedPercent ?? null;
  return {
    t: d.sample.t,
    values: {
      cpuBusy: h.cpuPercent?.busy ?? null,
      cpuUser: h.cpuPercent?.user ?? null,
      cpuSystem: h.cpuPercent?.system ?? null,
      cpuIowait: h.cpuPercent?.iowait ?? null,
      memUsed: h.memory.usedBytes,
      memTotal: h.memory.totalBytes,
      load1: h.loadAverage[0],
      load5: h.loadAverage[1],
      load15: h.loadAverage[2],
      diskRoot: disk('root'),
      diskDocker: disk('docker'),
      rx: d.sample.rxBytesPerSec,
      tx: d.sample.txBytesPerSec,
    },
  };
}
