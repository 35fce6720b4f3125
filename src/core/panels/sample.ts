// The sample a Metrics chart plots for a host, a container or a process, from one snapshot. Pure.
import type { PressureSet, Snapshot } from '../model';
import type { MetricsSample } from '../../shared/protocol';

/** `some avg10` of each resource: the stall share the panel charts; null per resource while unread. */
function pressureOf(p: PressureSet | null): Pick<MetricsSample, 'cpuPressure' | 'memoryPressure' | 'ioPressure'> {
  return {
    cpuPressure: p?.cpu?.some.avg10 ?? null,
    memoryPressure: p?.memory?.some.avg10 ?? null,
    ioPressure: p?.io?.some.avg10 ?? null,
  };
}

/** The sample a metrics chart plots, for each level. */
export function sampleOf(
  s: Snapshot,
  subject: { kind: 'host' | 'container' | 'process'; id: string },
): MetricsSample | null {
  const t = Date.parse(s.collectedAt);
  if (subject.kind === 'host') {
    const physical = s.host.interfaces.filter((i) => i.kind === 'physical');
    const sum = (pick: (i: (typeof physical)[number]) => number | null) =>
      physical.length === 0 || physical.some((i) => pick(i) === null)
        ? null
        : physical.reduce((a, i) => a + (pick(i) ?? 0), 0);
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
      ...pressureOf(s.host.pressure),
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
      ...pressureOf(c.pressure),
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
    ...pressureOf(null),
  };
}
